"""EKS: clusters with their endpoint access, control plane logging and secrets encryption."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, with_tags

TYPES = ("AWS::EKS::Cluster",)


def collect(ctx: CollectContext) -> None:
    for name in ctx.pages("ListClusters", "clusters", lists=TYPES).items():
        answer = ctx.call("DescribeCluster", name=name, lists=TYPES)
        cluster = (answer.data or {}).get("cluster")
        if answer.failed or not cluster:
            continue
        tags = {str(k): str(v) for k, v in (cluster.get("tags") or {}).items()}
        props = with_tags(cluster_properties(cluster), tags)
        ctx.add("AWS::EKS::Cluster", cluster["arn"], cluster["name"], props, tags=tags)


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


COLLECTORS = (Collector("eks.clusters", "eks", REGIONAL, collect, TYPES),)
