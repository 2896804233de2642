"""DynamoDB auto scaling: the Application Auto Scaling scalable targets of tables and
indexes, as ``AWS::ApplicationAutoScaling::ScalableTarget``.

``DescribeScalableTargets`` (namespace ``dynamodb``) is read page by page, at most
``MAX_PAGES`` pages; past that the rest is not read and a ``LimitExceeded`` error naming
the type says so, so the scan reports the missing targets as unknown. Each target keeps
its template shape (``ResourceId`` is ``table/NAME`` or ``table/NAME/index/INDEX``) and
gains, live only, ``ResourceArn``: the ARN of the table or index it scales, which is how
a policy relates a live table to its targets (a live relation matches ARNs and names,
not ``table/NAME``).
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
TYPES = (TYPE,)
SERVICE = "application-autoscaling"
NAMESPACE = "dynamodb"
MAX_PAGES = 1000  # 50 targets a page: far more than a region's quota of targets


def collect(ctx: CollectContext) -> None:
    answer = _scalable_targets(ctx)
    for target in answer.items():
        _add_target(ctx, target)


def _scalable_targets(ctx: CollectContext) -> Answer:
    """Every DynamoDB scalable target of the region, within ``MAX_PAGES`` pages."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"ServiceNamespace": NAMESPACE}
        if token:
            kw["NextToken"] = token
        answer = ctx.call("DescribeScalableTargets", service=SERVICE, lists=TYPES, **kw)
        if answer.failed:
            return Answer(data=found, error=answer.error)
        found.extend((answer.data or {}).get("ScalableTargets") or [])
        token = (answer.data or {}).get("NextToken")
        if not token:
            return Answer(data=found)
    message = f"more than {MAX_PAGES} pages of scalable targets; the rest is not read"
    error = ctx.record(SERVICE, "DescribeScalableTargets", "LimitExceeded", message, TYPES)
    return Answer(data=found, error=error)


def _add_target(ctx: CollectContext, target: dict[str, Any]) -> None:
    resource_id = str(target.get("ResourceId") or "")
    dimension = str(target.get("ScalableDimension") or "")
    if not resource_id.startswith("table/"):
        return
    props = target_properties(target)
    props["ResourceArn"] = arn(ctx.partition, "dynamodb", ctx.region, ctx.account, resource_id)
    target_arn = target.get("ScalableTargetARN") or arn(
        ctx.partition,
        SERVICE,
        ctx.region,
        ctx.account,
        f"scalable-target/{NAMESPACE}/{resource_id}/{dimension}",
    )
    ctx.add(TYPE, str(target_arn), resource_id, props)


def target_properties(target: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeScalableTargets`` item in the shape of the template type."""
    props = drop_none(
        {
            "ServiceNamespace": target.get("ServiceNamespace"),
            "ResourceId": target.get("ResourceId"),
            "ScalableDimension": target.get("ScalableDimension"),
            "MinCapacity": target.get("MinCapacity"),
            "MaxCapacity": target.get("MaxCapacity"),
            "RoleARN": target.get("RoleARN"),
        }
    )
    suspended = target.get("SuspendedState")
    if isinstance(suspended, dict):
        props["SuspendedState"] = {
            key: bool(suspended.get(key))
            for key in (
                "DynamicScalingInSuspended",
                "DynamicScalingOutSuspended",
                "ScheduledScalingSuspended",
            )
        }
    return props


COLLECTORS = (Collector("dynamodb.scalable_targets", "dynamodb", REGIONAL, collect, TYPES),)
