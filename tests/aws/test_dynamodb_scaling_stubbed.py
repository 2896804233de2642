"""What moto cannot show of the DynamoDB scalable targets, with botocore's Stubber: pages
followed with the token each gave, ``SuspendedState``, an answer without
``ScalableTargetARN``, other resource ids passed over, and the page limit."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scanner.aws import dynamodb_scaling
from scanner.aws.context import CollectContext
from scanner.aws.session import AccountClients, ClientSettings

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _context() -> tuple[CollectContext, Stubber]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    clients = AccountClients(ACCOUNT, session, ClientSettings(max_attempts=1))
    stubber = Stubber(clients.client("application-autoscaling", REGION))
    return CollectContext(ACCOUNT, REGION, "dynamodb", clients, REGION), stubber


def _target(resource_id: str, dimension: str, **extra: Any) -> dict[str, Any]:
    created = "2024-05-01T00:00:00Z"
    return {"ServiceNamespace": "dynamodb", "ResourceId": resource_id,
            "ScalableDimension": dimension, "MinCapacity": 1, "MaxCapacity": 10,
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/scaling", "CreationTime": created,
            **extra}  # fmt: skip


def test_pages_are_followed_and_each_target_keeps_its_shape() -> None:
    ctx, stubber = _context()
    suspended = {"DynamicScalingInSuspended": True, "DynamicScalingOutSuspended": False,
                 "ScheduledScalingSuspended": False}  # fmt: skip
    first = _target("table/orders", "dynamodb:table:ReadCapacityUnits",
                    ScalableTargetARN=f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:"
                    "scalable-target/0123", SuspendedState=suspended)  # fmt: skip
    second = _target("table/orders", "dynamodb:table:WriteCapacityUnits")
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [first], "NextToken": "page-2"},
        {"ServiceNamespace": "dynamodb"},
    )
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [second, _target("keyspace/x", "cassandra:table:ReadCapacityUnits")]},
        {"ServiceNamespace": "dynamodb", "NextToken": "page-2"},
    )
    with stubber:
        dynamodb_scaling.collect(ctx)
        stubber.assert_no_pending_responses()
    assert ctx.errors == []
    assert [r["id"] for r in ctx.resources] == [
        f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0123",
        f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/dynamodb/"
        "table/orders/dynamodb:table:WriteCapacityUnits",
    ]
    props = ctx.resources[0]["properties"]
    assert props["SuspendedState"] == suspended
    assert props["ResourceArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    assert "CreationTime" not in props


def test_more_pages_than_the_limit_is_an_error_naming_the_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dynamodb_scaling, "MAX_PAGES", 2)
    ctx, stubber = _context()
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [_target("table/a", "dynamodb:table:ReadCapacityUnits")],
         "NextToken": "t1"},
        {"ServiceNamespace": "dynamodb"},
    )  # fmt: skip
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [_target("table/b", "dynamodb:table:ReadCapacityUnits")],
         "NextToken": "t2"},
        {"ServiceNamespace": "dynamodb", "NextToken": "t1"},
    )  # fmt: skip
    with stubber:
        dynamodb_scaling.collect(ctx)
        stubber.assert_no_pending_responses()
    assert [r["name"] for r in ctx.resources] == ["table/a", "table/b"]  # what was read
    [error] = ctx.errors
    assert (error["service"], error["operation"], error["code"], error["types"]) == (
        "application-autoscaling",
        "DescribeScalableTargets",
        "LimitExceeded",
        ["AWS::ApplicationAutoScaling::ScalableTarget"],
    )
    assert error["message"] == "more than 2 pages of scalable targets; the rest is not read"


def test_a_denied_listing_names_the_type_it_loses() -> None:
    ctx, stubber = _context()
    stubber.add_client_error(
        "describe_scalable_targets", "AccessDeniedException", "not authorized", 400
    )
    with stubber:
        dynamodb_scaling.collect(ctx)
    assert ctx.resources == []
    [error] = ctx.errors
    assert (error["code"], error["types"]) == (
        "AccessDeniedException",
        ["AWS::ApplicationAutoScaling::ScalableTarget"],
    )
