"""The credential report is read within bounds: past ``MAX_REPORT_BYTES`` or
``MAX_REPORT_ROWS``, or not UTF-8 CSV, the root user's dates are unknown and the error
is recorded in the snapshot (moto cannot make such a report: botocore's Stubber)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scanner.aws.context import CollectContext
from scanner.aws.iam_account import (
    MAX_REPORT_BYTES,
    MAX_REPORT_ROWS,
    ReportError,
    collect,
    root_report_fields,
)
from scanner.aws.session import AccountClients, ClientSettings

ACCOUNT = "123456789012"
HEADER = b"user,arn,password_last_used,access_key_1_active,access_key_2_active\n"
ROOT = b"<root_account>,arn:aws:iam::123456789012:root,2024-01-02T00:00:00+00:00,false,false\n"


def user_rows(count: int) -> bytes:
    return b"".join(b"u%d,arn:aws:iam::123456789012:user/u%d,N/A,false,false\n" % (n, n)
                    for n in range(count))  # fmt: skip


def test_a_report_at_the_row_limit_is_read() -> None:
    report = HEADER + ROOT + user_rows(MAX_REPORT_ROWS - 1)
    assert root_report_fields(report) == {
        "PasswordLastUsed": "2024-01-02T00:00:00+00:00",
        "AccessKeys": [],
    }


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (HEADER + ROOT + user_rows(MAX_REPORT_ROWS), "has more than 10,000 rows"),
        (
            HEADER + ROOT + b"x" * (MAX_REPORT_BYTES - len(HEADER + ROOT) + 1),
            f"is {MAX_REPORT_BYTES + 1:,} bytes, over the limit of {MAX_REPORT_BYTES:,}",
        ),
        (HEADER + b"\xff\xfe" + ROOT, "is not UTF-8 CSV"),
        (HEADER + b'"' + b"x" * 200_000 + b'"\n', "is not UTF-8 CSV: field larger than"),
    ],
)
def test_a_report_past_a_limit_or_not_csv_is_refused(report: bytes, message: str) -> None:
    with pytest.raises(ReportError, match="the credential report ") as caught:
        root_report_fields(report)
    assert message in str(caught.value)


def _iam(content: bytes) -> tuple[CollectContext, Stubber]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    clients = AccountClients(ACCOUNT, session, ClientSettings(max_attempts=1))
    stubber = Stubber(clients.client("iam", "us-east-1"))
    stubber.add_response("get_account_password_policy", {"PasswordPolicy": {}})
    summary = {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}
    stubber.add_response("get_account_summary", {"SummaryMap": summary})
    stubber.add_response(
        "list_virtual_mfa_devices", {"VirtualMFADevices": []}, {"AssignmentStatus": "Assigned"}
    )
    stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
    generated = datetime(2024, 5, 1, tzinfo=timezone.utc)
    answer: dict[str, Any] = {"Content": content, "ReportFormat": "text/csv",
                              "GeneratedTime": generated}  # fmt: skip
    stubber.add_response("get_credential_report", answer)
    return CollectContext(ACCOUNT, "global", "iam", clients, "us-east-1"), stubber


def root_properties(ctx: CollectContext) -> dict[str, Any]:
    [root] = [r for r in ctx.resources if r["type"] == "Pacscan::IAM::RootAccount"]
    return dict(root["properties"])


def test_a_report_too_large_makes_the_root_dates_unknown_and_is_recorded() -> None:
    ctx, stubber = _iam(HEADER + ROOT + user_rows(MAX_REPORT_ROWS))
    with stubber:
        collect(ctx)
        stubber.assert_no_pending_responses()
    props = root_properties(ctx)
    assert props["MfaEnabled"] is True  # from the account summary, still read
    unknown = {"$unknown": "GetCredentialReport: LimitExceeded"}
    assert props["PasswordLastUsed"] == props["AccessKeys"] == unknown
    [error] = ctx.errors
    assert (error["service"], error["operation"], error["code"]) == (
        "iam",
        "GetCredentialReport",
        "LimitExceeded",
    )
    assert "types" not in error  # the root user is still in the snapshot
    assert error["message"].startswith("the credential report has more than 10,000 rows")


def test_a_report_within_the_limits_gives_the_root_dates() -> None:
    ctx, stubber = _iam(HEADER + ROOT + user_rows(3))
    with stubber:
        collect(ctx)
    props = root_properties(ctx)
    assert props["PasswordLastUsed"] == "2024-01-02T00:00:00+00:00"
    assert props["AccessKeys"] == []
    assert ctx.errors == []
