"""KMS keys, CloudTrail trails, RDS instances and Lambda functions, against moto."""

from __future__ import annotations

import io
import json
import zipfile

from moto_fixtures import ACCOUNT, MotoAWS, resources_of

TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_customer_keys_with_rotation_and_policy(aws: MotoAWS) -> None:
    kms = aws.client("kms")
    rotated = kms.create_key(Description="rotated", Tags=[{"TagKey": "env", "TagValue": "prod"}])
    rotated_id = rotated["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated_id)
    plain_id = kms.create_key(Description="plain")["KeyMetadata"]["KeyId"]
    kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256", Description="signing")
    doomed = kms.create_key(Description="doomed")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    snapshot, done = aws.collect("--service", "kms")
    assert done.returncode == 0, snapshot["errors"]
    keys = resources_of(snapshot, "AWS::KMS::Key")
    by_description = {k["properties"]["Description"]: k for k in keys.values()}
    assert sorted(by_description) == ["plain", "rotated", "signing"]
    key = keys[rotated_id]
    assert key["id"] == rotated["KeyMetadata"]["Arn"]
    assert key["properties"]["EnableKeyRotation"] is True
    assert key["properties"]["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert key["properties"]["KeyPolicy"]["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{ACCOUNT}:root"
    }
    assert keys[plain_id]["properties"]["EnableKeyRotation"] is False
    assert "EnableKeyRotation" not in by_description["signing"]["properties"]


def test_trail_status_and_settings(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    trail = aws.client("cloudtrail")
    arn = trail.create_trail(
        Name="org",
        S3BucketName="trail-bucket",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc",
        TagsList=[{"Key": "owner", "Value": "sec"}],
    )["TrailARN"]
    trail.start_logging(Name="org")
    trail.create_trail(Name="quiet", S3BucketName="trail-bucket")
    snapshot, done = aws.collect("--service", "cloudtrail")
    assert done.returncode == 0, snapshot["errors"]
    trails = resources_of(snapshot, "AWS::CloudTrail::Trail")
    assert trails["org"]["id"] == arn
    props = trails["org"]["properties"]
    props.pop("EventSelectors", None)
    assert props == {
        "TrailName": "org",
        "S3BucketName": "trail-bucket",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "EnableLogFileValidation": True,
        "KMSKeyId": "arn:aws:kms:us-east-1:123456789012:key/abc",
        "IsOrganizationTrail": False,
        "IsLogging": True,
        "Tags": [{"Key": "owner", "Value": "sec"}],
    }
    quiet = trails["quiet"]["properties"]
    assert (quiet["IsLogging"], quiet["IsMultiRegionTrail"]) == (False, False)
    assert quiet["EnableLogFileValidation"] is False


def test_database_instance_settings(aws: MotoAWS) -> None:
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="correct-horse-battery",
        AllocatedStorage=20,
        StorageEncrypted=True,
        PubliclyAccessible=True,
        BackupRetentionPeriod=7,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        Tags=[{"Key": "app", "Value": "orders"}],
    )
    snapshot, done = aws.collect("--service", "rds")
    assert done.returncode == 0, snapshot["errors"]
    db = resources_of(snapshot, "AWS::RDS::DBInstance")["orders"]
    assert db["id"] == f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"
    props = db["properties"]
    assert {
        k: props[k]
        for k in (
            "Engine",
            "StorageEncrypted",
            "PubliclyAccessible",
            "BackupRetentionPeriod",
            "DeletionProtection",
            "EnableIAMDatabaseAuthentication",
            "AllocatedStorage",
            "Tags",
        )
    } == {
        "Engine": "postgres",
        "StorageEncrypted": True,
        "PubliclyAccessible": True,
        "BackupRetentionPeriod": 7,
        "DeletionProtection": True,
        "EnableIAMDatabaseAuthentication": True,
        "AllocatedStorage": 20,
        "Tags": [{"Key": "app", "Value": "orders"}],
    }
    assert all(g.startswith("sg-") for g in props["VPCSecurityGroups"])


def deployment_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


def test_function_settings_tags_and_permissions(aws: MotoAWS) -> None:
    role = aws.client("iam").create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA)
    )["Role"]["Arn"]
    functions = aws.client("lambda")
    functions.create_function(
        FunctionName="resize",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": deployment_package()},
        Environment={"Variables": {"API_TOKEN": "s3cr3t-value"}},
        TracingConfig={"Mode": "Active"},
        Tags={"team": "media"},
    )
    functions.add_permission(
        FunctionName="resize",
        StatementId="from-s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount=ACCOUNT,
    )
    functions.add_permission(
        FunctionName="resize", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*"
    )
    snapshot, done = aws.collect("--service", "lambda", "-o", "snapshot.json")
    assert done.returncode == 0, snapshot["errors"]
    fn = resources_of(snapshot, "AWS::Lambda::Function")["resize"]
    assert fn["properties"]["Role"] == role
    assert fn["properties"]["TracingConfig"] == {"Mode": "Active"}
    assert fn["properties"]["Tags"] == [{"Key": "team", "Value": "media"}]
    assert list(fn["properties"]["Environment"]["Variables"]) == ["API_TOKEN"]
    assert "s3cr3t-value" not in (aws.tmp / "snapshot.json").read_text()
    permissions = resources_of(snapshot, "AWS::Lambda::Permission")
    assert permissions["from-s3"]["properties"] == {
        "FunctionName": "resize",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        "SourceArn": "arn:aws:s3:::uploads",
        "SourceAccount": ACCOUNT,
    }
    assert permissions["anyone"]["properties"]["Principal"] == "*"
