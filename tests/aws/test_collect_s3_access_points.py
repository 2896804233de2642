"""S3 access points against moto: collected shape and the verdict of PAC-S3-011."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}  # fmt: skip
READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/locked/object/*",
        }
    ],
}


def make_access_points(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="shared-data")
    control = aws.client("s3control")
    control.create_access_point(AccountId=ACCOUNT, Name="locked", Bucket="shared-data",
                                PublicAccessBlockConfiguration=LOCKED)  # fmt: skip
    control.put_access_point_policy(AccountId=ACCOUNT, Name="locked", Policy=json.dumps(READ))
    leaky = {**LOCKED, "RestrictPublicBuckets": False}
    control.create_access_point(AccountId=ACCOUNT, Name="leaky", Bucket="shared-data",
                                PublicAccessBlockConfiguration=leaky)  # fmt: skip


def test_access_points_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_access_points(aws)
    snapshot, done = aws.collect("--service", "s3")
    assert done.returncode == 0, snapshot["errors"]
    points = resources_of(snapshot, "AWS::S3::AccessPoint")
    locked = points["locked"]
    assert locked["id"] == f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/locked"
    assert locked["properties"]["Bucket"] == "shared-data"
    assert locked["properties"]["PublicAccessBlockConfiguration"] == LOCKED
    assert locked["properties"]["Policy"] == READ
    assert "Policy" not in points["leaky"]["properties"]
    assert audit(aws, ["s3"], ["PAC-S3-011"]) == {
        ("PAC-S3-011", "locked"): "pass",
        ("PAC-S3-011", "leaky"): "fail",
    }
