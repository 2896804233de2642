"""Same policy, same verdict: a template resource and the equivalent live resource agree.

One CloudFormation template and one moto account hold the same resources, built the same
way; both go through the scan pipeline together with the built-in policies, and every
(policy, template resource, live resource) pair must get the expected status on both
sides.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto_fixtures import FAKE_ENV
from test_audit import builtin_policy_files

from scanner.aws.runner import CollectRequest, collect
from scanner.aws.snapshot import write_snapshot
from scanner.pipeline import ScanRequest, compile_policies, run_scan

# (policy, template logical id, live resource name, expected status)
PAIRS = [
    ("PAC-S3-009", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-009", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-001", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-001", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-002", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-002", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-006", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-006", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-EC2-001", "SshGroup", "ssh", "fail"),
    ("PAC-EC2-001", "WebGroup", "web", "pass"),
    ("PAC-EC2-007", "SealedVolume", "sealed", "pass"),
    ("PAC-EC2-007", "OpenVolume", "open", "fail"),
    ("PAC-KMS-001", "RotatedKey", "rotated", "pass"),
    ("PAC-KMS-001", "StaleKey", "stale", "fail"),
    ("PAC-CLOUDTRAIL-003", "CheckedTrail", "checked", "pass"),
    ("PAC-CLOUDTRAIL-003", "UncheckedTrail", "unchecked", "fail"),
    ("PAC-RDS-001", "SealedDb", "sealed-db", "pass"),
    ("PAC-RDS-001", "OpenDb", "open-db", "fail"),
    ("PAC-IAM-010", "OpenRole", "open-role", "fail"),
    ("PAC-IAM-010", "ServiceRole", "service-role", "pass"),
]
POLICIES = sorted({p for p, *_ in PAIRS})

PAB_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
KMS_RULES = [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
OPEN_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}
SERVICE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def deny_http(bucket_arn: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": bucket_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def template() -> dict[str, Any]:
    def res(type_: str, **props: Any) -> dict[str, Any]:
        return {"Type": type_, "Properties": props}

    def ingress(port: int) -> list[dict[str, Any]]:
        return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0"}]

    db = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "AllocatedStorage": "20"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "VersionedBucket": res(
                "AWS::S3::Bucket",
                VersioningConfiguration={"Status": "Enabled"},
                BucketEncryption={"ServerSideEncryptionConfiguration": KMS_RULES},
                PublicAccessBlockConfiguration=PAB_ON,
            ),
            "VersionedBucketPolicy": res(
                "AWS::S3::BucketPolicy",
                Bucket={"Ref": "VersionedBucket"},
                PolicyDocument=deny_http({"Fn::GetAtt": ["VersionedBucket", "Arn"]}),
            ),
            "PlainBucket": res(
                "AWS::S3::Bucket",
                PublicAccessBlockConfiguration={**PAB_ON, "BlockPublicPolicy": False},
            ),
            "SshGroup": res("AWS::EC2::SecurityGroup", GroupDescription="ssh",
                            SecurityGroupIngress=ingress(22)),
            "WebGroup": res("AWS::EC2::SecurityGroup", GroupDescription="web",
                            SecurityGroupIngress=ingress(443)),
            "SealedVolume": res("AWS::EC2::Volume", AvailabilityZone="us-east-1a", Size=10,
                                Encrypted=True),
            "OpenVolume": res("AWS::EC2::Volume", AvailabilityZone="us-east-1a", Size=10),
            "RotatedKey": res("AWS::KMS::Key", EnableKeyRotation=True),
            "StaleKey": res("AWS::KMS::Key"),
            "CheckedTrail": res("AWS::CloudTrail::Trail", IsLogging=True, S3BucketName="trail-logs",
                                EnableLogFileValidation=True),
            "UncheckedTrail": res("AWS::CloudTrail::Trail", IsLogging=True,
                                  S3BucketName="trail-logs"),
            "SealedDb": res("AWS::RDS::DBInstance", StorageEncrypted=True, **db),
            "OpenDb": res("AWS::RDS::DBInstance", **db),
            "OpenRole": res("AWS::IAM::Role", AssumeRolePolicyDocument=OPEN_TRUST),
            "ServiceRole": res("AWS::IAM::Role", AssumeRolePolicyDocument=SERVICE_TRUST),
        },
    }  # fmt: skip


def build_live_account() -> None:
    """The template's resources, made in moto with the APIs a console user would call."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(
        Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    s3.put_bucket_encryption(
        Bucket="versioned-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_public_access_block(Bucket="versioned-bucket", PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_policy(
        Bucket="versioned-bucket", Policy=json.dumps(deny_http("arn:aws:s3:::versioned-bucket"))
    )
    s3.create_bucket(Bucket="plain-bucket")
    s3.put_public_access_block(
        Bucket="plain-bucket",
        PublicAccessBlockConfiguration={**PAB_ON, "BlockPublicPolicy": False},
    )
    s3.create_bucket(Bucket="trail-logs")
    ec2 = boto3.client("ec2")
    for name, port in (("ssh", 22), ("web", 443)):
        group = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp="0.0.0.0/0"
        )
    for name, encrypted in (("sealed", True), ("open", False)):
        ec2.create_volume(
            AvailabilityZone="us-east-1a",
            Size=10,
            Encrypted=encrypted,
            TagSpecifications=[
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )
    kms = boto3.client("kms")
    for name in ("rotated", "stale"):
        key = kms.create_key(Description=name)["KeyMetadata"]["KeyId"]
        if name == "rotated":
            kms.enable_key_rotation(KeyId=key)
    trails = boto3.client("cloudtrail")
    for name, checked in (("checked", True), ("unchecked", False)):
        trails.create_trail(Name=name, S3BucketName="trail-logs", EnableLogFileValidation=checked)
        trails.start_logging(Name=name)
    rds = boto3.client("rds")
    for name, encrypted in (("sealed-db", True), ("open-db", False)):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="dbadmin",
            MasterUserPassword="correct-horse-battery",
            AllocatedStorage=20,
            StorageEncrypted=encrypted,
        )
    iam = boto3.client("iam")
    iam.create_role(RoleName="open-role", AssumeRolePolicyDocument=json.dumps(OPEN_TRUST))
    iam.create_role(RoleName="service-role", AssumeRolePolicyDocument=json.dumps(SERVICE_TRUST))


