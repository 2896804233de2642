"""``pacscan audit`` end to end: moto resources in, exact findings of built-in policies out.

Every test makes compliant and non-compliant resources with boto3, runs the installed
``pacscan audit`` with a chosen set of built-in policies, and compares every verdict
(passes included) with the expected one, keyed by (policy id, resource name).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS
from test_collect_services import TRUST_LAMBDA, deployment_package

from scanner.lang.sources import builtin_policy_dir
from scanner.outcome import combine

Verdicts = dict[tuple[str, str], str]

PAB_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def builtin_policy_files(ids: list[str]) -> list[str]:
    """The built-in policy files that define ``ids`` (compiling only those is quicker)."""
    found: dict[str, str] = {}
    for path in sorted(Path(str(builtin_policy_dir())).rglob("*.policy")):
        for policy_id in re.findall(r'^\s*id\s*=\s*"([^"]+)"', path.read_text(), re.M):
            found[policy_id] = str(path)
    return sorted({found[i] for i in ids})


def policy_args(ids: list[str]) -> list[str]:
    args: list[str] = []
    for path in builtin_policy_files(ids):
        args += ["--policies", path]
    for policy in ids:
        args += ["--policy", policy]
    return args


def audit(aws: MotoAWS, services: list[str], policies: list[str], *extra: str) -> Verdicts:
    args = ["audit", "--quiet", "--no-config", "--format", "json", "--include-passed"]
    for service in services:
        args += ["--service", service]
    args += policy_args(policies)
    done = aws.pacscan(*args, *extra)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    verdicts: Verdicts = {}
    for finding in report["findings"]:
        if finding["status"] == "skip":
            continue
        key = (finding["policy_id"], name_of(finding["resource"]["id"]))
        verdicts[key] = finding["status"]
    assert done.returncode == (1 if "fail" in verdicts.values() else 0)
    return verdicts


def name_of(arn: str) -> str:
    """The last part of an ARN: a bucket name, ``sg-…``, ``role/x`` → ``x``."""
    tail = arn.rsplit(":", 1)[-1]
    return tail.rsplit("/", 1)[-1]


def test_s3_buckets_and_account_block(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="good-bucket")
    s3.put_bucket_encryption(
        Bucket="good-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_public_access_block(Bucket="good-bucket", PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_versioning(Bucket="good-bucket", VersioningConfiguration={"Status": "Enabled"})
    deny_http = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::good-bucket", "arn:aws:s3:::good-bucket/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket="good-bucket", Policy=json.dumps(deny_http))
    s3.create_bucket(Bucket="bad-bucket", ACL="public-read")
    aws.client("s3control").put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=PAB_ON
    )
    policies = ["PAC-S3-001", "PAC-S3-002", "PAC-S3-003", "PAC-S3-006", "PAC-S3-009", "PAC-S3-013"]
    assert audit(aws, ["s3"], policies) == {
        ("PAC-S3-001", "good-bucket"): "pass",
        ("PAC-S3-001", "bad-bucket"): "fail",
        ("PAC-S3-002", "good-bucket"): "pass",
        ("PAC-S3-002", "bad-bucket"): "fail",
        ("PAC-S3-003", "good-bucket"): "pass",
        ("PAC-S3-003", "bad-bucket"): "fail",
        ("PAC-S3-006", "good-bucket"): "pass",
        ("PAC-S3-006", "bad-bucket"): "fail",
        ("PAC-S3-009", "good-bucket"): "pass",
        ("PAC-S3-009", "bad-bucket"): "fail",
        ("PAC-S3-013", "account-public-access-block"): "pass",
    }


def test_ec2_groups_instances_volumes_and_flow_logs(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ssh = ec2.create_security_group(GroupName="ssh", Description="ssh", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=ssh,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            }
        ],
    )
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web, IpProtocol="tcp", FromPort=443, ToPort=443, CidrIp="0.0.0.0/0"
    )
    aws.client("s3").create_bucket(Bucket="flow-logs")
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )
    strict = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        MetadataOptions={"HttpTokens": "required"},
    )["Instances"][0]["InstanceId"]
    loose = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": True}
        ],
    )["Instances"][0]["InstanceId"]
    sealed = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True)["VolumeId"]
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    default_vpc_id = default_vpc["Vpcs"][0]["VpcId"]
    volumes = {
        v["VolumeId"]: v["Encrypted"] for v in ec2.describe_volumes()["Volumes"] if v["VolumeId"]
    }
    policies = ["PAC-EC2-021", "PAC-EC2-006", "PAC-EC2-007", "PAC-EC2-009", "PAC-EC2-010",
                "PAC-EC2-019"]  # fmt: skip
    groups = [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]]
    expected = {("PAC-EC2-021", g): "pass" for g in groups} | {("PAC-EC2-021", ssh): "fail"}
    expected |= {("PAC-EC2-007", v): "pass" if enc else "fail" for v, enc in volumes.items()}
    expected |= {
        ("PAC-EC2-006", vpc): "pass",
        ("PAC-EC2-006", default_vpc_id): "fail",
        ("PAC-EC2-007", sealed): "pass",
        ("PAC-EC2-009", "ebs-encryption-by-default"): "fail",
        ("PAC-EC2-010", strict): "pass",
        ("PAC-EC2-010", loose): "fail",
        ("PAC-EC2-019", strict): "pass",
        ("PAC-EC2-019", loose): "fail",
    }
    assert audit(aws, ["ec2"], policies) == expected


def test_iam_identities_and_account_settings(aws: MotoAWS) -> None:
    iam = aws.client("iam")
    admin = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    iam.create_policy(PolicyName="admin-policy", PolicyDocument=json.dumps(admin))
    iam.create_policy(PolicyName="read-policy", PolicyDocument=json.dumps(read))
    anyone = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="open-role", AssumeRolePolicyDocument=json.dumps(anyone))
    iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    iam.create_user(UserName="console-user")
    iam.create_login_profile(UserName="console-user", Password="Pa55word!Pa55word")
    iam.create_user(UserName="mfa-user")
    iam.create_login_profile(UserName="mfa-user", Password="Pa55word!Pa55word")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-user")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="mfa-user",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.create_user(UserName="two-keys")
    iam.create_access_key(UserName="two-keys")
    iam.create_access_key(UserName="two-keys")
    iam.update_account_password_policy(MinimumPasswordLength=14)
    policies = ["PAC-IAM-001", "PAC-IAM-004", "PAC-IAM-007", "PAC-IAM-008", "PAC-IAM-009",
                "PAC-IAM-010", "PAC-IAM-014", "PAC-IAM-015"]  # fmt: skip
    assert audit(aws, ["iam"], policies) == {
        ("PAC-IAM-001", "admin-policy"): "fail",
        ("PAC-IAM-001", "read-policy"): "pass",
        ("PAC-IAM-001", "open-role"): "pass",
        ("PAC-IAM-001", "fn-role"): "pass",
        ("PAC-IAM-001", "console-user"): "pass",
        ("PAC-IAM-001", "mfa-user"): "pass",
        ("PAC-IAM-001", "two-keys"): "pass",
        ("PAC-IAM-004", "account-password-policy"): "pass",
        # no MaxPasswordAge given: moto answers 0, passwords never expire
        ("PAC-IAM-007", "account-password-policy"): "fail",
        ("PAC-IAM-008", "root"): "fail",
        ("PAC-IAM-009", "root"): "pass",
        ("PAC-IAM-010", "open-role"): "fail",
        ("PAC-IAM-010", "fn-role"): "pass",
        ("PAC-IAM-014", "console-user"): "fail",
        ("PAC-IAM-014", "mfa-user"): "pass",
        ("PAC-IAM-015", "console-user"): "pass",
        ("PAC-IAM-015", "mfa-user"): "pass",
        ("PAC-IAM-015", "two-keys"): "fail",
    }


def test_kms_cloudtrail_rds_and_lambda(aws: MotoAWS) -> None:
    kms = aws.client("kms")
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    stale = kms.create_key(Description="stale")["KeyMetadata"]["KeyId"]
    public_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
        ],
    }
    kms.put_key_policy(KeyId=stale, PolicyName="default", Policy=json.dumps(public_policy))
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    trails = aws.client("cloudtrail")
    trails.create_trail(
        Name="everywhere",
        S3BucketName="trail-bucket",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=rotated,
    )
    trails.start_logging(Name="everywhere")
    trails.create_trail(Name="local", S3BucketName="trail-bucket")
    rds = aws.client("rds")
    for name, encrypted in (("sealed-db", True), ("open-db", False)):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="dbadmin",
            MasterUserPassword="correct-horse-battery",
            AllocatedStorage=20,
            StorageEncrypted=encrypted,
            PubliclyAccessible=not encrypted,
        )
    role = aws.client("iam").create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA)
    )["Role"]["Arn"]
    functions = aws.client("lambda")
    for name, runtime in (("current-fn", "python3.12"), ("legacy-fn", "python3.7")):
        functions.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": deployment_package()},
        )
    functions.add_permission(
        FunctionName="legacy-fn",
        StatementId="anyone",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    functions.add_permission(
        FunctionName="current-fn",
        StatementId="bucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount="123456789012",  # a bucket ARN names no account (Lambda.1)
    )
    policies = ["PAC-KMS-001", "PAC-KMS-002", "PAC-CLOUDTRAIL-001", "PAC-CLOUDTRAIL-002",
                "PAC-CLOUDTRAIL-003", "PAC-RDS-001", "PAC-RDS-002", "PAC-LAMBDA-001",
                "PAC-LAMBDA-002"]  # fmt: skip
    services = ["kms", "cloudtrail", "rds", "lambda"]
    assert audit(aws, services, policies) == {
        ("PAC-KMS-001", rotated): "pass",
        ("PAC-KMS-001", stale): "fail",
        ("PAC-KMS-002", rotated): "pass",
        ("PAC-KMS-002", stale): "fail",
        ("PAC-CLOUDTRAIL-001", "everywhere"): "pass",
        ("PAC-CLOUDTRAIL-001", "local"): "fail",
        ("PAC-CLOUDTRAIL-002", "everywhere"): "pass",
        ("PAC-CLOUDTRAIL-002", "local"): "fail",
        ("PAC-CLOUDTRAIL-003", "everywhere"): "pass",
        ("PAC-CLOUDTRAIL-003", "local"): "fail",
        ("PAC-RDS-001", "sealed-db"): "pass",
        ("PAC-RDS-001", "open-db"): "fail",
        ("PAC-RDS-002", "sealed-db"): "pass",
        ("PAC-RDS-002", "open-db"): "fail",
        ("PAC-LAMBDA-001", "anyone"): "fail",
        ("PAC-LAMBDA-001", "bucket"): "pass",
        ("PAC-LAMBDA-002", "current-fn"): "pass",
        ("PAC-LAMBDA-002", "legacy-fn"): "fail",
    }


ACCESS_DENIED = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"


def deny_bucket_policy_reads(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
    return (403, ACCESS_DENIED) if method == "GET" and path.endswith("?policy") else None


def test_denied_call_makes_unknown_not_fail_and_exit_3(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="guarded-bucket")
    with FaultProxy(aws.url, deny_bucket_policy_reads) as proxy:
        done = aws.pacscan(
            "audit", "--quiet", "--no-config", "--format", "json", "--service", "s3",
            *policy_args(["PAC-S3-006", "PAC-S3-009"]), "--snapshot-dir", "snaps",
            "--fail-on", "high", env={"AWS_ENDPOINT_URL_S3": proxy.url},
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    verdicts = {(f["policy_id"], f["status"]) for f in report["findings"]}
    assert verdicts == {("PAC-S3-006", "unknown"), ("PAC-S3-009", "fail")}
    [error] = report["errors"]
    assert error["code"] == "AWS-ACCESSDENIED"
    assert error["file"] == f"snaps/snapshot-{ACCOUNT}.json.gz"
    assert error["message"].startswith("s3:GetBucketPolicy failed in account 123456789012")
    assert (aws.tmp / "snaps" / f"snapshot-{ACCOUNT}.json.gz").exists()


def test_accounts_are_reported_separately_with_their_category(aws: MotoAWS) -> None:
    args = ["--service", "iam", *policy_args(["PAC-IAM-008"]), "--format", "sarif",
            "--role-arn", "arn:aws:iam::{account}:role/Audit"]  # fmt: skip
    for account in ("111111111111", "222222222222"):
        args += ["--account", account]
    refused = aws.pacscan("audit", "--quiet", "--no-config", *args)
    assert refused.returncode == 2
    assert "need -o with {account}" in refused.stderr
    done = aws.pacscan("audit", "--quiet", "--no-config", *args, "-o", "report-{account}.sarif")
    assert done.returncode == 1, done.stderr
    for account in ("111111111111", "222222222222"):
        sarif = json.loads((aws.tmp / f"report-{account}.sarif").read_text())
        [run] = sarif["runs"]
        assert run["automationDetails"]["id"] == f"pacscan/aws/{account}/"
        [result] = run["results"]
        assert result["ruleId"] == "PAC-IAM-008"
        [location] = result["locations"][0]["logicalLocations"]
        assert location["fullyQualifiedName"] == f"arn:aws:iam::{account}:root"


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([0, 0], 0), ([0, 3], 3), ([3, 1], 4), ([1, 0], 1), ([], 0)],
)
def test_findings_and_errors_across_accounts_give_4(codes: list[int], expected: int) -> None:
    assert combine(codes) == expected


def test_the_config_file_sets_fail_on_and_format_and_the_command_line_wins(aws: MotoAWS) -> None:
    """PAC-S3-009 (low) fails on a bare bucket: the config's fail_on decides the exit code."""
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    (aws.tmp / ".pacscan.yaml").write_text(
        "version: 1\nreport: {format: json, fail_on: high}\n", encoding="utf-8"
    )
    args = ["audit", "--quiet", "--service", "s3", *policy_args(["PAC-S3-009"])]
    found_upward = aws.pacscan(*args)
    assert found_upward.returncode == 0, found_upward.stderr
    [finding] = json.loads(found_upward.stdout)["findings"]  # the config's format
    assert (finding["policy_id"], finding["status"]) == ("PAC-S3-009", "fail")
    assert aws.pacscan(*args, "--fail-on", "low").returncode == 1
    assert aws.pacscan(*args, "--no-config").returncode == 1  # the default, low
    named = aws.pacscan(*args, "--config", str(aws.tmp / ".pacscan.yaml"))
    assert named.returncode == 0, named.stderr
