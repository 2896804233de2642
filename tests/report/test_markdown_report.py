from __future__ import annotations

import re
from dataclasses import replace

from hostile import hostile_result
from report_fixtures import ENCRYPTION, OPEN_SSH, VERSIONING, Factory, finding, scan_result

from scanner.model import Status
from scanner.report import markdown
from scanner.report.markdown import render, text
from scanner.result import ReportOptions


def test_counts_then_new_findings_first(make: Factory) -> None:
    res = make.resources(make.document())
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"], baseline_state="unchanged"),
            finding(OPEN_SSH, res["Bastion"], baseline_state="new"),
            finding(ENCRYPTION, res["Uploads"], Status.PASS, baseline_state="unchanged"),
        ],
    )
    out = render(result, ReportOptions())
    assert out.startswith("### :x: pacscan: 2 failed (1 new), 1 passed\n")
    assert "| high | 1 | 1 |" in out and "| medium | 1 | 0 |" in out
    new = out.index("#### New findings (1)")
    old = out.index("#### Findings the baseline already had (1)")
    assert new < out.index("`PAC-EC2-001`") < old
    assert out.index("`PAC-S3-014`") > old
    only_new = render(result, ReportOptions(new_only=True))
    assert "PAC-S3-014" not in only_new
    assert "Not listed: 1 the baseline already had (--new-only)." in only_new
    assert only_new.startswith("### :x: pacscan: 2 failed (1 new), 1 passed\n")  # all counted


def test_long_reports_end_with_how_many_more(make: Factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    res = make.resources(make.document())
    findings = [finding(VERSIONING, res["Logs"], message=f"m{n}") for n in range(30)]
    result = scan_result(make.root, findings)
    monkeypatch.setattr(markdown, "MAX_ROWS", 10)
    out = render(result, ReportOptions())
    assert out.count("\n| medium | fail |") == 10
    assert "_… and 20 more findings not shown here._" in out
    assert out.startswith("### :x: pacscan: 30 failed\n")
    monkeypatch.setattr(markdown, "MAX_ROWS", 1000)
    monkeypatch.setattr(markdown, "MAX_CHARS", 2000)
    capped = render(result, ReportOptions())
    assert len(capped) < 2300
    shown = capped.count("\n| medium | fail |")
    assert 0 < shown < 30
    assert f"_… and {30 - shown} more findings not shown here._" in capped


def test_untrusted_text_is_literal_markdown(make: Factory) -> None:
    out = render(hostile_result(make), ReportOptions())
    row = next(line for line in out.splitlines() if line.startswith("| medium | fail"))
    assert "`<script>alert(1)</script>`" in row  # a code span shows its text as typed
    outside_code = re.sub(r"`[^`]*`", "", out)
    assert "<" not in outside_code and ">" not in outside_code.replace("&gt;", "")
    assert "&lt;b&gt;x&lt;/b&gt;" in row
    assert "@\u200boctocat" in row  # no mention, no notification
    assert "\\*\\*bold\\*\\*" in row
    assert row.count(" | ") == 5  # the | of the message cannot add a cell
    assert "\n::warning" not in out
    assert text("a|b") == "a\\|b"


def test_clean_scan(make: Factory) -> None:
    res = make.resources(make.document())
    result = scan_result(make.root, [finding(ENCRYPTION, res["Logs"], Status.PASS)])
    out = render(replace(result, files=1, resources=3), ReportOptions())
    assert out == "### :white_check_mark: pacscan: 1 passed\n\nScanned 1 file, 3 resources.\n"