def live_name(resource: Any) -> str:
    """Volumes and keys are known by the Name tag or description given above."""
    meta = resource.metadata
    if resource.type == "AWS::EC2::Volume":
        return str(meta["tags"].get("Name"))
    if resource.type == "AWS::KMS::Key":
        return str(resource.properties.get("Description"))
    if resource.type == "AWS::EC2::SecurityGroup":
        return str(resource.properties.get("GroupName"))
    return str(meta["name"])


@pytest.fixture(scope="module")
def verdicts(
    moto_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[Any, str]]:
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=30).read()
    work = tmp_path_factory.mktemp("same-verdict")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**FAKE_ENV, "AWS_ENDPOINT_URL": moto_server}.items():
            patch.setenv(key, value)
        build_live_account()
        request = CollectRequest(regions=("us-east-1",), show_progress=False)
        snapshot = collect(request)
    assert snapshot["errors"] == []
    write_snapshot(snapshot, str(work / "snapshot.json"))
    (work / "template.json").write_text(json.dumps(template()))
    policies = compile_policies(builtin_policy_files(POLICIES), {}, frozenset(POLICIES))
    assert policies.diagnostics == ()
    result = run_scan(ScanRequest(paths=(str(work),), root=str(work)), policies)
    assert result.errors == ()
    found: dict[Any, str] = {}
    for finding in result.findings:
        live = finding.resource.metadata.get("arn") is not None
        name = live_name(finding.resource) if live else finding.resource.id
        found[(finding.policy.id, "live" if live else "template", name)] = finding.status.value
    yield found


@pytest.mark.parametrize(("policy", "template_id", "live", "expected"), PAIRS)
def test_template_and_live_resource_get_the_same_status(
    verdicts: dict[Any, str], policy: str, template_id: str, live: str, expected: str
) -> None:
    assert verdicts[(policy, "template", template_id)] == expected
    assert verdicts[(policy, "live", live)] == expected
