"""Redshift: provisioned clusters with their audit logging, and cluster parameter groups.

Parameter groups that AWS owns (``default.…``) are collected only when a cluster uses
one (or when the clusters could not be listed): they cannot be changed, so they matter
only through the clusters that run on them.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none, tag_map, with_tags

CLUSTER = "AWS::Redshift::Cluster"
PARAMETER_GROUP = "AWS::Redshift::ClusterParameterGroup"
TYPES = (CLUSTER, PARAMETER_GROUP)
SAME_NAME = (
    "ClusterIdentifier",
    "NodeType",
    "NumberOfNodes",
    "MasterUsername",
    "DBName",
    "Encrypted",
    "KmsKeyId",
    "PubliclyAccessible",
    "EnhancedVpcRouting",
    "AutomatedSnapshotRetentionPeriod",
    "ManualSnapshotRetentionPeriod",
    "AllowVersionUpgrade",
    "ClusterSubnetGroupName",
    "ClusterVersion",
    "AvailabilityZone",
    "PreferredMaintenanceWindow",
)
LOGGING_FIELDS = ("BucketName", "S3KeyPrefix", "LogDestinationType", "LogExports")


def collect(ctx: CollectContext) -> None:
    used: set[str] = set()
    clusters = ctx.pages("DescribeClusters", "Clusters", lists=(CLUSTER,))
    for cluster in clusters.items():
        used.update(g["ParameterGroupName"] for g in cluster.get("ClusterParameterGroups") or [])
        _collect_cluster(ctx, cluster)
    listing = ctx.pages(
        "DescribeClusterParameterGroups", "ParameterGroups", lists=(PARAMETER_GROUP,)
    )
    for group in listing.items():
        name = group["ParameterGroupName"]
        if clusters.failed or not name.startswith("default.") or name in used:
            _collect_parameter_group(ctx, group)


def _collect_cluster(ctx: CollectContext, cluster: dict[str, Any]) -> None:
    identifier = cluster["ClusterIdentifier"]
    props = cluster_properties(cluster)
    logging = ctx.call("DescribeLoggingStatus", ClusterIdentifier=identifier)
    _logging(props, logging)
    tags = tag_map(cluster.get("Tags"))
    cluster_arn = arn(ctx.partition, "redshift", ctx.region, ctx.account, f"cluster:{identifier}")
    ctx.add(CLUSTER, cluster_arn, identifier, with_tags(props, tags), tags=tags)


def cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeClusters`` entry in the shape of ``AWS::Redshift::Cluster``.

    ``MultiAZ`` is the text ``Enabled``/``Disabled`` in the API, a boolean in CloudFormation.
    """
    props: dict[str, Any] = {k: cluster[k] for k in SAME_NAME if cluster.get(k) is not None}
    nodes = cluster.get("NumberOfNodes")
    if nodes is not None:
        props["ClusterType"] = "single-node" if nodes == 1 else "multi-node"
    if cluster.get("MultiAZ") is not None:
        props["MultiAZ"] = str(cluster["MultiAZ"]).lower() in ("enabled", "true")
    groups = cluster.get("ClusterParameterGroups") or []
    if groups:
        props["ClusterParameterGroupName"] = groups[0]["ParameterGroupName"]
    props["VpcSecurityGroupIds"] = [
        g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []
    ]
    props.update(drop_none({"Port": (cluster.get("Endpoint") or {}).get("Port")}))
    return props


def _logging(props: dict[str, Any], answer: Answer) -> None:
    if answer.failed:
        props["LoggingProperties"] = answer.unknown()
        return
    status = answer.data or {}
    if status.get("LoggingEnabled"):
        props["LoggingProperties"] = {k: status[k] for k in LOGGING_FIELDS if status.get(k)}


def _collect_parameter_group(ctx: CollectContext, group: dict[str, Any]) -> None:
    name = group["ParameterGroupName"]
    props: dict[str, Any] = drop_none(
        {
            "ParameterGroupName": name,
            "ParameterGroupFamily": group.get("ParameterGroupFamily"),
            "Description": group.get("Description"),
        }
    )
    answer = ctx.pages("DescribeClusterParameters", "Parameters", ParameterGroupName=name)
    if answer.failed:
        props["Parameters"] = answer.unknown()
    else:
        props["Parameters"] = [
            {"ParameterName": p["ParameterName"], "ParameterValue": p.get("ParameterValue")}
            for p in answer.items()
        ]
    tags = tag_map(group.get("Tags"))
    group_arn = arn(ctx.partition, "redshift", ctx.region, ctx.account, f"parametergroup:{name}")
    ctx.add(PARAMETER_GROUP, group_arn, name, with_tags(props, tags), tags=tags)


COLLECTORS = (Collector("redshift.clusters", "redshift", REGIONAL, collect, TYPES),)
