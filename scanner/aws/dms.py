"""DMS: replication instances, with their public accessibility."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::DMS::ReplicationInstance",)


def collect(ctx: CollectContext) -> None:
    pages = ctx.pages("DescribeReplicationInstances", "ReplicationInstances", lists=TYPES)
    for instance in pages.items():
        ctx.add("AWS::DMS::ReplicationInstance", instance["ReplicationInstanceArn"],
                instance["ReplicationInstanceIdentifier"],
                replication_instance_properties(instance))  # fmt: skip


def replication_instance_properties(instance: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeReplicationInstances`` entry in the shape of
    ``AWS::DMS::ReplicationInstance`` properties."""
    return drop_none(
        {
            "ReplicationInstanceIdentifier": instance.get("ReplicationInstanceIdentifier"),
            "ReplicationInstanceClass": instance.get("ReplicationInstanceClass"),
            "PubliclyAccessible": bool(instance.get("PubliclyAccessible")),
            "MultiAZ": instance.get("MultiAZ"),
            "AutoMinorVersionUpgrade": instance.get("AutoMinorVersionUpgrade"),
            "EngineVersion": instance.get("EngineVersion"),
            "KmsKeyId": instance.get("KmsKeyId"),
        }
    )


COLLECTORS = (Collector("dms.replication_instances", "dms", REGIONAL, collect, TYPES),)
