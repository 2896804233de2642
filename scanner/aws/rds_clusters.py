"""RDS: Aurora and Multi-AZ DB clusters, named as ``AWS::RDS::DBCluster`` names them.

``DescribeDBClusters`` also answers Neptune and DocumentDB clusters, which have their own
CloudFormation types; they are left out.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import tag_map, with_tags

TYPES = ("AWS::RDS::DBCluster",)
OTHER_ENGINES = ("neptune", "docdb")
# CloudFormation property <- DescribeDBClusters field, where the two names differ
RENAMED = {
    "EnableIAMDatabaseAuthentication": "IAMDatabaseAuthenticationEnabled",
    "EnableCloudwatchLogsExports": "EnabledCloudwatchLogsExports",
    "EnableHttpEndpoint": "HttpEndpointEnabled",
    "DBClusterParameterGroupName": "DBClusterParameterGroup",
    "DBSubnetGroupName": "DBSubnetGroup",
}
SAME_NAME = (
    "DBClusterIdentifier",
    "Engine",
    "EngineVersion",
    "EngineMode",
    "MasterUsername",
    "StorageEncrypted",
    "KmsKeyId",
    "DeletionProtection",
    "CopyTagsToSnapshot",
    "BacktrackWindow",
    "BackupRetentionPeriod",
    "AutoMinorVersionUpgrade",
    "Port",
    "PubliclyAccessible",
    "StorageType",
    "Iops",
    "NetworkType",
    "DatabaseName",
    "PerformanceInsightsEnabled",
)


def collect(ctx: CollectContext) -> None:
    for cluster in ctx.pages("DescribeDBClusters", "DBClusters", lists=TYPES).items():
        if str(cluster.get("Engine", "")).lower() in OTHER_ENGINES:
            continue
        tags = tag_map(cluster.get("TagList"))
        props = with_tags(db_cluster_properties(cluster), tags)
        ctx.add(
            "AWS::RDS::DBCluster",
            cluster["DBClusterArn"],
            cluster["DBClusterIdentifier"],
            props,
            tags=tags,
        )


def db_cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeDBClusters`` entry in the shape of ``AWS::RDS::DBCluster``.

    A cluster that exports no logs has ``EnableCloudwatchLogsExports`` empty, not absent.
    """
    props: dict[str, Any] = {k: cluster[k] for k in SAME_NAME if cluster.get(k) is not None}
    props.update(
        {cfn: cluster[api] for cfn, api in RENAMED.items() if cluster.get(api) is not None}
    )
    props["VpcSecurityGroupIds"] = [
        g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []
    ]
    if "EnableCloudwatchLogsExports" not in props:
        props["EnableCloudwatchLogsExports"] = []
    return props


COLLECTORS = (Collector("rds.clusters", "rds", REGIONAL, collect, TYPES),)
