"""``pacscan audit`` writing several reports per account (HTML, CSV, JSON) and
``--soft-fail``, against moto over HTTP."""

from __future__ import annotations

import csv
import io
import json

from moto_fixtures import MotoAWS
from test_audit import policy_args

ACCOUNTS = ("111111111111", "222222222222")


def test_each_account_gets_each_report(aws: MotoAWS) -> None:
    args = ["--service", "iam", *policy_args(["PAC-IAM-008"]),
            "--role-arn", "arn:aws:iam::{account}:role/Audit"]  # fmt: skip
    for account in ACCOUNTS:
        args += ["--account", account]
    refused = aws.pacscan("audit", "--quiet", "--no-config", *args, "--output", "html:all.html")
    assert refused.returncode == 2
    assert "-o must contain {account}" in refused.stderr
    outputs = ["--format", "json", "-o", "r-{account}.json", "--output", "html:r-{account}.html",
               "--output", "csv:r-{account}.csv"]  # fmt: skip
    done = aws.pacscan("audit", "--quiet", "--no-config", *args, *outputs)
    assert done.returncode == 1, done.stderr
    for account in ACCOUNTS:
        report = json.loads((aws.tmp / f"r-{account}.json").read_text())
        [finding] = [f for f in report["findings"] if f["status"] == "fail"]
        page = (aws.tmp / f"r-{account}.html").read_text()
        assert f'<tr data-account="{account}">' in page  # the failed-by-account summary
        assert f"arn:aws:iam::{account}:root" in page
        assert f'id="count-fail" data-count="{report["summary"]["fail"]}"' in page
        [row] = csv.DictReader(io.StringIO((aws.tmp / f"r-{account}.csv").read_text()))
        assert (row["account"], row["policy_id"]) == (account, finding["policy_id"])
    soft = aws.pacscan("audit", "--quiet", "--no-config", *args, *outputs, "--soft-fail")
    assert soft.returncode == 0, soft.stderr
