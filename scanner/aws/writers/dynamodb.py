"""DynamoDB writers: point-in-time recovery, deletion protection (``scanner.aws.dynamodb``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import CollectContext
from scanner.aws.dynamodb import TYPES
from scanner.aws.dynamodb import _collect_table as collect_table
from scanner.aws.writers.base import Target, setting


def _read_table(ctx: CollectContext, target: Target) -> None:
    absent = ("ResourceNotFoundException",)
    described = ctx.call("DescribeTable", TableName=target.name, absent=absent, lists=TYPES)
    table = (described.data or {}).get("Table")
    if table:
        collect_table(ctx, table)


READERS = {"AWS::DynamoDB::Table": _read_table}


def _pitr(target: Target, new: Any) -> dict[str, Any]:
    enabled = bool((new or {}).get("PointInTimeRecoveryEnabled"))
    return {
        "TableName": target.name,
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": enabled},
    }


def _protection(target: Target, new: Any) -> dict[str, Any]:
    return {"TableName": target.name, "DeletionProtectionEnabled": bool(new)}


WRITERS = (
    setting("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification", "dynamodb",
            "UpdateContinuousBackups", _pitr,
            ("dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups"),
            "turning recovery off again drops the restore points made meanwhile"),
    setting("AWS::DynamoDB::Table", "DeletionProtectionEnabled", "dynamodb", "UpdateTable",
            _protection, ("dynamodb:DescribeTable", "dynamodb:UpdateTable")),
)  # fmt: skip
