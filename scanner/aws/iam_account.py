"""Account-wide IAM settings: the password policy and the root user (a global collector).

Neither has a CloudFormation type, so they come out as ``Pacscan::IAM::PasswordPolicy``
and ``Pacscan::IAM::RootAccount`` (see docs/aws.md). The root user's MFA and access keys
come from the account summary; their dates come from the credential report.
"""

from __future__ import annotations

import csv
import io
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
    report = _credential_report(ctx)
    if report.failed:
        props["PasswordLastUsed"] = props["AccessKeys"] = report.unknown()
    elif report.data is not None:
        props.update(root_report_fields(report.data))
    root_arn = f"arn:{ctx.partition}:iam::{ctx.account}:root"
    ctx.add("Pacscan::IAM::RootAccount", root_arn, ctx.account, props)


def _credential_report(ctx: CollectContext) -> Answer:
    """The credential report's CSV text, generated first if need be."""
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
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return Answer(data=text)


def root_report_fields(report_csv: str) -> dict[str, Any]:
    """``PasswordLastUsed`` and ``AccessKeys`` of the root row of a credential report."""
    row = next(
        (r for r in csv.DictReader(io.StringIO(report_csv)) if r.get("user") == ROOT_ROW), None
    )
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
