"""EKS: clusters with their endpoint access, control plane logging and secrets encryption,
and their managed node groups with their SSH access."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, with_tags

NODEGROUP = "AWS::EKS::Nodegroup"
TYPES = ("AWS::EKS::Cluster", NODEGROUP)


def collect(ctx: CollectContext) -> None:
    for name in ctx.pages("ListClusters", "clusters", lists=TYPES).items():
        answer = ctx.call("DescribeCluster", name=name, lists=TYPES)
        cluster = (answer.data or {}).get("cluster")
        if answer.failed or not cluster:
            continue
        tags = {str(k): str(v) for k, v in (cluster.get("tags") or {}).items()}
        props = with_tags(cluster_properties(cluster), tags)
        ctx.add("AWS::EKS::Cluster", cluster["arn"], cluster["name"], props, tags=tags)
        _collect_nodegroups(ctx, cluster["name"])


def _collect_nodegroups(ctx: CollectContext, cluster: str) -> None:
    listing = ctx.pages("ListNodegroups", "nodegroups", clusterName=cluster, lists=(NODEGROUP,))
    for name in listing.items():
        answer = ctx.call("DescribeNodegroup", clusterName=cluster, nodegroupName=name,
                          absent=("ResourceNotFoundException",), lists=(NODEGROUP,))  # fmt: skip
        group = (answer.data or {}).get("nodegroup")
        if answer.failed or not group:
            continue  # recorded, or deleted between the listing and now
        tags = {str(k): str(v) for k, v in (group.get("tags") or {}).items()}
        ctx.add(NODEGROUP, group["nodegroupArn"], name, nodegroup_properties(group), tags=tags)


def cluster_properties(cluster: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeCluster`` answer in the shape of ``AWS::EKS::Cluster`` properties."""
    vpc = cluster.get("resourcesVpcConfig") or {}
    props: dict[str, Any] = drop_none(
        {
            "Name": cluster.get("name"),
            "Version": cluster.get("version"),
            "RoleArn": cluster.get("roleArn"),
            "ResourcesVpcConfig": drop_none(
                {
                    "SubnetIds": vpc.get("subnetIds"),
                    "SecurityGroupIds": vpc.get("securityGroupIds"),
                    "EndpointPublicAccess": vpc.get("endpointPublicAccess"),
                    "EndpointPrivateAccess": vpc.get("endpointPrivateAccess"),
                    "PublicAccessCidrs": vpc.get("publicAccessCidrs"),
                }
            ),
        }
    )
    enabled = [
        {"Type": kind}
        for setup in (cluster.get("logging") or {}).get("clusterLogging") or []
        if setup.get("enabled")
        for kind in setup.get("types") or []
    ]
    props["Logging"] = {"ClusterLogging": {"EnabledTypes": enabled}}
    props["EncryptionConfig"] = [
        drop_none(
            {
                "Resources": list(config.get("resources") or []),
                "Provider": drop_none({"KeyArn": (config.get("provider") or {}).get("keyArn")})
                or None,
            }
        )
        for config in cluster.get("encryptionConfig") or []
    ]
    return props


def nodegroup_properties(group: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeNodegroup`` answer in the shape of ``AWS::EKS::Nodegroup`` properties
    (``Tags`` and ``Labels`` are maps there, as the API answers them). ``RemoteAccess``
    is present only when the nodes take SSH; its ``SourceSecurityGroups`` only when the
    API names some."""
    access = group.get("remoteAccess") or {}
    scaling = group.get("scalingConfig") or {}
    template = group.get("launchTemplate") or {}
    return drop_none(
        {
            "ClusterName": group.get("clusterName"),
            "NodegroupName": group.get("nodegroupName"),
            "NodeRole": group.get("nodeRole"),
            "Subnets": group.get("subnets"),
            "AmiType": group.get("amiType"),
            "CapacityType": group.get("capacityType"),
            "InstanceTypes": group.get("instanceTypes"),
            "DiskSize": group.get("diskSize"),
            "Version": group.get("version"),
            "ReleaseVersion": group.get("releaseVersion"),
            "Labels": group.get("labels") or None,
            "ScalingConfig": drop_none(
                {
                    "MinSize": scaling.get("minSize"),
                    "MaxSize": scaling.get("maxSize"),
                    "DesiredSize": scaling.get("desiredSize"),
                }
            )
            or None,
            "RemoteAccess": drop_none(
                {
                    "Ec2SshKey": access.get("ec2SshKey"),
                    "SourceSecurityGroups": access.get("sourceSecurityGroups") or None,
                }
            )
            or None,
            "LaunchTemplate": drop_none(
                {
                    "Id": template.get("id"),
                    "Name": template.get("name"),
                    "Version": template.get("version"),
                }
            )
            or None,
            "Tags": {str(k): str(v) for k, v in (group.get("tags") or {}).items()} or None,
        }
    )


COLLECTORS = (Collector("eks.clusters", "eks", REGIONAL, collect, TYPES),)
