from __future__ import annotations

import json
from typing import Any

from report_fixtures import (
    ENCRYPTION,
    OPEN_SSH,
    VERSIONING,
    Factory,
    finding,
    input_error,
    scan_result,
)

from scanner.errors import Diagnostic
from scanner.model import Status
from scanner.report.json_report import render
from scanner.result import ReportOptions, ScanResult

STATUS_PATH = ("Properties", "VersioningConfiguration", "Status")


def _result(make: Factory) -> ScanResult:
    res = make.resources(make.document())
    suppression = {"kind": "inSource", "justification": "VPN only"}
    findings = [
        finding(VERSIONING, res["Logs"], path=STATUS_PATH, message="no versions"),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, message="Status is unknown"),
        finding(OPEN_SSH, res["Bastion"], Status.SUPPRESSED, suppression=suppression),
        finding(ENCRYPTION, res["Logs"], Status.PASS),
        finding(ENCRYPTION, res["Uploads"], Status.SKIP),
        finding(ENCRYPTION, make.live("acme-logs"), message="not encrypted"),
    ]
    warning = Diagnostic(code="S003", message="suppression expired", severity="warning")
    return scan_result(make.root, findings, [input_error(make.root), warning])


def _data(result: ScanResult, **options: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        render(result, ReportOptions(tool_version="1.2.3", **options))
    )
    return data


def test_top_level_shape(make: Factory) -> None:
    data = _data(_result(make))
    assert list(data) == ["version", "tool", "summary", "findings", "errors"]
    assert data["version"] == 1
    assert data["tool"] == {"name": "pacscan", "version": "1.2.3"}
    assert data["summary"] == {
        "files": 2,
        "resources": 4,
        "pass": 1,
        "fail": 2,
        "unknown": 1,
        "skip": 1,
        "suppressed": 1,
        "error": 0,
    }


def test_template_finding_shape(make: Factory) -> None:
    first = _data(_result(make))["findings"][1]  # after the snapshot's finding
    assert first == {
        "policy_id": "PAC-S3-014",
        "title": "S3 buckets keep object versions",
        "severity": "medium",
        "status": "fail",
        "message": "no versions",
        "resource": {"type": "AWS::S3::Bucket", "id": "Logs"},
        "file": "templates/app.yaml",
        "location": {"line": 9, "column": 9, "end_line": 9, "end_column": 26},
        "path": ["Properties", "VersioningConfiguration", "Status"],
    }


def test_live_finding_names_account_region_and_snapshot(make: Factory) -> None:
    live = _data(_result(make))["findings"][0]  # snapshots/ sorts before templates/
    assert live["resource"] == {
        "type": "AWS::S3::Bucket",
        "id": "arn:aws:s3:::acme-logs",
        "account": "123456789012",
        "region": "us-east-1",
    }
    assert live["file"] == "snapshots/prod.json"
    assert live["location"] is None


def test_lists_fail_unknown_suppressed_by_default(make: Factory) -> None:
    statuses = [f["status"] for f in _data(_result(make))["findings"]]
    assert sorted(statuses) == ["fail", "fail", "suppressed", "unknown"]
    everything = [f["status"] for f in _data(_result(make), include_passed=True)["findings"]]
    assert sorted(everything) == ["fail", "fail", "pass", "skip", "suppressed", "unknown"]


def test_errors_list_error_diagnostics_relative_to_root(make: Factory) -> None:
    assert _data(_result(make))["errors"] == [
        {
            "file": "templates/broken.yaml",
            "code": "I001",
            "message": "expected a mapping, found a sequence",
            "location": {"line": 3, "column": 5, "end_line": 3, "end_column": 9},
        }
    ]


def test_clean_scan(make: Factory) -> None:
    data = _data(scan_result(make.root, []))
    assert data["findings"] == [] and data["errors"] == []
    assert data["summary"]["fail"] == 0
