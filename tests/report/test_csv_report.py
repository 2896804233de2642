from __future__ import annotations

import csv
import io

from hostile import MESSAGE, RESOURCE, hostile_result
from report_fixtures import ENCRYPTION, OPEN_SSH, VERSIONING, Factory, finding, scan_result

from scanner.model import Status
from scanner.report.csv_report import COLUMNS, cell, render
from scanner.result import ReportOptions


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_listed_finding_with_its_columns(make: Factory) -> None:
    res = make.resources(make.document())
    live = make.live("acme-logs")
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"], path=("Properties", "VersioningConfiguration")),
            finding(OPEN_SSH, res["Bastion"], Status.UNKNOWN),
            finding(ENCRYPTION, res["Logs"], Status.PASS),
            finding(ENCRYPTION, live, message="not encrypted"),
        ],
    )
    text = render(result, ReportOptions())
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(text)
    assert [(r["policy_id"], r["status"]) for r in rows] == [
        ("PAC-S3-001", "fail"),  # snapshots/ sorts before templates/
        ("PAC-S3-014", "fail"),
        ("PAC-EC2-001", "unknown"),
    ]
    live_row, logs = rows[0], rows[1]
    assert (live_row["resource_id"], live_row["account"], live_row["region"]) == (
        "arn:aws:s3:::acme-logs",
        "123456789012",
        "us-east-1",
    )
    assert (live_row["service"], live_row["line"]) == ("S3", "")
    assert (logs["file"], logs["line"], logs["account"]) == ("templates/app.yaml", "8", "templates")
    assert logs["controls"] == "aws-fsbp:S3.14 cis-aws-3.0:2.1.1"
    assert logs["fix"] == 'sets Properties.VersioningConfiguration.Status to "Enabled"'
    assert len(_rows(render(result, ReportOptions(include_passed=True)))) == 4
    assert len(_rows(render(result, ReportOptions(quiet=True)))) == 2


def test_cells_that_a_spreadsheet_would_run_are_quoted(make: Factory) -> None:
    rows = _rows(render(hostile_result(make), ReportOptions()))
    assert len(rows) == 1
    assert rows[0]["message"] == "'" + MESSAGE.replace("\n", "\\n")  # one line, no formula
    assert rows[0]["resource_id"] == RESOURCE
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        shown = cell(value)
        assert isinstance(shown, str) and shown.startswith("'"), value
    assert cell("plain") == "plain"
    assert cell(12) == 12
