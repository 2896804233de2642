"""S3 buckets, bucket policies and the account public access block, against moto."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of

DENY_HTTP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::locked-bucket", "arn:aws:s3:::locked-bucket/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}
PAB_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def make_locked_bucket(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
    s3.put_bucket_encryption(
        Bucket="locked-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/data",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="locked-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket="locked-bucket", PublicAccessBlockConfiguration=PAB_ON)
    s3.create_bucket(Bucket="access-logs-bucket", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket="locked-bucket",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs-bucket", "TargetPrefix": "locked/"}
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket="locked-bucket",
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket="locked-bucket",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "archive",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "logs/"},
                    "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
                    "Expiration": {"Days": 365},
                }
            ]
        },
    )
    s3.put_bucket_policy(Bucket="locked-bucket", Policy=json.dumps(DENY_HTTP))
    s3.put_bucket_tagging(
        Bucket="locked-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "data"}]}
    )


def test_bucket_settings_map_to_cloudformation_properties(aws: MotoAWS) -> None:
    make_locked_bucket(aws)
    snapshot, _ = aws.collect("--service", "s3")
    bucket = resources_of(snapshot, "AWS::S3::Bucket")["locked-bucket"]
    assert bucket["id"] == "arn:aws:s3:::locked-bucket"
    assert (bucket["account"], bucket["region"]) == (ACCOUNT, "us-east-1")
    assert bucket["tags"] == {"team": "data"}
    assert bucket["properties"] == {
        "BucketName": "locked-bucket",
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/data",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": PAB_ON,
        "LoggingConfiguration": {
            "DestinationBucketName": "access-logs-bucket",
            "LogFilePrefix": "locked/",
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"},
        "AccessControl": "Private",
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "archive",
                    "Status": "Enabled",
                    "Prefix": "logs/",
                    "ExpirationInDays": 365,
                    "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
                }
            ]
        },
        "Tags": [{"Key": "team", "Value": "data"}],
    }


def test_bare_bucket_has_only_what_is_configured(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="bare-bucket")
    snapshot, done = aws.collect("--service", "s3")
    assert done.returncode == 0, snapshot["errors"]
    bucket = resources_of(snapshot, "AWS::S3::Bucket")["bare-bucket"]
    assert bucket["properties"] == {
        "BucketName": "bare-bucket",
        "ObjectLockEnabled": False,
        "AccessControl": "Private",
    }
    assert resources_of(snapshot, "AWS::S3::BucketPolicy") == {}


def test_bucket_policy_names_its_bucket(aws: MotoAWS) -> None:
    make_locked_bucket(aws)
    snapshot, _ = aws.collect("--service", "s3")
    policy = resources_of(snapshot, "AWS::S3::BucketPolicy")["locked-bucket"]
    assert policy["id"] == "arn:aws:s3:::locked-bucket#policy"
    assert policy["properties"] == {"Bucket": "locked-bucket", "PolicyDocument": DENY_HTTP}


def test_public_acls_become_canned_acl_names(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="read-bucket", ACL="public-read")
    s3.create_bucket(Bucket="auth-bucket", ACL="authenticated-read")
    # moto's canned public-read-write grants READ only, so grant WRITE explicitly
    s3.create_bucket(Bucket="write-bucket")
    everyone = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
    s3.put_bucket_acl(Bucket="write-bucket", GrantRead=everyone, GrantWrite=everyone)
    snapshot, _ = aws.collect("--service", "s3")
    buckets = resources_of(snapshot, "AWS::S3::Bucket")
    assert {n: b["properties"]["AccessControl"] for n, b in buckets.items()} == {
        "read-bucket": "PublicRead",
        "write-bucket": "PublicReadWrite",
        "auth-bucket": "AuthenticatedRead",
    }


def test_buckets_are_collected_in_their_own_region(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="east-bucket")
    aws.client("s3", "eu-west-1").create_bucket(
        Bucket="west-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    snapshot, _ = aws.collect("--service", "s3", "--region", "eu-west-1")
    assert list(resources_of(snapshot, "AWS::S3::Bucket")) == ["west-bucket"]
    assert resources_of(snapshot, "AWS::S3::Bucket")["west-bucket"]["region"] == "eu-west-1"


def test_account_public_access_block(aws: MotoAWS) -> None:
    snapshot, _ = aws.collect("--service", "s3")
    unset = resources_of(snapshot, "Pacscan::S3::AccountPublicAccessBlock")[ACCOUNT]
    assert unset["properties"] == {}
    aws.client("s3control").put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=PAB_ON
    )
    snapshot, _ = aws.collect("--service", "s3")
    block = resources_of(snapshot, "Pacscan::S3::AccountPublicAccessBlock")[ACCOUNT]
    assert block["id"] == f"arn:aws:s3::{ACCOUNT}:account-public-access-block"
    assert block["region"] == "global"
    assert block["properties"] == PAB_ON
