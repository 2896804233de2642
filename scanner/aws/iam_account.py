"""Account-wide IAM settings: the password policy and the root user (a global collector).

Neither has a CloudFormation type, so they come out as ``Pacscan::IAM::PasswordPolicy``
and ``Pacscan::IAM::RootAccount`` (see docs/aws.md). The root user's MFA and access keys
come from the account summary; their dates come from the credential report, read only
up to ``MAX_REPORT_BYTES`` and ``MAX_REPORT_ROWS``: past either, or when it is not
UTF-8 CSV, its fields are unknown and the error is recorded.
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from typing import Any

from scanner.aws.context import GLOBAL, Answer, CollectContext, Collector, fill

PASSWORD_POLICY_FIELDS = (
    "MinimumPasswordLength",
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
    "ExpirePasswords",
    "MaxPasswordAge",
    "PasswordReusePrevention",
    "HardExpiry",
)
ROOT_ROW = "<root_account>"
# Waits between GenerateCredentialReport polls: quick at first, about 16 s in all.
REPORT_WAITS = (0.2, 0.5, 1.0, 2.0, 2.0, 2.0, 4.0, 4.0)
NOT_A_DATE = ("N/A", "not_supported", "no_information", "")
# One row per IAM user (at most 5,000 an account) and the root, a few hundred bytes each.
MAX_REPORT_BYTES = 16 * 1024 * 1024
MAX_REPORT_ROWS = 10_000


class ReportError(ValueError):
    """A credential report pacscan will not read: too large, or not UTF-8 CSV."""


def collect(ctx: CollectContext) -> None:
    _collect_password_policy(ctx)
    _collect_root(ctx)


def _collect_password_policy(ctx: CollectContext) -> None:
    answer = ctx.call("GetAccountPasswordPolicy", absent=("NoSuchEntity",))
    props: dict[str, Any] = {}
    if answer.failed:
        props = {name: answer.unknown() for name in PASSWORD_POLICY_FIELDS}
    elif answer.data is not None:
        policy = answer.data.get("PasswordPolicy") or {}
        props = {name: policy[name] for name in PASSWORD_POLICY_FIELDS if name in policy}
    pseudo_arn = f"arn:{ctx.partition}:iam::{ctx.account}:account-password-policy"
    ctx.add("Pacscan::IAM::PasswordPolicy", pseudo_arn, ctx.account, props)


def _collect_root(ctx: CollectContext) -> None:
    props: dict[str, Any] = {}
    summary = ctx.call("GetAccountSummary")
    fill(props, "MfaEnabled", summary, lambda d: d["SummaryMap"].get("AccountMFAEnabled") == 1)
    fill(
        props,
        "AccessKeysPresent",
        summary,
        lambda d: d["SummaryMap"].get("AccountAccessKeysPresent", 0) > 0,
    )
    devices = ctx.pages("ListVirtualMFADevices", "VirtualMFADevices", AssignmentStatus="Assigned")
    fill(
        props,
        "VirtualMfa",
        devices,
        lambda items: any(
            str((d.get("User") or {}).get("Arn", "")).endswith(":root") for d in items
        ),
    )
    report = _root_report_fields(ctx)
    if report.failed:
        props["PasswordLastUsed"] = props["AccessKeys"] = report.unknown()
    elif report.data is not None:
        props.update(report.data)
    root_arn = f"arn:{ctx.partition}:iam::{ctx.account}:root"
    ctx.add("Pacscan::IAM::RootAccount", root_arn, ctx.account, props)


def _root_report_fields(ctx: CollectContext) -> Answer:
    """The root row's fields of the credential report; a report too large is an error."""
    report = _credential_report(ctx)
    if report.failed or report.data is None:
        return report
    try:
        return Answer(data=root_report_fields(report.data))
    except ReportError as exc:
        error = ctx.record("iam", "GetCredentialReport", "LimitExceeded", str(exc))
        return Answer(error=error)


def _credential_report(ctx: CollectContext) -> Answer:
    """The credential report's CSV content (bytes), generated first if need be."""
    for wait in REPORT_WAITS:
        generated = ctx.call("GenerateCredentialReport")
        if generated.failed:
            return generated
        if (generated.data or {}).get("State") == "COMPLETE":
            break
        time.sleep(wait)
    answer = ctx.call("GetCredentialReport")
    if answer.failed:
        return answer
    content = (answer.data or {}).get("Content") or b""
    return Answer(data=content if isinstance(content, bytes) else str(content).encode())


def root_report_fields(report: bytes) -> dict[str, Any]:
    """``PasswordLastUsed`` and ``AccessKeys`` of the root row of a credential report.

    Raises ``ReportError`` past ``MAX_REPORT_BYTES`` or ``MAX_REPORT_ROWS``, or for a
    report that is not UTF-8 CSV.
    """
    if len(report) > MAX_REPORT_BYTES:
        raise ReportError(
            f"the credential report is {len(report):,} bytes, over the limit of "
            f"{MAX_REPORT_BYTES:,}; the root user's key and password dates are not read"
        )
    try:
        rows = csv.DictReader(io.StringIO(report.decode("utf-8")))
        read = list(itertools.islice(rows, MAX_REPORT_ROWS + 1))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"the credential report is not UTF-8 CSV: {exc}") from exc
    if len(read) > MAX_REPORT_ROWS:
        raise ReportError(
            f"the credential report has more than {MAX_REPORT_ROWS:,} rows; the root "
            "user's key and password dates are not read"
        )
    row = next((r for r in read if r.get("user") == ROOT_ROW), None)
    if row is None:
        return {}
    fields: dict[str, Any] = {"AccessKeys": []}
    if row.get("password_last_used", "") not in NOT_A_DATE:
        fields["PasswordLastUsed"] = row["password_last_used"]
    for n in (1, 2):
        if row.get(f"access_key_{n}_active") != "true":
            continue
        key: dict[str, Any] = {"Active": True}
        for column, name in (("last_rotated", "LastRotated"), ("last_used_date", "LastUsedDate")):
            value = row.get(f"access_key_{n}_{column}", "")
            if value not in NOT_A_DATE:
                key[name] = value
        fields["AccessKeys"].append(key)
    return fields


TYPES = ("Pacscan::IAM::PasswordPolicy", "Pacscan::IAM::RootAccount")
COLLECTORS = (Collector("iam.account", "iam", GLOBAL, collect, TYPES),)
