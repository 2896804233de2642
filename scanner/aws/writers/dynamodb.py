"""DynamoDB writers: point-in-time recovery, deletion protection (``scanner.aws.dynamodb``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting


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
