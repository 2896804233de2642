"""``pacscan scan`` options for suppressions, baselines and the config file, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scanner.cli import cli, main

HERE = Path(__file__).parent


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(HERE / "stack", tmp_path / "stack")
    shutil.copytree(HERE / "policies", tmp_path / "policies")
    (tmp_path / "stack" / "broken.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scan(*args: str) -> Result:
    return CliRunner().invoke(cli, ["scan", "stack", "--policies", "policies", *args])


def _results(outcome: Result) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads(outcome.stdout)["runs"][0]["results"]
    return results


def test_omit_suppressed_and_category(workdir: Path) -> None:
    kept = _results(_scan("--format", "sarif"))
    omitted = _scan("--format", "sarif", "--omit-suppressed", "--category", "team/iac")
    assert len(kept) - len(_results(omitted)) == 2
    assert all("suppressions" not in r for r in _results(omitted))
    assert json.loads(omitted.stdout)["runs"][0]["automationDetails"]["id"] == "team/iac/"


def test_config_file_supplies_defaults(workdir: Path) -> None:
    (workdir / ".pacscan.yaml").write_text(
        "report:\n  format: json\n  fail_on: critical\n"
        "suppressions:\n  - policy: GOLD-S3-002\n    resource: Uploads\n"
        "    reason: uploads are encrypted by the client\n"
        "  - policy: GOLD-S3-002\n    file: '*.snapshot.json'\n    reason: SSE-S3 is enough\n",
        encoding="utf-8",
    )
    outcome = _scan()
    assert outcome.exit_code == 0  # the only critical failure is suppressed
    report = json.loads(outcome.stdout)
    assert report["summary"]["suppressed"] == 4
    assert _scan("--fail-on", "high").exit_code == 1  # the command line wins
    assert _scan("--no-config").stdout.startswith("stack/app.yaml")  # text again


def test_bad_config_lists_every_problem_and_exits_2(workdir: Path) -> None:
    (workdir / ".pacscan.yaml").write_text("report:\n  format: pdf\n  colour: yes\n")
    outcome = _scan()
    assert outcome.exit_code == 2
    assert ".pacscan.yaml:2:11: error[C002]: report.format" in outcome.stderr
    assert ".pacscan.yaml:3:3: error[C002]: report: unknown key 'colour'" in outcome.stderr
    assert "Traceback" not in outcome.output


def test_baseline_and_new_only(workdir: Path) -> None:
    first = _scan("--format", "sarif", "--output", "baseline.sarif")
    assert first.exit_code == 1
    app = workdir / "stack" / "app.yaml"
    text = app.read_text(encoding="utf-8")
    app.write_text(
        text.replace("Resources:\n", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n\n", 1)
        + "\n  Fresh:\n    Type: AWS::S3::Bucket\n",
        encoding="utf-8",
    )
    again = _scan("--format", "sarif", "--baseline", "baseline.sarif")
    states = sorted({(r["ruleId"], r["baselineState"]) for r in _results(again)})
    assert ("GOLD-S3-001", "new") in states and ("GOLD-EC2-001", "unchanged") in states
    assert {s for _, s in states} == {"new", "unchanged"}
    assert _scan("--baseline", "baseline.sarif", "--new-only").exit_code == 1  # Fresh is new
    app.write_text(text, encoding="utf-8")
    assert _scan("--baseline", "baseline.sarif", "--new-only").exit_code == 0


def test_new_only_needs_a_baseline(workdir: Path) -> None:
    outcome = _scan("--new-only")
    assert outcome.exit_code == 2
    assert "--new-only needs a baseline" in outcome.stderr


def test_unreadable_baseline_is_a_usage_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "old.sarif").write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["scan", "stack", "--policies", "policies", "--baseline", "old.sarif"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "old.sarif:1:2: error[B002]: baseline is not valid JSON" in err
    assert "Traceback" not in err
