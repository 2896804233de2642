"""Kinesis: data streams with their server-side encryption."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::Kinesis::Stream",)


def collect(ctx: CollectContext) -> None:
    for name in ctx.pages("ListStreams", "StreamNames", lists=TYPES).items():
        answer = ctx.call(
            "DescribeStreamSummary", StreamName=name, absent=("ResourceNotFoundException",)
        )
        if answer.failed:
            continue
        if answer.data is None:
            continue  # deleted between the listing and now
        summary = answer.data.get("StreamDescriptionSummary") or {}
        ctx.add("AWS::Kinesis::Stream", summary.get("StreamARN", name), name,
                stream_properties(summary))  # fmt: skip


def stream_properties(summary: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeStreamSummary`` answer in the shape of ``AWS::Kinesis::Stream``
    properties: ``StreamEncryption`` only when the stream is encrypted (``KMS``)."""
    kind = summary.get("EncryptionType")
    encryption = (
        drop_none({"EncryptionType": kind, "KeyId": summary.get("KeyId")})
        if kind and kind != "NONE"
        else None
    )
    return drop_none(
        {
            "Name": summary.get("StreamName"),
            "ShardCount": summary.get("OpenShardCount"),
            "RetentionPeriodHours": summary.get("RetentionPeriodHours"),
            "StreamEncryption": encryption,
        }
    )


COLLECTORS = (Collector("kinesis.streams", "kinesis", REGIONAL, collect, TYPES),)
