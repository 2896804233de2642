from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hostile import RESOURCE, hostile_result
from report_fixtures import (
    ENCRYPTION,
    OPEN_SSH,
    VERSIONING,
    Factory,
    finding,
    input_error,
    scan_result,
)
from test_report_golden import gitlab_validator

from scanner.model import Status
from scanner.report.gitlab_sast import MAX_NAME, render
from scanner.result import ReportOptions

OPTIONS = ReportOptions(tool_version="1.2.3")


def _valid(text: str) -> dict:  # type: ignore[type-arg]
    report = json.loads(text)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in gitlab_validator().iter_errors(report)
    ]
    assert errors == []
    return report  # type: ignore[no-any-return]


def test_one_vulnerability_per_failed_finding(make: Factory) -> None:
    res = make.resources(make.document())
    live = make.live("acme-logs")
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"], path=("Properties", "VersioningConfiguration")),
            finding(OPEN_SSH, res["Bastion"], Status.SUPPRESSED, suppression={"kind": "external"}),
            finding(VERSIONING, res["Uploads"], Status.UNKNOWN),
            finding(ENCRYPTION, res["Uploads"], Status.PASS),
            finding(ENCRYPTION, live, message="not encrypted"),
        ],
    )
    report = _valid(render(result, OPTIONS))
    assert report["scan"]["start_time"] == "2024-05-01T12:00:00"
    assert report["scan"]["analyzer"]["version"] == "1.2.3"
    live_vuln, logs = report["vulnerabilities"]
    assert logs["identifiers"][0] == {
        "type": "pacscan_policy",
        "name": "PAC-S3-014",
        "value": "PAC-S3-014",
        "url": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    }
    assert [i["value"] for i in logs["identifiers"][1:]] == [
        "aws-fsbp:S3.14",
        "cis-aws-3.0:2.1.1",
        "checkov:CKV_AWS_21",
    ]
    assert logs["location"] == {"file": "templates/app.yaml", "start_line": 8, "end_line": 9}
    assert logs["severity"] == "Medium"
    assert (
        'pacscan fix sets Properties.VersioningConfiguration.Status to "Enabled".'
        in logs["solution"]
    )
    assert live_vuln["location"] == {
        "file": "aws/123456789012/us-east-1/AWS%3A%3AS3%3A%3ABucket/acme-logs",
        "class": "arn:aws:s3:::acme-logs",
    }
    assert live_vuln["severity"] == "Critical"


def test_ids_are_stable_from_run_to_run(make: Factory) -> None:
    res = make.resources(make.document())
    result = scan_result(
        make.root, [finding(VERSIONING, res["Logs"]), finding(VERSIONING, res["Uploads"])]
    )
    first = json.loads(render(result, OPTIONS))["vulnerabilities"]
    again = json.loads(render(replace(result, findings=result.findings[::-1]), OPTIONS))
    assert [v["id"] for v in first] == [v["id"] for v in again["vulnerabilities"]]
    assert len({v["id"] for v in first}) == 2


def test_input_errors_are_scan_messages_and_limits_hold(make: Factory) -> None:
    result = hostile_result(make)
    long_policy = replace(VERSIONING, title="t" * 400, help="h" * 9000)
    result = replace(
        result,
        findings=tuple(replace(f, policy=long_policy) for f in result.findings),
        errors=(input_error(make.root),),
    )
    report = _valid(render(result, OPTIONS))
    vuln = report["vulnerabilities"][0]
    assert len(vuln["name"]) == MAX_NAME
    assert vuln["description"].startswith('=HYPERLINK("http://evil")')
    assert RESOURCE not in json.dumps(vuln["location"])  # the file, not the resource id
    assert report["scan"]["messages"] == [
        {
            "level": "warn",
            "value": "templates/broken.yaml:3:5: I001: expected a mapping, found a sequence",
        }
    ]


@pytest.mark.parametrize(
    "broken",
    [
        lambda r: r["vulnerabilities"][0].pop("identifiers"),
        lambda r: r["scan"].pop("analyzer"),
        lambda r: r["scan"].update(start_time="2024-05-01T12:00:00Z"),
        lambda r: r["vulnerabilities"][0].update(severity="medium"),
    ],
)
def test_the_schema_copy_rejects_what_gitlab_rejects(make: Factory, broken) -> None:  # type: ignore[no-untyped-def]
    res = make.resources(make.document())
    report = json.loads(render(scan_result(make.root, [finding(VERSIONING, res["Logs"])]), OPTIONS))
    broken(report)
    assert list(gitlab_validator().iter_errors(report))
