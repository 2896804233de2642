"""SQS writer: server-side encryption with SQS-managed keys (``scanner.aws.sqs``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import CollectContext
from scanner.aws.sqs import _collect_queue as collect_queue
from scanner.aws.writers.base import Target, setting


def queue_url(target: Target) -> str:
    """The queue URL AWS gives a queue, from its region, account and name."""
    return f"https://sqs.{target.region}.amazonaws.com/{target.account}/{target.name}"


def _sse(target: Target, new: Any) -> dict[str, Any]:
    value = "true" if new else "false"
    return {"QueueUrl": queue_url(target), "Attributes": {"SqsManagedSseEnabled": value}}


def _read_queue(ctx: CollectContext, target: Target) -> None:
    collect_queue(ctx, queue_url(target))


READERS = {"AWS::SQS::Queue": _read_queue}

WRITERS = (
    setting("AWS::SQS::Queue", "SqsManagedSseEnabled", "sqs", "SetQueueAttributes", _sse,
            ("sqs:GetQueueAttributes", "sqs:SetQueueAttributes"),
            "messages sent meanwhile stay encrypted until they are received"),
)  # fmt: skip
