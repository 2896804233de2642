"""SQS: queues, and each queue's access policy as an ``AWS::SQS::QueuePolicy``.

``GetQueueAttributes`` answers every value as a string; numbers and booleans get their
CloudFormation types back. The access policy, when the queue has one, becomes a separate
``AWS::SQS::QueuePolicy`` whose ``Queues`` holds the queue URL, as ``Ref`` of a queue
gives it in a template (bucket policies are produced the same way).
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import arn, policy_document, with_tags

TYPES = ("AWS::SQS::Queue", "AWS::SQS::QueuePolicy")
INTEGERS = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "KmsDataKeyReusePeriodSeconds",
)
BOOLEANS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
TEXTS = ("KmsMasterKeyId", "DeduplicationScope", "FifoThroughputLimit")
JSON_TEXTS = ("RedrivePolicy", "RedriveAllowPolicy")
ENCRYPTION = ("KmsMasterKeyId", "SqsManagedSseEnabled")


def collect(ctx: CollectContext) -> None:
    for url in ctx.pages("ListQueues", "QueueUrls", lists=TYPES).items():
        _collect_queue(ctx, url)


def _collect_queue(ctx: CollectContext, url: str) -> None:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    answer = ctx.call(
        "GetQueueAttributes",
        QueueUrl=url,
        AttributeNames=["All"],
        absent=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
    )
    if not answer.failed and answer.data is None:
        return  # deleted between the listing and now
    attributes = (answer.data or {}).get("Attributes") or {}
    queue_arn = attributes.get("QueueArn") or arn(
        ctx.partition, "sqs", ctx.region, ctx.account, name
    )
    props: dict[str, Any] = {"QueueName": name}
    if answer.failed:
        props.update({key: answer.unknown() for key in ENCRYPTION})
    else:
        props.update(queue_properties(attributes))
    tagging = ctx.call("ListQueueTags", QueueUrl=url)
    tags = {str(k): str(v) for k, v in ((tagging.data or {}).get("Tags") or {}).items()}
    ctx.add("AWS::SQS::Queue", queue_arn, name, with_tags(props, tags), tags=tags)
    _collect_policy(ctx, url, queue_arn, name, answer, attributes)


def queue_properties(attributes: dict[str, str]) -> dict[str, Any]:
    """``GetQueueAttributes`` strings in the shape and types of ``AWS::SQS::Queue``."""
    props: dict[str, Any] = {}
    for key in INTEGERS:
        if str(attributes.get(key, "")).isdigit():
            props[key] = int(attributes[key])
    for key in BOOLEANS:
        if key in attributes:
            props[key] = str(attributes[key]).lower() == "true"
    for key in TEXTS:
        if attributes.get(key):
            props[key] = attributes[key]
    for key in JSON_TEXTS:
        if attributes.get(key):
            props[key] = policy_document(attributes[key])
    return props


def _collect_policy(
    ctx: CollectContext,
    url: str,
    queue_arn: str,
    name: str,
    answer: Answer,
    attributes: dict[str, str],
) -> None:
    if answer.failed:
        document: Any = answer.unknown()
    elif attributes.get("Policy"):
        document = policy_document(attributes["Policy"])
    else:
        return
    props = {"Queues": [url], "PolicyDocument": document}
    ctx.add("AWS::SQS::QueuePolicy", f"{queue_arn}#policy", name, props)


COLLECTORS = (Collector("sqs.queues", "sqs", REGIONAL, collect, TYPES),)
