"""ElastiCache: replication groups with their encryption and authentication settings.

The AUTH token itself is never returned; ``AuthTokenEnabled`` becomes an ``AuthToken``
holding ``***`` so that policies see that one is set, and nothing of its value.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::ElastiCache::ReplicationGroup",)
TOKEN_SET = "***"


def collect(ctx: CollectContext) -> None:
    groups = ctx.pages("DescribeReplicationGroups", "ReplicationGroups", lists=TYPES)
    for group in groups.items():
        group_id = group.get("ReplicationGroupId")
        ctx.add("AWS::ElastiCache::ReplicationGroup", group.get("ARN") or group_id, group_id,
                replication_group_properties(group))  # fmt: skip


def replication_group_properties(group: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeReplicationGroups`` entry in the shape of
    ``AWS::ElastiCache::ReplicationGroup`` properties."""
    return drop_none(
        {
            "ReplicationGroupId": group.get("ReplicationGroupId"),
            "ReplicationGroupDescription": group.get("Description"),
            "Engine": group.get("Engine"),
            "AtRestEncryptionEnabled": bool(group.get("AtRestEncryptionEnabled")),
            "TransitEncryptionEnabled": bool(group.get("TransitEncryptionEnabled")),
            "TransitEncryptionMode": group.get("TransitEncryptionMode"),
            "AuthToken": TOKEN_SET if group.get("AuthTokenEnabled") else None,
            "UserGroupIds": group.get("UserGroupIds") or None,
            "KmsKeyId": group.get("KmsKeyId"),
            "AutomaticFailoverEnabled": _failover(group.get("AutomaticFailover")),
            "MultiAZEnabled": _enabled(group.get("MultiAZ")),
            "SnapshotRetentionLimit": group.get("SnapshotRetentionLimit"),
            "AutoMinorVersionUpgrade": group.get("AutoMinorVersionUpgrade"),
        }
    )


def _failover(status: Any) -> bool | None:
    return None if status is None else status in ("enabled", "enabling")


def _enabled(status: Any) -> bool | None:
    return None if status is None else status == "enabled"


COLLECTORS = (Collector("elasticache.replication_groups", "elasticache", REGIONAL, collect, TYPES),)
