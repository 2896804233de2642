"""IAM Access Analyzer (CIS AWS 1.20): one record per region listing its analyzers, and
the verdicts of PAC-ACCESSANALYZER-001, end to end through the installed ``pacscan``.

moto has no Access Analyzer, so these run against the stand-in the fixtures start
(``access_analyzer_stand_in``); paging, a denied call and the page limit are stubbed in
``test_access_analyzer_stubbed``.
"""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import policy_args

REGIONS = ("--region", "us-east-1", "--region", "eu-west-1", "--region", "ap-southeast-2")
TYPE = "Pacscan::AccessAnalyzer::RegionAnalyzers"


def region_arn(region: str) -> str:
    return f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzers"


def make_analyzers(aws: MotoAWS) -> None:
    """us-east-1: an account analyzer; eu-west-1: an unused-access one only;
    ap-southeast-2: none."""
    aws.client("accessanalyzer").create_analyzer(analyzerName="account", type="ACCOUNT")
    aws.client("accessanalyzer", region="eu-west-1").create_analyzer(
        analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS"
    )


def test_each_region_lists_its_analyzers(aws: MotoAWS) -> None:
    make_analyzers(aws)
    snapshot, done = aws.collect("--service", "accessanalyzer", *REGIONS)
    assert done.returncode == 0, snapshot["errors"]
    records = resources_of(snapshot, TYPE)
    assert sorted(records) == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert records["us-east-1"]["id"] == region_arn("us-east-1")
    assert records["us-east-1"]["properties"] == {
        "Analyzers": [
            {"Name": "account", "Type": "ACCOUNT", "Status": "ACTIVE",
             "Arn": f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/account"}
        ]
    }  # fmt: skip
    assert records["ap-southeast-2"]["properties"] == {"Analyzers": []}


def test_analyzer_verdicts_per_region(aws: MotoAWS) -> None:
    make_analyzers(aws)
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--format", "json", "--include-passed",
        "--service", "accessanalyzer", *policy_args(["PAC-ACCESSANALYZER-001"]), *REGIONS,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    verdicts = {f["resource"]["id"]: f["status"] for f in report["findings"]}
    assert verdicts == {
        region_arn("us-east-1"): "pass",
        region_arn("eu-west-1"): "fail",
        region_arn("ap-southeast-2"): "fail",
    }
    assert report["errors"] == []


def test_an_unreachable_service_makes_the_region_unknown_not_failed(aws: MotoAWS) -> None:
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--format", "json", "--service", "accessanalyzer",
        "--region", "us-east-1", "--max-attempts", "1",
        *policy_args(["PAC-ACCESSANALYZER-001"]),
        env={"AWS_ENDPOINT_URL_ACCESSANALYZER": "http://127.0.0.1:9"},
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    assert [(f["resource"]["id"], f["status"]) for f in report["findings"]] == [
        (region_arn("us-east-1"), "unknown")
    ]
    [error] = report["errors"]
    assert "accessanalyzer:ListAnalyzers failed" in error["message"]
