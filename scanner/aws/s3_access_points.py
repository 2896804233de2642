"""S3 access points per region, with their Block Public Access settings and policy."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document

TYPES = ("AWS::S3::AccessPoint",)
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def collect(ctx: CollectContext) -> None:
    listing = ctx.pages(
        "ListAccessPoints", "AccessPointList", service="s3control", AccountId=ctx.account,
        lists=TYPES,
    )  # fmt: skip
    for point in listing.items():
        _collect_access_point(ctx, point)


def _collect_access_point(ctx: CollectContext, point: dict[str, Any]) -> None:
    name = point["Name"]
    answer = ctx.call("GetAccessPoint", service="s3control", AccountId=ctx.account, Name=name)
    props: dict[str, Any] = drop_none(
        {
            "Name": name,
            "Bucket": point.get("Bucket"),
            "BucketAccountId": point.get("BucketAccountId"),
            "VpcConfiguration": point.get("VpcConfiguration") or None,
        }
    )
    fill(props, "PublicAccessBlockConfiguration", answer, _block)
    policy = ctx.call(
        "GetAccessPointPolicy", service="s3control", AccountId=ctx.account, Name=name,
        absent=("NoSuchAccessPointPolicy",),
    )  # fmt: skip
    fill(props, "Policy", policy, lambda data: policy_document(data.get("Policy")))
    ctx.add("AWS::S3::AccessPoint", point["AccessPointArn"], name, props)


def _block(data: dict[str, Any]) -> dict[str, Any]:
    config = data.get("PublicAccessBlockConfiguration") or {}
    return {flag: bool(config.get(flag, False)) for flag in FLAGS}


COLLECTORS = (Collector("s3.access_points", "s3", REGIONAL, collect, TYPES),)
