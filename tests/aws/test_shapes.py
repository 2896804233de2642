"""The pure mappings from API answers to CloudFormation shapes."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from scanner.aws.context import Answer, fill, plain
from scanner.aws.iam_account import root_report_fields
from scanner.aws.lambda_functions import function_properties, permission_properties
from scanner.aws.progress import Progress
from scanner.aws.s3 import ALL_USERS, canned_acl
from scanner.aws.session import keep_literal_host
from scanner.aws.shapes import policy_document
from scanner.aws.vpc import flatten_permissions

OWNER = {"ID": "owner-id"}


def grant(permission: str, **grantee: str) -> dict[str, object]:
    return {"Grantee": grantee, "Permission": permission}


@pytest.mark.parametrize(
    ("grants", "expected"),
    [
        ([grant("FULL_CONTROL", ID="owner-id")], "Private"),
        ([grant("FULL_CONTROL", URI=ALL_USERS)], "PublicReadWrite"),
        ([grant("READ", URI=ALL_USERS)], "PublicRead"),
        ([grant("FULL_CONTROL", ID="someone-else")], None),
    ],
)
def test_canned_acl_from_grants(grants: list[dict[str, object]], expected: str | None) -> None:
    assert canned_acl({"Owner": OWNER, "Grants": grants}) == expected


def test_permissions_flatten_to_one_rule_per_source() -> None:
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "office"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "PrefixListIds": [{"PrefixListId": "pl-1234"}],
            "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "111111111111"}],
        },
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ]
    rules = list(flatten_permissions(permissions, "Source", "222222222222"))
    tcp = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    assert rules == [
        {**tcp, "CidrIp": "10.0.0.0/8", "Description": "office"},
        {**tcp, "CidrIpv6": "::/0"},
        {**tcp, "SourcePrefixListId": "pl-1234"},
        {**tcp, "SourceSecurityGroupId": "sg-1", "SourceSecurityGroupOwnerId": "111111111111"},
        {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIp": "0.0.0.0/0"},
    ]


def test_egress_rules_name_destinations() -> None:
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "ToPort": 5432,
            "PrefixListIds": [{"PrefixListId": "pl-9"}],
            "UserIdGroupPairs": [{"GroupId": "sg-db", "UserId": "222222222222"}],
        }
    ]
    rules = list(flatten_permissions(permissions, "Destination", "222222222222"))
    assert [sorted(r) for r in rules] == [
        ["DestinationPrefixListId", "FromPort", "IpProtocol", "ToPort"],
        ["DestinationSecurityGroupId", "FromPort", "IpProtocol", "ToPort"],
    ]


REPORT = (
    "user,arn,password_last_used,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date\n"
    "<root_account>,arn:aws:iam::1:root,2024-01-02T00:00:00+00:00,false,true,"
    "2023-01-01T00:00:00+00:00,N/A,false,N/A,N/A\n"
    "alice,arn:aws:iam::1:user/alice,N/A,false,false,N/A,N/A,false,N/A,N/A\n"
)


def test_root_row_of_the_credential_report() -> None:
    assert root_report_fields(REPORT.encode()) == {
        "PasswordLastUsed": "2024-01-02T00:00:00+00:00",
        "AccessKeys": [{"Active": True, "LastRotated": "2023-01-01T00:00:00+00:00"}],
    }


def test_lambda_environment_values_are_never_kept() -> None:
    props = function_properties(
        {"FunctionName": "f", "Environment": {"Variables": {"DB_PASSWORD": "hunter2"}}}
    )
    assert props["Environment"] == {
        "Variables": {
            "DB_PASSWORD": {"$unknown": "redacted: environment variable values are not collected"}
        }
    }
    assert "hunter2" not in repr(props)


def test_lambda_permission_statement_to_properties() -> None:
    statement = {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Condition": {
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"},
            "StringEquals": {"AWS:SourceAccount": "123456789012"},
        },
    }
    assert permission_properties("fn", statement) == {
        "FunctionName": "fn",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        "SourceArn": "arn:aws:s3:::b",
        "SourceAccount": "123456789012",
    }
    cross_account = {**statement, "Principal": {"AWS": "arn:aws:iam::999999999999:root"}}
    assert permission_properties("fn", cross_account)["Principal"] == "999999999999"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"Version": "2012-10-17"}', {"Version": "2012-10-17"}),
        ("%7B%22Version%22%3A%20%222012-10-17%22%7D", {"Version": "2012-10-17"}),
        ("not json", "not json"),
        ({"Statement": []}, {"Statement": []}),
    ],
)
def test_policy_documents_are_parsed(text: object, expected: object) -> None:
    assert policy_document(text) == expected


def test_plain_values_are_json_ready() -> None:
    moment = datetime(2024, 5, 1, 4, 0, tzinfo=timezone(timedelta(hours=2)))
    value = {"When": moment, "Raw": b"\x00\x01", "ResponseMetadata": {"x": 1}, "L": (1, 2)}
    assert plain(value) == {"When": "2024-05-01T02:00:00Z", "Raw": "AAE=", "L": [1, 2]}


def test_fill_marks_failed_calls_unknown_and_skips_absent_ones() -> None:
    props: dict[str, object] = {}
    failed = Answer(error={"operation": "GetBucketPolicy", "code": "AccessDenied"})
    fill(props, "A", failed, lambda d: d)
    fill(props, "B", Answer(), lambda d: d)
    fill(props, "C", Answer(data={"v": 1}), lambda d: d["v"])
    assert props == {"A": {"$unknown": "GetBucketPolicy: AccessDenied"}, "C": 1}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://123456789012.127.0.0.1:5000/v20180820/x", "http://127.0.0.1:5000/v20180820/x"),
        ("http://123456789012.localhost:5000/x", "http://localhost:5000/x"),
        (
            "https://123456789012.s3-control.us-east-1.amazonaws.com/x",
            "https://123456789012.s3-control.us-east-1.amazonaws.com/x",
        ),
        ("http://127.0.0.1:5000/x", "http://127.0.0.1:5000/x"),
    ],
)
def test_s3_control_host_prefix_is_dropped_only_for_literal_hosts(url: str, expected: str) -> None:
    request = SimpleNamespace(url=url)
    keep_literal_host(request)
    assert request.url == expected


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal() -> None:
    stream = Terminal()
    progress = Progress(4, stream=stream)
    progress.advance(10, 0)
    progress.advance(5, 1)
    progress.close()
    assert stream.getvalue().split("\r")[-1] == (
        "[############------------] 2/4 tasks, 15 resources, 1 error\n"
    )


def test_progress_on_a_cluster_counts_the_accounts_done() -> None:
    stream = Terminal()
    progress = Progress(2, stream=stream)
    progress.account_done(3)
    progress.advance(4, 0)
    assert stream.getvalue().split("\r")[-1] == (
        "[############------------] 1/3 accounts, 1/2 tasks, 4 resources, 0 errors"
    )


@pytest.mark.parametrize("enabled", [True, False])
def test_progress_is_silent_when_not_a_terminal_or_quiet(enabled: bool) -> None:
    stream = io.StringIO() if enabled else Terminal()
    progress = Progress(2, enabled=enabled, stream=stream)
    progress.advance(1, 0)
    progress.close()
    assert stream.getvalue() == ""
