"""Several regions, several accounts (assume-role through moto STS), and usage errors."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto_fixtures import ACCOUNT, MotoAWS, reply, resources_of

from scanner.aws.runner import CollectRequest, collect

ROLE = "arn:aws:iam::{account}:role/Audit"
OTHER_ACCOUNTS = ("111111111111", "222222222222")


def session_in(account: str) -> boto3.Session:
    """A session in another moto account, through ``sts:AssumeRole``."""
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="setup")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def test_regions_are_collected_separately(aws: MotoAWS) -> None:
    for region in ("us-east-1", "eu-west-1"):
        aws.client("kms", region).create_key(Description=f"key in {region}")
    snapshot, done = aws.collect(
        "--service", "kms", "--service", "iam", "--region", "us-east-1", "--region", "eu-west-1"
    )
    assert done.returncode == 0, snapshot["errors"]
    assert snapshot["regions"] == ["eu-west-1", "us-east-1"]
    keys = resources_of(snapshot, "AWS::KMS::Key").values()
    assert sorted((k["region"], k["properties"]["Description"]) for k in keys) == [
        ("eu-west-1", "key in eu-west-1"),
        ("us-east-1", "key in us-east-1"),
    ]
    assert all(k["id"].startswith(f"arn:aws:kms:{k['region']}:") for k in keys)
    # global collectors run once per account, whatever the number of regions
    assert len(resources_of(snapshot, "Pacscan::IAM::PasswordPolicy")) == 1


def test_all_regions_asks_each_account_for_its_regions(aws: MotoAWS) -> None:
    aws.client("s3", "ap-southeast-2").create_bucket(
        Bucket="sydney-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    snapshot, done = aws.collect("--service", "s3", "--all-regions", "--workers", "16")
    assert done.returncode == 0, snapshot["errors"]
    enabled = aws.client("ec2").describe_regions()["Regions"]
    assert snapshot["regions"] == sorted(r["RegionName"] for r in enabled)
    bucket = resources_of(snapshot, "AWS::S3::Bucket")["sydney-bucket"]
    assert bucket["region"] == "ap-southeast-2"


def test_accounts_through_an_assumed_role(aws: MotoAWS) -> None:
    for account in OTHER_ACCOUNTS:
        session_in(account).client("s3").create_bucket(Bucket=f"bucket-of-{account}")
    aws.client("s3").create_bucket(Bucket="caller-bucket")
    args = ["--service", "s3", "--role-arn", ROLE]
    for account in OTHER_ACCOUNTS:
        args += ["--account", account]
    snapshot, done = aws.collect(*args)
    assert done.returncode == 0, snapshot["errors"]
    assert snapshot["accounts"] == list(OTHER_ACCOUNTS)
    buckets = resources_of(snapshot, "AWS::S3::Bucket")
    assert {n: b["account"] for n, b in buckets.items()} == {
        f"bucket-of-{a}": a for a in OTHER_ACCOUNTS
    }
    blocks = resources_of(snapshot, "Pacscan::S3::AccountPublicAccessBlock")
    assert sorted(blocks) == list(OTHER_ACCOUNTS)


def test_organization_accounts(aws: MotoAWS) -> None:
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    org.create_account(Email="dev@example.com", AccountName="dev")
    members = sorted(a["Id"] for a in org.list_accounts()["Accounts"])
    assert len(members) == 2
    snapshot, done = aws.collect("--service", "iam", "--organization", "--role-arn", ROLE)
    assert done.returncode == 0, snapshot["errors"]
    assert snapshot["accounts"] == members
    roots = resources_of(snapshot, "Pacscan::IAM::RootAccount")
    assert sorted(roots) == members


def test_a_role_that_cannot_be_assumed_loses_that_account_only(aws: MotoAWS) -> None:
    denied_account, good_account = OTHER_ACCOUNTS
    session_in(good_account).client("s3").create_bucket(Bucket="reachable-bucket")
    session = boto3.Session()

    denied = reply(
        403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        "<Message>not authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>",
    )

    def deny(request: Any, **kw: Any) -> Any:
        return denied(request, **kw) if denied_account in str(request.body) else None

    session.events.register("before-send.sts.AssumeRole", deny)
    request = CollectRequest(
        regions=("us-east-1",),
        services=("s3",),
        role_arn=ROLE,
        accounts=OTHER_ACCOUNTS,
        show_progress=False,
    )
    snapshot = collect(request, session=session)
    [error] = snapshot["errors"]
    assert (error["account"], error["service"], error["operation"], error["code"]) == (
        denied_account,
        "sts",
        "AssumeRole",
        "AccessDenied",
    )
    assert snapshot["accounts"] == [good_account]
    assert list(resources_of(snapshot, "AWS::S3::Bucket")) == ["reachable-bucket"]
    # every type the selected collectors produce is a gap of that account, in every region
    assert error["region"] == "global"
    assert error["types"] == [
        "AWS::S3::AccessPoint",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "Pacscan::S3::AccountPublicAccessBlock",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "111111111111"], "--account and --organization need --role-arn"),
        (["--service", "s3", "--service", "dynamo"], "unknown service 'dynamo' for --service"),
        (["--role-arn", ROLE, "--account", "12345"], "--account expects a 12-digit account id"),
        (
            [
                "--role-arn",
                "arn:aws:iam::111111111111:role/Audit",
                "--account",
                "111111111111",
                "--account",
                "222222222222",
            ],
            "--role-arn must contain {account}",
        ),
        (["--retry-mode", "legacy"], "Invalid value for '--retry-mode'"),
        (["--region", "eu-west-1", "--all-regions"], "use --region or --all-regions, not both"),
    ],
)
def test_usage_errors_exit_2_without_traceback(aws: MotoAWS, args: list[str], message: str) -> None:
    done = aws.pacscan("collect", "-o", "out.json", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (aws.tmp / "out.json").exists()


def test_no_region_is_a_usage_error(aws: MotoAWS) -> None:
    done = aws.pacscan("collect", env={"AWS_DEFAULT_REGION": "", "AWS_REGION": ""})
    assert done.returncode == 2
    assert "error[USAGE]: no region to collect from" in done.stderr


def test_rejected_credentials_are_a_usage_error(
    aws: MotoAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = aws.pacscan("collect", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert done.returncode == 2
    assert "cannot identify the AWS caller" in done.stderr
    assert "Traceback" not in done.stderr
    assert ACCOUNT not in done.stderr
