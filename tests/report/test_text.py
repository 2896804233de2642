from __future__ import annotations

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
from scanner.report.text import render
from scanner.result import ReportOptions, ScanResult

STATUS_PATH = ("Properties", "VersioningConfiguration", "Status")


def _result(make: Factory) -> ScanResult:
    res = make.resources(make.document())
    findings = [
        finding(VERSIONING, res["Logs"], path=STATUS_PATH, message="bucket Logs keeps no versions"),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, message="Status is unknown"),
        finding(
            OPEN_SSH,
            res["Bastion"],
            Status.SUPPRESSED,
            path=("Properties", "SecurityGroupIngress", 0, "CidrIp"),
            suppression={"kind": "inSource", "justification": "VPN only"},
        ),
        finding(ENCRYPTION, res["Logs"], Status.PASS, message="encrypted"),
        finding(ENCRYPTION, make.live("acme-logs"), message="bucket is not encrypted"),
    ]
    warning = Diagnostic(
        code="S003", message="suppression expired on 2024-01-01", severity="warning"
    )
    return scan_result(make.root, findings, [input_error(make.root), warning])


def test_findings_grouped_by_file_with_source_lines(make: Factory) -> None:
    text = render(_result(make), ReportOptions())
    assert text.splitlines()[:4] == [
        "snapshots/prod.json",
        "  arn:aws:s3:::acme-logs (123456789012/us-east-1): critical PAC-S3-001"
        " S3 buckets encrypt objects at rest",
        "    bucket is not encrypted",
        "",
    ]
    block = text.split("templates/app.yaml\n", 1)[1]
    assert block.splitlines()[:3] == [
        "  templates/app.yaml:9:9: medium PAC-S3-014 S3 buckets keep object versions",
        "    bucket Logs keeps no versions",
        "        9 |         Status: Suspended",
    ]
    assert "PAC-S3-014 S3 buckets keep object versions [unknown]" in block
    assert "[suppressed: VPN only]" in block
    assert "        22 |           CidrIp: 0.0.0.0/0" not in block  # gutter width is fixed
    assert "       22 |           CidrIp: 0.0.0.0/0" in block
    assert "encrypted\n" not in block  # passes only on request


def test_errors_and_summary_close_the_report(make: Factory) -> None:
    lines = render(_result(make), ReportOptions()).splitlines()
    problems = lines.index("Problems:")
    assert lines[
        problems + 1
    ] == "templates/broken.yaml:3:5: error[I001]: expected a mapping, found a sequence".replace(
        "templates/broken.yaml", str(make.root / "templates" / "broken.yaml")
    )
    assert "warning[S003]: suppression expired on 2024-01-01" in lines
    assert lines[-1] == (
        "2 files, 4 resources: 2 failed, 1 unknown, 1 suppressed, 1 passed, 1 error, 1 warning"
    )


def test_include_passed_lists_passes(make: Factory) -> None:
    text = render(_result(make), ReportOptions(include_passed=True))
    assert "critical PAC-S3-001 S3 buckets encrypt objects at rest [pass]" in text


def test_colour_only_when_asked(make: Factory) -> None:
    plain = render(_result(make), ReportOptions())
    coloured = render(_result(make), ReportOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[33mmedium\x1b[0m" in coloured


def test_new_findings_are_marked(make: Factory) -> None:
    logs = make.resources(make.document())["Logs"]
    result = scan_result(make.root, [finding(VERSIONING, logs, baseline_state="new")])
    assert "S3 buckets keep object versions [new]" in render(result, ReportOptions())


def test_clean_scan_summary(make: Factory) -> None:
    assert (
        render(scan_result(make.root, []), ReportOptions())
        == "0 files, 0 resources: nothing to check\n"
    )
