"""Amazon MSK: provisioned Kafka clusters with their encryption, authentication, logging
and public access.

``ListClustersV2`` answers each cluster's settings in CloudFormation's own names
(``EncryptionInfo``, ``ClientAuthentication``, ``LoggingInfo``, ``BrokerNodeGroupInfo``),
so they are copied as the API gives them. Serverless clusters are another CloudFormation
type and are left out.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::MSK::Cluster",)


def collect(ctx: CollectContext) -> None:
    pages = ctx.pages("ListClustersV2", "ClusterInfoList", ClusterTypeFilter="PROVISIONED",
                      lists=TYPES)  # fmt: skip
    for cluster in pages.items():
        if cluster.get("ClusterType", "PROVISIONED") != "PROVISIONED":
            continue
        tags = {str(k): str(v) for k, v in (cluster.get("Tags") or {}).items()}
        ctx.add("AWS::MSK::Cluster", cluster["ClusterArn"], cluster["ClusterName"],
                cluster_properties(cluster), tags=tags)  # fmt: skip


def cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``ListClustersV2`` entry in the shape of ``AWS::MSK::Cluster`` properties
    (``Tags`` is a map there, as the API answers it)."""
    provisioned = cluster.get("Provisioned") or {}
    software = provisioned.get("CurrentBrokerSoftwareInfo") or {}
    return drop_none(
        {
            "ClusterName": cluster.get("ClusterName"),
            "KafkaVersion": software.get("KafkaVersion"),
            "NumberOfBrokerNodes": provisioned.get("NumberOfBrokerNodes"),
            "BrokerNodeGroupInfo": provisioned.get("BrokerNodeGroupInfo"),
            "EncryptionInfo": provisioned.get("EncryptionInfo"),
            "ClientAuthentication": provisioned.get("ClientAuthentication"),
            "LoggingInfo": provisioned.get("LoggingInfo"),
            "EnhancedMonitoring": provisioned.get("EnhancedMonitoring"),
            "StorageMode": provisioned.get("StorageMode"),
            "Tags": {str(k): str(v) for k, v in (cluster.get("Tags") or {}).items()} or None,
        }
    )


COLLECTORS = (Collector("kafka.clusters", "kafka", REGIONAL, collect, TYPES),)
