"""SNS topics and topic policies: collected shape and built-in verdicts.

moto keeps no delivery status feedback attributes (``SQSSuccessFeedbackRoleArn``…), so
their mapping into ``DeliveryStatusLogging`` is checked with botocore's Stubber.
"""

from __future__ import annotations

import json

from botocore.stub import Stubber
from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit
from test_pagination import stubbed

from scanner.aws.sns import collect

FEEDBACK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sns-feedback"
PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}
    ],
}


def make_topics(aws: MotoAWS) -> dict[str, str]:
    sns = aws.client("sns")
    sealed = sns.create_topic(
        Name="sealed",
        Attributes={"KmsMasterKeyId": "alias/topics"},
        Tags=[{"Key": "team", "Value": "alerts"}],
    )["TopicArn"]
    bare = sns.create_topic(Name="bare")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=bare, AttributeName="Policy", AttributeValue=json.dumps(PUBLIC)
    )
    return {"sealed": sealed, "bare": bare}


def test_topic_attributes_and_policies_in_cloudformation_shape(aws: MotoAWS) -> None:
    arns = make_topics(aws)
    snapshot, done = aws.collect("--service", "sns")
    assert done.returncode == 0, snapshot["errors"]
    topics = resources_of(snapshot, "AWS::SNS::Topic")
    sealed = topics["sealed"]
    assert sealed["id"] == arns["sealed"]
    assert sealed["properties"]["KmsMasterKeyId"] == "alias/topics"
    assert sealed["properties"]["Tags"] == [{"Key": "team", "Value": "alerts"}]
    assert topics["bare"]["properties"] == {"TopicName": "bare"}
    policies = resources_of(snapshot, "AWS::SNS::TopicPolicy")
    assert policies["bare"]["properties"] == {"Topics": [arns["bare"]], "PolicyDocument": PUBLIC}
    default = policies["sealed"]["properties"]["PolicyDocument"]["Statement"][0]
    assert default["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}


def test_topic_verdicts(aws: MotoAWS) -> None:
    make_topics(aws)
    policies = ["PAC-SNS-001", "PAC-SNS-002", "PAC-SNS-003"]
    assert audit(aws, ["sns"], policies) == {
        ("PAC-SNS-001", "sealed"): "pass",
        ("PAC-SNS-001", "bare"): "fail",
        ("PAC-SNS-002", "sealed#policy"): "pass",
        ("PAC-SNS-002", "bare#policy"): "fail",
        ("PAC-SNS-003", "sealed"): "fail",
        ("PAC-SNS-003", "bare"): "fail",
    }


TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"


def stub_topic(stubber: Stubber, attributes: dict[str, str] | None) -> None:
    stubber.add_response("list_topics", {"Topics": [{"TopicArn": TOPIC}]})
    if attributes is None:
        stubber.add_client_error("get_topic_attributes", "AuthorizationError", http_status_code=403)
    else:
        stubber.add_response("get_topic_attributes", {"Attributes": attributes})
    stubber.add_response("list_tags_for_resource", {"Tags": []})


def test_feedback_attributes_become_delivery_status_logging() -> None:
    ctx, stubber = stubbed("sns")
    stub_topic(
        stubber,
        {
            "TopicArn": TOPIC,
            "SQSSuccessFeedbackRoleArn": FEEDBACK_ROLE,
            "SQSFailureFeedbackRoleArn": FEEDBACK_ROLE,
            "SQSSuccessFeedbackSampleRate": "50",
            "LambdaFailureFeedbackRoleArn": FEEDBACK_ROLE,
            "HTTPSuccessFeedbackSampleRate": "0",
        },
    )
    with stubber:
        collect(ctx)
    (topic,) = [r for r in ctx.resources if r["type"] == "AWS::SNS::Topic"]
    assert topic["properties"]["DeliveryStatusLogging"] == [
        {
            "Protocol": "sqs",
            "SuccessFeedbackRoleArn": FEEDBACK_ROLE,
            "SuccessFeedbackSampleRate": "50",
            "FailureFeedbackRoleArn": FEEDBACK_ROLE,
        },
        {"Protocol": "lambda", "FailureFeedbackRoleArn": FEEDBACK_ROLE},
    ]
    assert ctx.errors == []


def test_unreadable_attributes_are_unknown_not_absent() -> None:
    ctx, stubber = stubbed("sns")
    stub_topic(stubber, None)
    with stubber:
        collect(ctx)
    by_type = {r["type"]: r["properties"] for r in ctx.resources}
    unknown = {"$unknown": "GetTopicAttributes: AuthorizationError"}
    assert by_type["AWS::SNS::Topic"] == {
        "TopicName": "alerts",
        "KmsMasterKeyId": unknown,
        "DeliveryStatusLogging": unknown,
    }
    assert by_type["AWS::SNS::TopicPolicy"] == {"Topics": [TOPIC], "PolicyDocument": unknown}
    assert [e["operation"] for e in ctx.errors] == ["GetTopicAttributes"]
