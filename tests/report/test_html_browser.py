"""The HTML report in a real headless Chromium (``browser.py`` drives it over the
DevTools protocol): it loads with no console error, exception or Content-Security-Policy
violation, its counts match the JSON report of the same scan, its filters and search
work, and nothing from a hostile template runs. A screenshot of the page is kept in the
test's temporary directory (and in ``$PACSCAN_TEST_ARTEFACTS`` when that is set).

Skipped when no Chromium is installed (``apt-get install chromium``, or name one in
``PACSCAN_BROWSER``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Page, find_browser
from click.testing import CliRunner
from hostile import RESOURCE, TEMPLATE

from scanner.cli import cli

BROWSER = find_browser()
GOLDEN = Path(__file__).parent.parent / "golden"

pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium to run the HTML report in: apt-get install chromium "
    "(or set PACSCAN_BROWSER to a Chromium or Chrome executable)",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    assert BROWSER is not None
    opened = Page(BROWSER, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One scan of tests/golden/stack written as HTML and JSON in the same run."""
    out = tmp_path_factory.mktemp("reports")
    here = os.getcwd()
    os.chdir(GOLDEN)
    try:
        args = ["scan", "stack", "--policies", "policies", "--no-config", "--format", "json"]
        args += ["-o", str(out / "report.json"), "--output", f"html:{out / 'report.html'}"]
        outcome = CliRunner().invoke(cli, args)
    finally:
        os.chdir(here)
    assert outcome.exit_code == 4, outcome.output
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


def _keep(shot: Path) -> None:
    artefacts = os.environ.get("PACSCAN_TEST_ARTEFACTS")
    if artefacts:
        Path(artefacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artefacts) / shot.name)


def _choose(page: Page, field: str, value: str) -> None:
    page.evaluate(
        f"(function () {{ var s = document.getElementById('filter-{field}');"
        f" s.value = {json.dumps(value)};"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def _visible(page: Page) -> list[dict[str, str]]:
    rows = page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('tr.finding'), function (r) {"
        " return {hidden: r.hidden, severity: r.dataset.severity, status: r.dataset.status,"
        " service: r.dataset.service, text: r.textContent}; })"
    )
    return [row for row in rows if not row["hidden"]]


def test_the_page_loads_cleanly_and_counts_what_the_json_report_counts(
    page: Page, reports: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    html, data = reports
    page.open(html)
    assert page.problems() == []
    summary = data["summary"]
    counts = page.evaluate(
        "(function () { var c = {}; document.querySelectorAll('#status-counts .card')"
        ".forEach(function (e) { c[e.id] = Number(e.dataset.count); }); return c; })()"
    )
    for status in ("fail", "unknown", "error", "suppressed", "pass", "skip"):
        assert counts[f"count-{status}"] == summary[status], status
    assert counts["count-errors"] == len(data["errors"])
    assert page.evaluate("Number(document.getElementById('files').textContent)") == summary["files"]
    assert len(_visible(page)) == len(data["findings"])
    assert page.evaluate("document.getElementById('shown').textContent") == str(
        len(data["findings"])
    )
    failed = Counter(f["severity"] for f in data["findings"] if f["status"] == "fail")
    by_severity = page.evaluate(
        "(function () { var c = {}; document.querySelectorAll('#by-severity tbody tr')"
        ".forEach(function (r) { c[r.dataset.severity] = Number(r.cells[1].textContent); });"
        " return c; })()"
    )
    assert by_severity == dict(failed)
    shot = page.screenshot(tmp_path / "html-report.png")
    assert shot.read_bytes().startswith(b"\x89PNG")
    _keep(shot)


def test_filters_search_and_summary_buttons(
    page: Page, reports: tuple[Path, dict[str, Any]]
) -> None:
    html, data = reports
    page.open(html)
    _choose(page, "severity", "critical")
    critical = [f for f in data["findings"] if f["severity"] == "critical"]
    assert len(_visible(page)) == len(critical) == 3
    assert page.evaluate("document.getElementById('shown').textContent") == "3"
    _choose(page, "status", "fail")
    assert len(_visible(page)) == 2
    page.evaluate("document.getElementById('filters').reset()")
    page.evaluate(
        "(function () { var s = document.getElementById('search'); s.value = 'BASTION';"
        " s.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )
    (row,) = _visible(page)
    assert "Bastion" in row["text"]
    page.evaluate("document.querySelector('#by-service button[data-value=\"EC2\"]').click()")
    shown = _visible(page)
    assert [(r["service"], r["status"]) for r in shown] == [("EC2", "fail")]
    assert page.evaluate("document.getElementById('search').value") == ""  # a pick starts afresh
    page.evaluate("document.getElementById('filters').reset()")
    _choose(page, "account", "111122223333")
    assert [r["service"] for r in _visible(page)] == ["S3"]
    _choose(page, "severity", "low")
    assert _visible(page) == []
    assert page.evaluate("document.getElementById('none-shown').hidden") is False
    assert page.problems() == []


def test_a_hostile_template_runs_nothing(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "<img src=x onerror=alert(2)>.yaml"
    bad.write_text(TEMPLATE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    policies = GOLDEN / "policies"
    outcome = CliRunner().invoke(
        cli,
        [
            "scan",
            ".",
            "--policies",
            str(policies),
            "--no-config",
            "--format",
            "html",
            "-o",
            "r.html",
        ],
    )
    assert outcome.exit_code == 1, outcome.output
    page.open(tmp_path / "r.html")
    assert page.problems() == []  # no dialog, no blocked script, no error
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.images.length") == 0
    ids = page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('tr.finding td:nth-child(4)'),"
        " function (c) { return c.textContent; })"
    )
    assert ids and all(cell.endswith(RESOURCE) for cell in ids)


def test_an_altered_script_is_blocked_and_reported(
    page: Page, reports: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """What the clean-load assertions rely on: a CSP violation is seen."""
    html, _ = reports
    altered = tmp_path / "altered.html"
    text = html.read_text(encoding="utf-8")
    altered.write_text(
        text.replace('"use strict";', '"use strict"; window.injected = 1;'), encoding="utf-8"
    )
    page.open(altered)
    assert any("Content Security Policy" in problem for problem in page.problems())
    assert page.evaluate("window.injected === undefined")
