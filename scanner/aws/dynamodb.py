"""DynamoDB: tables with their point-in-time recovery and server-side encryption.

``DescribeTable`` gives billing mode, deletion protection and encryption;
``DescribeContinuousBackups`` gives point-in-time recovery, stored as
``PointInTimeRecoverySpecification`` the way a template declares it.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::DynamoDB::Table",)


def collect(ctx: CollectContext) -> None:
    for name in ctx.pages("ListTables", "TableNames", lists=TYPES).items():
        described = ctx.call("DescribeTable", TableName=name, lists=TYPES)
        if described.failed:
            continue
        table = (described.data or {}).get("Table")
        if table:
            _collect_table(ctx, table)


def _collect_table(ctx: CollectContext, table: dict[str, Any]) -> None:
    name = table["TableName"]
    table_arn = table["TableArn"]
    props = table_properties(table)
    backups = ctx.call("DescribeContinuousBackups", TableName=name)
    fill(props, "PointInTimeRecoverySpecification", backups, _point_in_time_recovery)
    tagging = ctx.pages("ListTagsOfResource", "Tags", ResourceArn=table_arn)
    tags = {} if tagging.failed else tag_map(tagging.items())
    ctx.add("AWS::DynamoDB::Table", table_arn, name, with_tags(props, tags), tags=tags)


def table_properties(table: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeTable`` answer in the shape of ``AWS::DynamoDB::Table`` properties.

    A table created without a billing mode reports none: it is ``PROVISIONED``.
    """
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    props: dict[str, Any] = drop_none(
        {
            "TableName": table["TableName"],
            "BillingMode": billing,
            "DeletionProtectionEnabled": bool(table.get("DeletionProtectionEnabled", False)),
            "TableClass": (table.get("TableClassSummary") or {}).get("TableClass"),
            "KeySchema": table.get("KeySchema"),
        }
    )
    throughput = table.get("ProvisionedThroughput") or {}
    if billing == "PROVISIONED":
        props["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput.get("ReadCapacityUnits"),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits"),
        }
    props["SSESpecification"] = _sse(table.get("SSEDescription") or {})
    stream = table.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        props["StreamSpecification"] = {"StreamViewType": stream.get("StreamViewType")}
    return props


def _sse(description: dict[str, Any]) -> dict[str, Any]:
    """``SSEEnabled`` is true only for a KMS key (the AWS owned key is the default)."""
    enabled = description.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
    sse: dict[str, Any] = {"SSEEnabled": enabled}
    if enabled:
        sse.update(
            drop_none(
                {
                    "SSEType": description.get("SSEType"),
                    "KMSMasterKeyId": description.get("KMSMasterKeyArn"),
                }
            )
        )
    return sse


def _point_in_time_recovery(data: dict[str, Any]) -> dict[str, Any]:
    description = (data.get("ContinuousBackupsDescription") or {}).get(
        "PointInTimeRecoveryDescription"
    ) or {}
    enabled = description.get("PointInTimeRecoveryStatus") == "ENABLED"
    spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": enabled}
    if enabled and description.get("RecoveryPeriodInDays") is not None:
        spec["RecoveryPeriodInDays"] = description["RecoveryPeriodInDays"]
    return spec


COLLECTORS = (Collector("dynamodb.tables", "dynamodb", REGIONAL, collect, TYPES),)
