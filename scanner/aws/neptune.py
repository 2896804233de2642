"""Neptune: DB clusters, named as ``AWS::Neptune::DBCluster`` names them.

Neptune answers ``DescribeDBClusters`` from the RDS API, which lists every engine's
clusters; only those whose engine is ``neptune`` are kept. Neptune's answer carries no
tags: they are read with ``ListTagsForResource``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import tag_map, with_tags

TYPES = ("AWS::Neptune::DBCluster",)
# CloudFormation property <- DescribeDBClusters field
FIELDS = {
    "DBClusterIdentifier": "DBClusterIdentifier",
    "EngineVersion": "EngineVersion",
    "StorageEncrypted": "StorageEncrypted",
    "KmsKeyId": "KmsKeyId",
    "DeletionProtection": "DeletionProtection",
    "CopyTagsToSnapshot": "CopyTagsToSnapshot",
    "BackupRetentionPeriod": "BackupRetentionPeriod",
    "PreferredBackupWindow": "PreferredBackupWindow",
    "PreferredMaintenanceWindow": "PreferredMaintenanceWindow",
    "Port": "Port",
    "IamAuthEnabled": "IAMDatabaseAuthenticationEnabled",
    "EnableCloudwatchLogsExports": "EnabledCloudwatchLogsExports",
    "DBClusterParameterGroupName": "DBClusterParameterGroup",
    "DBSubnetGroupName": "DBSubnetGroup",
}


def collect(ctx: CollectContext) -> None:
    for cluster in ctx.pages("DescribeDBClusters", "DBClusters", lists=TYPES).items():
        if str(cluster.get("Engine", "")).lower() != "neptune":
            continue
        tagging = ctx.call("ListTagsForResource", ResourceName=cluster["DBClusterArn"])
        tags = tag_map((tagging.data or {}).get("TagList"))
        props = with_tags(cluster_properties(cluster), tags)
        ctx.add("AWS::Neptune::DBCluster", cluster["DBClusterArn"],
                cluster["DBClusterIdentifier"], props, tags=tags)  # fmt: skip


def cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeDBClusters`` entry in the shape of ``AWS::Neptune::DBCluster``.

    A cluster that exports no logs has ``EnableCloudwatchLogsExports`` empty, not absent.
    """
    props: dict[str, Any] = {
        cfn: cluster[api] for cfn, api in FIELDS.items() if cluster.get(api) is not None
    }
    props["VpcSecurityGroupIds"] = [
        g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []
    ]
    props.setdefault("EnableCloudwatchLogsExports", [])
    return props


COLLECTORS = (Collector("neptune.clusters", "neptune", REGIONAL, collect, TYPES),)
