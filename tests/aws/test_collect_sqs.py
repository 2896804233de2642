"""SQS queues and queue policies against moto: collected shape and built-in verdicts."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}],
}
FROM_TOPIC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}},
        }
    ],
}


def make_queues(aws: MotoAWS) -> dict[str, str]:
    sqs = aws.client("sqs")
    urls = {
        "sealed": sqs.create_queue(
            QueueName="sealed",
            Attributes={"KmsMasterKeyId": "alias/queues", "Policy": json.dumps(FROM_TOPIC)},
            tags={"team": "jobs"},
        )["QueueUrl"],
        "open": sqs.create_queue(
            QueueName="open",
            Attributes={"SqsManagedSseEnabled": "false", "Policy": json.dumps(PUBLIC)},
        )["QueueUrl"],
        "default": sqs.create_queue(QueueName="default", Attributes={"DelaySeconds": "5"})[
            "QueueUrl"
        ],
    }
    return urls


def test_queue_attributes_and_policies_in_cloudformation_shape(aws: MotoAWS) -> None:
    urls = make_queues(aws)
    snapshot, done = aws.collect("--service", "sqs")
    assert done.returncode == 0, snapshot["errors"]
    queues = resources_of(snapshot, "AWS::SQS::Queue")
    assert sorted(queues) == ["default", "open", "sealed"]
    sealed = queues["sealed"]
    assert sealed["id"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:sealed"
    assert sealed["properties"]["KmsMasterKeyId"] == "alias/queues"
    assert sealed["properties"]["Tags"] == [{"Key": "team", "Value": "jobs"}]
    assert queues["open"]["properties"]["SqsManagedSseEnabled"] is False
    assert queues["default"]["properties"]["DelaySeconds"] == 5
    assert queues["default"]["properties"]["MessageRetentionPeriod"] == 345600
    policies = resources_of(snapshot, "AWS::SQS::QueuePolicy")
    assert sorted(policies) == ["open", "sealed"]
    assert policies["open"]["id"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:open#policy"
    assert policies["open"]["properties"] == {"Queues": [urls["open"]], "PolicyDocument": PUBLIC}


def test_queue_verdicts(aws: MotoAWS) -> None:
    make_queues(aws)
    assert audit(aws, ["sqs"], ["PAC-SQS-001", "PAC-SQS-002"]) == {
        ("PAC-SQS-001", "sealed"): "pass",
        ("PAC-SQS-001", "open"): "fail",
        ("PAC-SQS-001", "default"): "pass",
        ("PAC-SQS-002", "sealed#policy"): "pass",
        ("PAC-SQS-002", "open#policy"): "fail",
    }
