"""DAX: DynamoDB Accelerator clusters with their encryption at rest and in transit."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::DAX::Cluster",)


def collect(ctx: CollectContext) -> None:
    for cluster in ctx.pages("DescribeClusters", "Clusters", lists=TYPES).items():
        tagging = ctx.call("ListTags", ResourceName=cluster["ClusterArn"])
        tags = {} if tagging.failed else tag_map((tagging.data or {}).get("Tags"))
        props = with_tags(cluster_properties(cluster), tags)
        ctx.add("AWS::DAX::Cluster", cluster["ClusterArn"], cluster["ClusterName"], props,
                tags=tags)  # fmt: skip


def cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeClusters`` entry in the shape of ``AWS::DAX::Cluster`` properties.

    A cluster that reports no endpoint encryption type predates the setting: ``NONE``.
    """
    sse = (cluster.get("SSEDescription") or {}).get("Status")
    return drop_none(
        {
            "ClusterName": cluster.get("ClusterName"),
            "NodeType": cluster.get("NodeType"),
            "ReplicationFactor": cluster.get("TotalNodes"),
            "IAMRoleARN": cluster.get("IamRoleArn"),
            "SubnetGroupName": cluster.get("SubnetGroup"),
            "SecurityGroupIds": [
                g["SecurityGroupIdentifier"] for g in cluster.get("SecurityGroups") or []
            ],
            "SSESpecification": {"SSEEnabled": sse in ("ENABLED", "ENABLING")},
            "ClusterEndpointEncryptionType": cluster.get("ClusterEndpointEncryptionType") or "NONE",
        }
    )


COLLECTORS = (Collector("dax.clusters", "dax", REGIONAL, collect, TYPES),)
