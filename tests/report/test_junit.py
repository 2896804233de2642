from __future__ import annotations

import xml.etree.ElementTree as ET

from report_fixtures import (
    ENCRYPTION,
    OPEN_SSH,
    VERSIONING,
    Factory,
    finding,
    input_error,
    scan_result,
)

from scanner.model import Status
from scanner.report.junit import render
from scanner.result import ReportOptions, ScanResult


def _result(make: Factory) -> ScanResult:
    res = make.resources(make.document())
    findings = [
        finding(VERSIONING, res["Logs"], path=("Properties",), message="no versions \x00here"),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, message="Status is unknown"),
        finding(
            OPEN_SSH,
            res["Bastion"],
            Status.SUPPRESSED,
            suppression={"kind": "external", "justification": "VPN"},
        ),
        finding(ENCRYPTION, res["Logs"], Status.PASS),
        finding(ENCRYPTION, res["Uploads"], Status.SKIP, message="no BucketName"),
        finding(ENCRYPTION, make.live("acme-logs"), Status.ERROR, message="regex too large"),
    ]
    return scan_result(make.root, findings, [input_error(make.root)])


def _xml(make: Factory) -> ET.Element:
    return ET.fromstring(render(_result(make), ReportOptions()))


def test_one_suite_per_policy_and_case_per_resource(make: Factory) -> None:
    root = _xml(make)
    assert root.tag == "testsuites"
    assert root.attrib["tests"] == "7"
    assert (root.attrib["failures"], root.attrib["errors"], root.attrib["skipped"]) == (
        "1",
        "2",
        "3",
    )
    suites = [s.attrib["name"] for s in root.findall("testsuite")]
    assert suites == [
        "PAC-S3-014 S3 buckets keep object versions",
        "PAC-EC2-001 Security groups do not open SSH to the world",
        "PAC-S3-001 S3 buckets encrypt objects at rest",
        "pacscan",
    ]
    first = root.find("testsuite")
    assert first is not None and first.attrib["tests"] == "2" and first.attrib["failures"] == "1"


def test_failure_carries_severity_location_and_source(make: Factory) -> None:
    case = _xml(make).find("testsuite/testcase")
    assert case is not None
    assert case.attrib == {
        "classname": "PAC-S3-014",
        "name": "Logs (templates/app.yaml)",
        "file": "templates/app.yaml",
        "line": "6",
    }
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "medium"
    assert failure.attrib["message"] == "no versions \ufffdhere"
    assert failure.text is not None
    assert "at templates/app.yaml:6:5" in failure.text
    assert "    Properties:" in failure.text


def test_unknown_skip_and_suppressed_are_skipped(make: Factory) -> None:
    skipped = [s.attrib["message"] for s in _xml(make).iter("skipped")]
    assert skipped == [
        "unknown: Status is unknown",
        "suppressed: VPN",
        "not applicable: no BucketName",
    ]


def test_evaluation_and_input_errors_are_errors(make: Factory) -> None:
    root = _xml(make)
    errors = [(e.attrib["type"], e.attrib["message"]) for e in root.iter("error")]
    assert errors == [
        ("evaluation", "regex too large"),
        ("I001", "expected a mapping, found a sequence"),
    ]
    live = [c for c in root.iter("testcase") if c.find("error") is not None][0]
    assert live.attrib["name"] == "arn:aws:s3:::acme-logs (snapshots/prod.json)"
    input_case = root.findall("testsuite")[-1].find("testcase")
    assert input_case is not None and input_case.attrib["name"] == "templates/broken.yaml"
