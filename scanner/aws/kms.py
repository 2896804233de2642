"""KMS: customer managed keys with their rotation setting and key policy.

AWS managed keys (``alias/aws/…``) are left out: their rotation and policy are not the
account's to set. Keys pending deletion are left out too. Rotation is read only for
symmetric keys with KMS-made key material, the only keys that can rotate.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

TYPES = ("AWS::KMS::Key",)
SKIPPED_STATES = ("PendingDeletion", "PendingReplicaDeletion")


def collect(ctx: CollectContext) -> None:
    for key in ctx.pages("ListKeys", "Keys", lists=TYPES).items():
        described = ctx.call("DescribeKey", KeyId=key["KeyId"], lists=TYPES)
        if described.failed:
            continue
        meta = (described.data or {}).get("KeyMetadata") or {}
        if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") in SKIPPED_STATES:
            continue
        _collect_key(ctx, meta)


def _collect_key(ctx: CollectContext, meta: dict[str, Any]) -> None:
    key_id = meta["KeyId"]
    props: dict[str, Any] = drop_none(
        {
            "Description": meta.get("Description") or None,
            "Enabled": meta.get("Enabled"),
            "KeyUsage": meta.get("KeyUsage"),
            "KeySpec": meta.get("KeySpec"),
            "MultiRegion": meta.get("MultiRegion"),
            "Origin": meta.get("Origin"),
        }
    )
    if meta.get("KeySpec") == "SYMMETRIC_DEFAULT" and meta.get("Origin") == "AWS_KMS":
        rotation = ctx.call("GetKeyRotationStatus", KeyId=key_id)
        fill(props, "EnableKeyRotation", rotation, lambda d: bool(d.get("KeyRotationEnabled")))
        fill(props, "RotationPeriodInDays", rotation, lambda d: d.get("RotationPeriodInDays"))
    policy = ctx.call("GetKeyPolicy", KeyId=key_id, PolicyName="default")
    fill(props, "KeyPolicy", policy, lambda data: policy_document(data.get("Policy")))
    tagging = ctx.pages("ListResourceTags", "Tags", KeyId=key_id)
    tags = {} if tagging.failed else tag_map(tagging.items(), "TagKey", "TagValue")
    ctx.add("AWS::KMS::Key", meta["Arn"], key_id, with_tags(props, tags), tags=tags)


COLLECTORS = (Collector("kms.keys", "kms", REGIONAL, collect, TYPES),)
