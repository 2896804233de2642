"""Golden CSV, Markdown and GitLab SAST reports: a real scan of tests/golden/stack (a
template, a snapshot of live resources and a broken file) with its policies, compared
byte for byte. Only the tool version and the scan times are normalised.

To accept a deliberate change, run ``PACSCAN_UPDATE_GOLDEN=1 pytest tests/report`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli import cli

STACK = Path(__file__).parent.parent / "golden"
EXPECTED = Path(__file__).parent / "expected"
GITLAB_SCHEMA = Path(__file__).parent / "data" / "gitlab-sast-report-format-15.1.4.json"
UPDATE = os.environ.get("PACSCAN_UPDATE_GOLDEN") == "1"


def scan_stack(fmt: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.chdir(STACK)
    args = ["scan", "stack", "--policies", "policies", "--no-config", "--format", fmt, *extra]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 4, outcome.output  # failures, and broken.yaml
    return outcome.stdout


def _normalise_gitlab(text: str) -> str:
    report: dict[str, Any] = json.loads(text)
    for tool in ("analyzer", "scanner"):
        report["scan"][tool]["version"] = "VERSION"
    report["scan"]["start_time"] = report["scan"]["end_time"] = "2000-01-01T00:00:00"
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


NORMALISE = {"csv": str, "markdown": str, "gitlab-sast": _normalise_gitlab}
NAMES = {"csv": "app.csv", "markdown": "app.md", "gitlab-sast": "app.gitlab-sast.json"}


@pytest.mark.parametrize("fmt", ["csv", "markdown", "gitlab-sast"])
def test_report_matches_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    actual = NORMALISE[fmt](scan_stack(fmt, monkeypatch))
    golden = EXPECTED / NAMES[fmt]
    if UPDATE:
        golden.write_bytes(actual.encode("utf-8"))
    assert actual == golden.read_bytes().decode("utf-8")


def gitlab_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_golden_gitlab_report_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    report = json.loads(scan_stack("gitlab-sast", monkeypatch))
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in gitlab_validator().iter_errors(report)
    ]
    assert errors == []
    assert len(report["vulnerabilities"]) == 5  # the failed findings, not the others
