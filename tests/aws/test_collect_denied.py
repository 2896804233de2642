"""A denied call of a new collector leaves an unknown value or a gap, never a false fail.

moto allows every call, so the denials come from botocore's Stubber: the listing answers,
the call under test fails with ``AccessDenied``, and the collected value must be the
unknown marker naming that call (a policy then reports ``unknown``), or, for a listing,
the error must name the resource types it left out (a gap).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber
from test_pagination import stubbed

from scanner.aws import dynamodb, ecr, efs, elb, elbv2, guardduty, iam_groups, secretsmanager, sqs
from scanner.aws.context import CollectContext

ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/q"
REPO_ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/repo"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/lb/1"


def denied(stubber: Stubber, method: str) -> None:
    stubber.add_client_error(method, "AccessDenied", "denied", http_status_code=403)


def stub_dynamodb(stubber: Stubber) -> None:
    stubber.add_response("list_tables", {"TableNames": ["orders"]})
    table = {
        "TableName": "orders",
        "TableArn": TABLE_ARN,
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
    }
    stubber.add_response("describe_table", {"Table": table})
    denied(stubber, "describe_continuous_backups")
    stubber.add_response("list_tags_of_resource", {"Tags": []})


def stub_sqs(stubber: Stubber) -> None:
    stubber.add_response("list_queues", {"QueueUrls": [QUEUE_URL]})
    denied(stubber, "get_queue_attributes")
    stubber.add_response("list_queue_tags", {"Tags": {}})


def stub_ecr(stubber: Stubber) -> None:
    repository = {
        "repositoryName": "repo",
        "repositoryArn": REPO_ARN,
        "imageTagMutability": "MUTABLE",
    }
    stubber.add_response("describe_repositories", {"repositories": [repository]})
    denied(stubber, "get_lifecycle_policy")
    stubber.add_client_error("get_repository_policy", "RepositoryPolicyNotFoundException")
    stubber.add_response("list_tags_for_resource", {"tags": []})


def stub_efs(stubber: Stubber) -> None:
    system = {
        "OwnerId": ACCOUNT, "CreationToken": "t", "FileSystemId": "fs-1",
        "CreationTime": "2024-01-01T00:00:00Z", "LifeCycleState": "available",
        "NumberOfMountTargets": 0, "SizeInBytes": {"Value": 0},
        "PerformanceMode": "generalPurpose", "Encrypted": True, "Tags": [],
    }  # fmt: skip
    stubber.add_response("describe_file_systems", {"FileSystems": [system]})
    denied(stubber, "describe_backup_policy")
    stubber.add_response("describe_mount_targets", {"MountTargets": []})


def stub_elbv2(stubber: Stubber) -> None:
    balancer = {"LoadBalancerArn": LB_ARN, "LoadBalancerName": "lb", "Type": "application"}
    stubber.add_response("describe_load_balancers", {"LoadBalancers": [balancer]})
    stubber.add_response("describe_tags", {"TagDescriptions": []})
    denied(stubber, "describe_load_balancer_attributes")
    denied(stubber, "describe_listeners")


def stub_elb(stubber: Stubber) -> None:
    stubber.add_response("describe_load_balancers", {"LoadBalancerDescriptions": [
        {"LoadBalancerName": "lb", "ListenerDescriptions": []}]})  # fmt: skip
    stubber.add_response("describe_tags", {"TagDescriptions": []})
    denied(stubber, "describe_load_balancer_attributes")
    stubber.add_response("describe_load_balancer_policies", {"PolicyDescriptions": []})


def stub_guardduty(stubber: Stubber) -> None:
    stubber.add_response("list_detectors", {"DetectorIds": ["d1"]})
    denied(stubber, "get_detector")


def stub_secrets(stubber: Stubber) -> None:
    denied(stubber, "list_secrets")


def stub_groups(stubber: Stubber) -> None:
    denied(stubber, "get_account_authorization_details")


UNKNOWN_VALUES = [
    ("dynamodb", dynamodb.collect, stub_dynamodb, "AWS::DynamoDB::Table",
     "PointInTimeRecoverySpecification", "DescribeContinuousBackups"),
    ("sqs", sqs.collect, stub_sqs, "AWS::SQS::Queue", "SqsManagedSseEnabled", "GetQueueAttributes"),
    ("sqs", sqs.collect, stub_sqs, "AWS::SQS::QueuePolicy", "PolicyDocument", "GetQueueAttributes"),
    ("ecr", ecr.collect, stub_ecr, "AWS::ECR::Repository", "LifecyclePolicy", "GetLifecyclePolicy"),
    ("elbv2", elbv2.collect, stub_elbv2, "AWS::ElasticLoadBalancingV2::LoadBalancer",
     "LoadBalancerAttributes", "DescribeLoadBalancerAttributes"),
    ("elb", elb.collect, stub_elb, "AWS::ElasticLoadBalancing::LoadBalancer", "CrossZone",
     "DescribeLoadBalancerAttributes"),
    ("elb", elb.collect, stub_elb, "AWS::ElasticLoadBalancing::LoadBalancer",
     "ConnectionDrainingPolicy", "DescribeLoadBalancerAttributes"),
]  # fmt: skip


@pytest.mark.parametrize(("service", "run", "stub", "type_", "key", "operation"), UNKNOWN_VALUES)
def test_denied_detail_call_is_an_unknown_value(
    service: str,
    run: Callable[[CollectContext], None],
    stub: Callable[[Stubber], None],
    type_: str,
    key: str,
    operation: str,
) -> None:
    ctx, stubber = stubbed(service)
    stub(stubber)
    with stubber:
        run(ctx)
    (resource,) = [r for r in ctx.resources if r["type"] == type_]
    assert resource["properties"][key] == {"$unknown": f"{operation}: AccessDenied"}
    assert operation in [e["operation"] for e in ctx.errors]


def test_denied_backup_policy_is_an_unknown_status() -> None:
    ctx, stubber = stubbed("efs")
    stub_efs(stubber)
    with stubber:
        efs.collect(ctx)
    (system,) = ctx.resources
    assert system["properties"]["BackupPolicy"] == {
        "Status": {"$unknown": "DescribeBackupPolicy: AccessDenied"}
    }
    assert system["properties"]["Encrypted"] is True
    assert [e["operation"] for e in ctx.errors] == ["DescribeBackupPolicy"]


def test_absent_repository_policy_is_not_an_error() -> None:
    ctx, stubber = stubbed("ecr")
    stub_ecr(stubber)
    with stubber:
        ecr.collect(ctx)
    (repository,) = ctx.resources
    assert "RepositoryPolicyText" not in repository["properties"]
    assert [e["operation"] for e in ctx.errors] == ["GetLifecyclePolicy"]


GAPS = [
    ("elbv2", elbv2.collect, stub_elbv2, "DescribeListeners",
     ["AWS::ElasticLoadBalancingV2::Listener"]),
    ("guardduty", guardduty.collect, stub_guardduty, "GetDetector", ["AWS::GuardDuty::Detector"]),
    ("secretsmanager", secretsmanager.collect, stub_secrets, "ListSecrets",
     ["AWS::SecretsManager::RotationSchedule", "AWS::SecretsManager::Secret"]),
    ("iam", iam_groups.collect, stub_groups, "GetAccountAuthorizationDetails", ["AWS::IAM::Group"]),
]  # fmt: skip


@pytest.mark.parametrize(("service", "run", "stub", "operation", "types"), GAPS)
def test_denied_listing_is_a_gap_of_its_types(
    service: str,
    run: Callable[[CollectContext], None],
    stub: Callable[[Stubber], None],
    operation: str,
    types: list[str],
) -> None:
    ctx, stubber = stubbed(service)
    stub(stubber)
    with stubber:
        run(ctx)
    errors: list[dict[str, Any]] = [e for e in ctx.errors if e["operation"] == operation]
    assert [(e["code"], e["types"]) for e in errors] == [("AccessDenied", types)]
