"""``pacscan audit`` over an organisation: units, excluded accounts and the external ID
reach its collection, and each account is reported as soon as it is collected.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS, pacscan_command
from test_audit import policy_args
from test_organization_accounts import (
    OTHER_ACCOUNTS,
    ROLE,
    ExternalIdCheck,
    HoldSecondListing,
    organization,
    session_in,
)

AUDIT = ["audit", "--no-config", "--format", "json", "--include-passed", "--region", "us-east-1"]
ROOT = "Pacscan::IAM::RootAccount"
IAM = ["--service", "iam", *policy_args(["PAC-IAM-008"]), "--role-arn", ROLE]


def reports(folder: Path) -> dict[str, dict[str, Any]]:
    """The JSON reports in ``folder``, by the account id that names each."""
    return {p.name.split(".")[0]: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def root_verdicts(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["policy_id"], f["resource"]["id"], f["status"]) for f in report["findings"]]


def test_ou_and_excluded_accounts_choose_the_accounts_audited(aws: MotoAWS) -> None:
    org = organization(aws)
    units, accounts = org["units"], org["accounts"]
    (aws.tmp / "reports").mkdir()
    done = aws.pacscan(
        *AUDIT, "--quiet", *IAM, "--ou", units["platform"], "--ou", units["sandbox"],
        "--exclude-account", accounts["shared"], "-o", "reports/{account}.json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # every account's root has no hardware MFA
    found = reports(aws.tmp / "reports")
    assert sorted(found) == sorted([accounts["platform"], accounts["sandbox"]])
    for account, report in found.items():
        assert report["errors"] == []
        assert root_verdicts(report) == [("PAC-IAM-008", f"arn:aws:iam::{account}:root", "fail")]


def test_ou_means_several_accounts_for_the_output_options(aws: MotoAWS) -> None:
    done = aws.pacscan(*AUDIT, *IAM, "--ou", "ou-abcd-12345678", "-o", "report.json")
    assert done.returncode == 2
    assert "with several accounts, -o must contain {account}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("given", [True, False])
def test_external_id_goes_with_every_assume_role_of_an_audit(aws: MotoAWS, given: bool) -> None:
    check = ExternalIdCheck("nightly-audit:7")
    args = [*IAM, "--account", OTHER_ACCOUNTS[0], "--account", OTHER_ACCOUNTS[1]]
    if given:
        args += ["--external-id", "nightly-audit:7"]
    (aws.tmp / "reports").mkdir()
    with FaultProxy(aws.url, check) as proxy:
        done = aws.pacscan(
            *AUDIT, "--quiet", *args, "-o", "reports/{account}.json",
            env={"AWS_ENDPOINT_URL_STS": proxy.url},
        )  # fmt: skip
    assert [form.get("ExternalId") for form in check.seen] == (
        [["nightly-audit:7"]] * 2 if given else [None, None]
    )
    found = reports(aws.tmp / "reports")
    assert sorted(found) == list(OTHER_ACCOUNTS)
    if given:
        assert done.returncode == 1, done.stderr
        for account, report in found.items():
            assert root_verdicts(report) == [
                ("PAC-IAM-008", f"arn:aws:iam::{account}:root", "fail")
            ]
    else:  # nothing read: unknown, not pass, with the AssumeRole error in each report
        assert done.returncode == 3, done.stderr
        for account, report in found.items():
            assert root_verdicts(report) == [
                ("PAC-IAM-008", f"pacscan:unlisted:{account}:global:{ROOT}", "unknown")
            ]
            [error] = report["errors"]
            assert error["code"] == "AWS-ACCESSDENIED"
            assert "sts:AssumeRole failed" in error["message"]


def test_an_account_is_reported_while_the_next_is_collected_and_survives_a_kill(
    aws: MotoAWS,
) -> None:
    for account in OTHER_ACCOUNTS:
        session_in(account).client("s3").create_bucket(Bucket=f"bucket-of-{account}")
    (aws.tmp / "reports").mkdir()
    hold = HoldSecondListing()
    args = [*AUDIT, "--quiet", "--service", "s3", *policy_args(["PAC-S3-009"]),
            "--timeout", "120", "--role-arn", ROLE, "--account", OTHER_ACCOUNTS[0],
            "--account", OTHER_ACCOUNTS[1], "--snapshot-dir", "snapshots",
            "-o", "reports/{account}.json"]  # fmt: skip
    with FaultProxy(aws.url, hold) as proxy:
        process = subprocess.Popen(
            [*pacscan_command(), *args],
            env={**aws.env, "AWS_ENDPOINT_URL_S3": proxy.url},
            cwd=aws.tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert hold.held.wait(120), "the second account never listed its buckets"
            written = wait_for_report(aws.tmp / "reports", process)
            assert process.poll() is None  # still collecting the held account
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            hold.released.set()
            if process.poll() is None:
                process.kill()
            process.wait(30)
            assert process.stderr is not None
            process.stderr.close()
    [account] = [a for a in OTHER_ACCOUNTS if written.name == f"{a}.json"]
    report = json.loads(written.read_text())
    verdicts = [(f["policy_id"], f["resource"]["id"], f["status"]) for f in report["findings"]]
    assert verdicts == [("PAC-S3-009", f"arn:aws:s3:::bucket-of-{account}", "fail")]
    assert [p.name for p in (aws.tmp / "reports").iterdir()] == [written.name]
    kept = [p.name for p in (aws.tmp / "snapshots").glob("*.json.gz")]
    assert kept == [f"snapshot-{account}.json.gz"]


def wait_for_report(folder: Path, process: subprocess.Popen[bytes]) -> Path:
    """The first complete report in ``folder`` (written atomically: complete when there)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.json"))
        if found:
            return found[0]
        if process.poll() is not None:
            raise AssertionError(f"pacscan ended first ({process.returncode})")
        time.sleep(0.1)
    raise AssertionError("no account's report was written while the other was held")


def test_a_report_that_cannot_be_written_loses_that_account_only(aws: MotoAWS) -> None:
    (aws.tmp / "reports").mkdir()
    (aws.tmp / "reports" / f"{OTHER_ACCOUNTS[0]}.json").mkdir()  # in the way of the file
    done = aws.pacscan(
        *AUDIT, "--quiet", *IAM, "--account", OTHER_ACCOUNTS[0], "--account", OTHER_ACCOUNTS[1],
        "-o", "reports/{account}.json",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"reports/{OTHER_ACCOUNTS[0]}.json" in done.stderr
    written = json.loads((aws.tmp / "reports" / f"{OTHER_ACCOUNTS[1]}.json").read_text())
    assert root_verdicts(written) == [
        ("PAC-IAM-008", f"arn:aws:iam::{OTHER_ACCOUNTS[1]}:root", "fail")
    ]


def test_text_reports_of_several_accounts_come_one_section_each_with_a_summary(
    aws: MotoAWS,
) -> None:
    done = aws.pacscan(
        "audit", "--no-config", "--region", "us-east-1", *IAM,
        "--account", OTHER_ACCOUNTS[0], "--account", ACCOUNT,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    sections = [line for line in done.stdout.splitlines() if line.startswith("== account")]
    # in the order the accounts finish (two are collected at once)
    assert sorted(sections) == [f"== account {a} ==" for a in sorted([OTHER_ACCOUNTS[0], ACCOUNT])]
    assert done.stderr.count("collected ") == 2
