"""DynamoDB tables against moto: the collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

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
