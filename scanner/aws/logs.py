"""CloudWatch Logs: log groups with their KMS key and retention."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::Logs::LogGroup",)


def collect(ctx: CollectContext) -> None:
    for group in ctx.pages("DescribeLogGroups", "logGroups", lists=TYPES).items():
        arn = str(group.get("arn") or "").removesuffix(":*")
        ctx.add("AWS::Logs::LogGroup", arn, group.get("logGroupName"), log_group_properties(group))


def log_group_properties(group: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeLogGroups`` entry in the shape of ``AWS::Logs::LogGroup`` properties.

    A group that never expires its events reports no ``retentionInDays``, as a template
    that leaves ``RetentionInDays`` out.
    """
    return drop_none(
        {
            "LogGroupName": group.get("logGroupName"),
            "RetentionInDays": group.get("retentionInDays"),
            "KmsKeyId": group.get("kmsKeyId"),
            "LogGroupClass": group.get("logGroupClass"),
        }
    )


COLLECTORS = (Collector("logs.log_groups", "logs", REGIONAL, collect, TYPES),)
