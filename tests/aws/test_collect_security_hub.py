"""Security Hub against moto: one record per region, enabled or not, and the CIS 4.16 verdicts."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import policy_args

REGIONS = ("--region", "us-east-1", "--region", "eu-west-1")


def test_each_region_has_a_hub_record(aws: MotoAWS) -> None:
    aws.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    snapshot, done = aws.collect("--service", "securityhub", *REGIONS)
    assert done.returncode == 0, snapshot["errors"]
    hubs = resources_of(snapshot, "Pacscan::SecurityHub::Hub")
    assert sorted(hubs) == ["eu-west-1", "us-east-1"]
    enabled, disabled = hubs["us-east-1"], hubs["eu-west-1"]
    assert enabled["id"] == f"arn:aws:securityhub:us-east-1:{ACCOUNT}:hub/default"
    assert enabled["properties"]["Enabled"] is True
    assert enabled["properties"]["SubscribedAt"]
    assert disabled["id"] == f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:hub/default"
    assert disabled["properties"] == {"Enabled": False}


def test_hub_verdicts_per_region(aws: MotoAWS) -> None:
    aws.client("securityhub", region="eu-west-1").enable_security_hub()
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--format", "json", "--include-passed",
        "--service", "securityhub", *policy_args(["PAC-SECURITYHUB-001"]), *REGIONS,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    verdicts = {f["resource"]["id"]: f["status"] for f in report["findings"]}
    assert verdicts == {
        f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:hub/default": "pass",
        f"arn:aws:securityhub:us-east-1:{ACCOUNT}:hub/default": "fail",
    }
    assert report["errors"] == []
