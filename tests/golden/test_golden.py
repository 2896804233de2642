"""Golden reports: a real scan of ``stack/`` (a template, a snapshot of live resources
and a broken file) with ``policies/``, compared byte for byte.

Only what changes from run to run is normalised: the tool version, timestamps, and the
absolute scan root in SARIF's ``originalUriBaseIds``. To accept a deliberate change in
the output, run ``PACSCAN_UPDATE_GOLDEN=1 pytest tests/golden`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli import cli

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
SCHEMA = HERE.parent / "data" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("PACSCAN_UPDATE_GOLDEN") == "1"


def _scan(fmt: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(HERE)
    args = ["scan", "stack", "--policies", "policies", "--no-config", "--format", fmt]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 4, outcome.output  # failures at or above low, and broken.yaml
    return outcome.stdout


def _normalise_sarif(text: str) -> str:
    log: dict[str, Any] = json.loads(text)
    run = log["runs"][0]
    run["tool"]["driver"]["version"] = run["tool"]["driver"]["semanticVersion"] = "VERSION"
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///ROOT/"
    for invocation in run["invocations"]:
        invocation["startTimeUtc"] = invocation["endTimeUtc"] = "TIME"
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _normalise_json(text: str) -> str:
    report: dict[str, Any] = json.loads(text)
    report["tool"]["version"] = "VERSION"
    return json.dumps(report, indent=2) + "\n"


def _normalise_junit(text: str) -> str:
    text = re.sub(r'timestamp="[^"]*"', 'timestamp="TIME"', text)
    return re.sub(r'time="[^"]*"', 'time="0"', text)


NORMALISE = {
    "sarif": _normalise_sarif,
    "json": _normalise_json,
    "junit": _normalise_junit,
    "text": lambda text: text,
}
SUFFIX = {"sarif": "sarif", "json": "json", "junit": "xml", "text": "txt"}


@pytest.mark.parametrize("fmt", ["sarif", "text", "json", "junit"])
def test_report_matches_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    actual = NORMALISE[fmt](_scan(fmt, monkeypatch))
    golden = EXPECTED / f"app.{SUFFIX[fmt]}"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_golden_sarif_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    log = json.loads(_scan("sarif", monkeypatch))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    results = log["runs"][0]["results"]
    kinds = sorted({(r["ruleId"], r["kind"], bool(r["suppressions"])) for r in results})
    assert kinds == [
        ("GOLD-EC2-001", "fail", False),
        ("GOLD-S3-001", "fail", False),
        ("GOLD-S3-001", "fail", True),
        ("GOLD-S3-001", "review", False),
        ("GOLD-S3-002", "fail", False),
        ("GOLD-S3-002", "fail", True),
    ]
    live = [r for r in results if r["locations"][0].get("logicalLocations")]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in live] == [
        "aws/111122223333/eu-west-1/AWS%3A%3AS3%3A%3ABucket/acme-logs"
    ]
    assert live[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "arn:aws:s3:::acme-logs"
    )
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "stack/broken.yaml"
    ]
