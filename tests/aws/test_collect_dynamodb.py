"""DynamoDB tables against moto: the collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit, name_of, policy_args

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
KEY = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
}


def make_tables(aws: MotoAWS) -> None:
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/orders"},
        Tags=[{"Key": "team", "Value": "shop"}],
        **KEY,
    )
    dynamodb.update_continuous_backups(
        TableName="orders",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    dynamodb.create_table(
        TableName="scratch",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        **KEY,
    )


def test_table_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_tables(aws)
    snapshot, done = aws.collect("--service", "dynamodb")
    assert done.returncode == 0, snapshot["errors"]
    tables = resources_of(snapshot, "AWS::DynamoDB::Table")
    orders = tables["orders"]
    assert orders["id"] == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    assert orders["tags"] == {"team": "shop"}
    props = orders["properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["DeletionProtectionEnabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["SSESpecification"]["SSEType"] == "KMS"
    assert props["Tags"] == [{"Key": "team", "Value": "shop"}]
    scratch = tables["scratch"]["properties"]
    assert scratch["BillingMode"] == "PROVISIONED"
    assert scratch["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert scratch["DeletionProtectionEnabled"] is False
    assert scratch["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": False}
    assert scratch["SSESpecification"] == {"SSEEnabled": False}


def test_table_verdicts(aws: MotoAWS) -> None:
    make_tables(aws)
    policies = ["PAC-DYNAMODB-001", "PAC-DYNAMODB-002", "PAC-DYNAMODB-003"]
    assert audit(aws, ["dynamodb"], policies) == {
        ("PAC-DYNAMODB-001", "orders"): "pass",
        ("PAC-DYNAMODB-001", "scratch"): "fail",
        ("PAC-DYNAMODB-002", "orders"): "pass",
        ("PAC-DYNAMODB-002", "scratch"): "fail",
        ("PAC-DYNAMODB-003", "orders"): "pass",
        ("PAC-DYNAMODB-003", "scratch"): "fail",
    }


def test_unreachable_service_is_a_gap_of_tables(aws: MotoAWS) -> None:
    make_tables(aws)
    denied = {"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9"}  # no server
    snapshot, done = aws.collect("--service", "dynamodb", env=denied)
    assert done.returncode == 3
    assert snapshot["errors"][0]["operation"] == "ListTables"
    assert snapshot["errors"][0]["types"] == ["AWS::DynamoDB::Table"]


def make_scaled_tables(aws: MotoAWS) -> None:
    """``scaled``: provisioned, with read and write auto scaling; ``fixed``: provisioned,
    without; ``indexed``: provisioned, auto scaling on an index only (what a template's
    ``table/${Table}/index/x`` target counts as too)."""
    dynamodb = aws.client("dynamodb")
    for name in ("scaled", "fixed", "indexed"):
        dynamodb.create_table(
            TableName=name,
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            **KEY,
        )
    scaling = aws.client("application-autoscaling")
    targets = [("table/scaled", "dynamodb:table:ReadCapacityUnits"),
               ("table/scaled", "dynamodb:table:WriteCapacityUnits"),
               ("table/indexed/index/by-date", "dynamodb:index:ReadCapacityUnits")]  # fmt: skip
    for resource_id, dimension in targets:
        scaling.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=resource_id,
            ScalableDimension=dimension,
            MinCapacity=5,
            MaxCapacity=100,
        )


def test_scalable_targets_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_scaled_tables(aws)
    snapshot, done = aws.collect("--service", "dynamodb")
    assert done.returncode == 0, snapshot["errors"]
    targets = [r for r in snapshot["resources"] if r["type"] == SCALABLE_TARGET]
    assert sorted((t["name"], t["properties"]["ScalableDimension"]) for t in targets) == [
        ("table/indexed/index/by-date", "dynamodb:index:ReadCapacityUnits"),
        ("table/scaled", "dynamodb:table:ReadCapacityUnits"),
        ("table/scaled", "dynamodb:table:WriteCapacityUnits"),
    ]
    read_dimension = "dynamodb:table:ReadCapacityUnits"
    [read] = [t for t in targets if t["properties"]["ScalableDimension"] == read_dimension]
    assert read["id"].startswith(
        f"arn:aws:application-autoscaling:us-east-1:{ACCOUNT}:scalable-target/"
    )  # the ScalableTargetARN AWS gives
    assert read["properties"] == {
        "ServiceNamespace": "dynamodb",
        "ResourceId": "table/scaled",
        "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
        "MinCapacity": 5,
        "MaxCapacity": 100,
        "ResourceArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/scaled",
    }


def test_auto_scaling_makes_a_provisioned_table_pass(aws: MotoAWS) -> None:
    make_scaled_tables(aws)
    assert audit(aws, ["dynamodb"], ["PAC-DYNAMODB-003"]) == {
        ("PAC-DYNAMODB-003", "scaled"): "pass",
        ("PAC-DYNAMODB-003", "indexed"): "pass",
        ("PAC-DYNAMODB-003", "fixed"): "fail",
    }


def test_unreadable_scalable_targets_make_provisioned_tables_unknown(aws: MotoAWS) -> None:
    make_tables(aws)
    make_scaled_tables(aws)
    dead = {"AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": "http://127.0.0.1:9"}
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--format", "json", "--service", "dynamodb",
        "--max-attempts", "1", *policy_args(["PAC-DYNAMODB-003"]), env=dead,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    verdicts = {
        name_of(f["resource"]["id"]): f["status"]
        for f in report["findings"]
        if f["resource"]["type"] == "AWS::DynamoDB::Table"
    }
    assert verdicts == {"scaled": "unknown", "fixed": "unknown", "indexed": "unknown",
                        "scratch": "unknown"}  # fmt: skip
    [error] = report["errors"]
    assert "application-autoscaling:DescribeScalableTargets failed" in error["message"]
