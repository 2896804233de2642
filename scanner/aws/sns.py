"""SNS: topics, and each topic's access policy as an ``AWS::SNS::TopicPolicy``.

Delivery status logging is spread over ``<Protocol>SuccessFeedbackRoleArn``,
``…FailureFeedbackRoleArn`` and ``…SuccessFeedbackSampleRate`` attributes; they are
gathered into CloudFormation's ``DeliveryStatusLogging`` list, one entry per protocol.
Every topic has an access policy (AWS writes a default one), so every topic gets an
``AWS::SNS::TopicPolicy`` whose ``Topics`` holds the topic ARN, as ``Ref`` of a topic
gives it in a template.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

TYPES = ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy")
# attribute prefix -> DeliveryStatusLogging Protocol
PROTOCOLS = {
    "HTTP": "http",
    "SQS": "sqs",
    "Lambda": "lambda",
    "Firehose": "firehose",
    "Application": "application",
}
TEXTS = (
    "DisplayName",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "FifoThroughputScope",
)
BOOLEANS = ("FifoTopic", "ContentBasedDeduplication")


def collect(ctx: CollectContext) -> None:
    for topic in ctx.pages("ListTopics", "Topics", lists=TYPES).items():
        _collect_topic(ctx, topic["TopicArn"])


def _collect_topic(ctx: CollectContext, topic_arn: str) -> None:
    name = topic_arn.rsplit(":", 1)[-1]
    answer = ctx.call("GetTopicAttributes", TopicArn=topic_arn, absent=("NotFound",))
    if not answer.failed and answer.data is None:
        return  # deleted between the listing and now
    attributes = (answer.data or {}).get("Attributes") or {}
    props: dict[str, Any] = {"TopicName": name}
    if answer.failed:
        props["KmsMasterKeyId"] = answer.unknown()
        props["DeliveryStatusLogging"] = answer.unknown()
    else:
        props.update(topic_properties(attributes))
    tagging = ctx.call("ListTagsForResource", ResourceArn=topic_arn)
    tags = {} if tagging.failed else tag_map((tagging.data or {}).get("Tags"))
    ctx.add("AWS::SNS::Topic", topic_arn, name, with_tags(props, tags), tags=tags)
    _collect_policy(ctx, topic_arn, name, answer, attributes)


def topic_properties(attributes: dict[str, str]) -> dict[str, Any]:
    """``GetTopicAttributes`` strings in the shape of ``AWS::SNS::Topic`` properties."""
    props: dict[str, Any] = {key: attributes[key] for key in TEXTS if attributes.get(key)}
    for key in BOOLEANS:
        if key in attributes:
            props[key] = str(attributes[key]).lower() == "true"
    for key in ("ArchivePolicy", "DataProtectionPolicy"):
        if attributes.get(key):
            props[key] = policy_document(attributes[key])
    logging = delivery_status_logging(attributes)
    if logging:
        props["DeliveryStatusLogging"] = logging
    return props


def delivery_status_logging(attributes: dict[str, str]) -> list[dict[str, Any]]:
    entries = []
    for prefix, protocol in PROTOCOLS.items():
        entry = drop_none(
            {
                "SuccessFeedbackRoleArn": attributes.get(f"{prefix}SuccessFeedbackRoleArn") or None,
                "SuccessFeedbackSampleRate": attributes.get(f"{prefix}SuccessFeedbackSampleRate")
                or None,
                "FailureFeedbackRoleArn": attributes.get(f"{prefix}FailureFeedbackRoleArn") or None,
            }
        )
        if entry.get("SuccessFeedbackRoleArn") or entry.get("FailureFeedbackRoleArn"):
            entries.append({"Protocol": protocol, **entry})
    return entries


def _collect_policy(
    ctx: CollectContext, topic_arn: str, name: str, answer: Answer, attributes: dict[str, str]
) -> None:
    if answer.failed:
        document: Any = answer.unknown()
    elif attributes.get("Policy"):
        document = policy_document(attributes["Policy"])
    else:
        return
    props = {"Topics": [topic_arn], "PolicyDocument": document}
    ctx.add("AWS::SNS::TopicPolicy", f"{topic_arn}#policy", name, props)


COLLECTORS = (Collector("sns.topics", "sns", REGIONAL, collect, TYPES),)
