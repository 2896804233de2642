"""Report plumbing of ``pacscan scan``: several reports in one run, --soft-fail, --quiet,
NO_COLOR and what --new-only shows, through the command line on real templates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner.cli import cli
from scanner.report import destinations

POLICIES = Path(__file__).resolve().parent.parent / "golden" / "policies"
BUCKETS = """\
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
"""
NEW_BUCKET = """\
  Media:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: media
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "app.yaml").write_text(BUCKETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def scan(*args: str, env: dict[str, str] | None = None) -> Result:
    base = ["scan", "infra", "--policies", str(POLICIES), "--no-config"]
    return CliRunner().invoke(cli, [*base, *args], env=env)


def test_several_reports_from_one_scan(repo: Path) -> None:
    (repo / "infra" / "app.yaml").write_text(BUCKETS + NEW_BUCKET, encoding="utf-8")
    (repo / "out").mkdir()
    done = scan(
        "--format", "json", "-o", "out/report.json",
        "--output", "sarif:out/report.sarif",
        "--output", "html:out/report.html",
        "--output", "csv:out/report.csv",
        "--output", "markdown:out/summary.md",
        "--output", "gitlab-sast:out/gl-sast-report.json",
    )  # fmt: skip
    assert done.exit_code == 1, done.output
    assert done.stdout == ""  # every report went to its file
    report = json.loads((repo / "out" / "report.json").read_text(encoding="utf-8"))
    failed = [f for f in report["findings"] if f["status"] == "fail"]
    assert len(failed) == 3  # Logs unversioned; Media unversioned and unencrypted
    sarif = json.loads((repo / "out" / "report.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])
    rows = list(
        csv.DictReader(io.StringIO((repo / "out" / "report.csv").read_text(encoding="utf-8")))
    )
    assert len(rows) == len(report["findings"])
    gitlab = json.loads((repo / "out" / "gl-sast-report.json").read_text(encoding="utf-8"))
    assert len(gitlab["vulnerabilities"]) == len(failed)
    assert (
        (repo / "out" / "summary.md")
        .read_text(encoding="utf-8")
        .startswith("### :x: pacscan: 3 failed")
    )
    assert (repo / "out" / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_text_report_stays_on_stdout_beside_report_files(repo: Path) -> None:
    done = scan("--output", "sarif:report.sarif")
    assert done.exit_code == 1
    assert "infra/app.yaml:4:5: medium GOLD-S3-001" in done.stdout
    assert done.stdout.endswith("\n1 file, 1 resource: 1 failed, 1 passed\n")
    assert json.loads((repo / "report.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "a.txt", "-o", "b.txt"], "-o FILE was given more than once"),
        (
            ["--output", "sarif:x.sarif", "--output", "html:x.sarif"],
            "two reports would be written to x.sarif",
        ),
        (["--output", "json:-"], "only one report can go to stdout"),
        (["--output", "html:"], "no file after html:"),
        (["--output", "html:missing/report.html"], "does not exist"),
    ],
)
def test_report_mistakes_stop_before_the_scan(repo: Path, args: list[str], message: str) -> None:
    from scanner.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["scan", "infra", "--policies", str(POLICIES), "--no-config", *args])
    assert stopped.value.code == 2
    assert not (repo / "x.sarif").exists()


def test_report_mistakes_are_one_message(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.cli import main

    with pytest.raises(SystemExit):
        main(["scan", "infra", "--policies", str(POLICIES), "--no-config", "--output", "json:-"])
    err = capsys.readouterr().err
    assert "only one report can go to stdout" in err and "Traceback" not in err


def test_soft_fail_exits_0_for_findings_and_input_errors_only(repo: Path) -> None:
    (repo / "infra" / "broken.yaml").write_text("Resources: [\n", encoding="utf-8")
    assert scan().exit_code == 4
    done = scan("--soft-fail")
    assert done.exit_code == 0
    assert "1 failed" in done.stdout and "error[I005]" in done.stdout
    bad_policy = repo / "bad.policy"
    bad_policy.write_text("policy {", encoding="utf-8")
    broken = scan("--soft-fail", "--policies", str(bad_policy))
    assert broken.exit_code == 2
    unwritable = scan("--soft-fail", "--output", "json:/dev/full", "-o", "report.txt")
    assert unwritable.exit_code == 2  # a report that could not be written
    assert "error[OUTPUT]: cannot write the report to /dev/full" in unwritable.stderr
    assert "1 failed" in (repo / "report.txt").read_text(encoding="utf-8")  # the rest is written


def test_quiet_lists_failures_only(repo: Path) -> None:
    (repo / "infra" / "app.yaml").write_text(
        BUCKETS + "  Imported:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      VersioningConfiguration: {Status: !ImportValue shared-status}\n",
        encoding="utf-8",
    )
    loud = scan()
    assert "[unknown]" in loud.stdout
    quiet = scan("--quiet")
    assert quiet.exit_code == 1
    assert "[unknown]" not in quiet.stdout
    assert "GOLD-S3-001" in quiet.stdout
    assert "Not listed: 1 not failed (--quiet)." in quiet.stdout
    assert quiet.stdout.endswith(": 2 failed, 1 unknown, 1 passed\n")  # all still counted


def test_no_color_turns_colour_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(destinations, "_tty", lambda: True)  # as on a terminal
    assert "\x1b[" in scan().stdout
    assert "\x1b[" in scan(env={"NO_COLOR": ""}).stdout  # empty: not set (no-color.org)
    assert "\x1b[" not in scan(env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in scan("-o", "report.txt").stdout + (repo / "report.txt").read_text()


def test_new_only_shows_and_counts_what_is_new(repo: Path) -> None:
    assert scan("--format", "json", "-o", "baseline.json").exit_code == 1
    app = repo / "infra" / "app.yaml"
    app.write_text(app.read_text(encoding="utf-8") + NEW_BUCKET, encoding="utf-8")
    done = scan(
        "--baseline",
        "baseline.json",
        "--new-only",
        "--output",
        "markdown:pr.md",
        "--output",
        "sarif:all.sarif",
    )
    assert done.exit_code == 1
    listed = [line for line in done.stdout.splitlines() if "GOLD-" in line]
    assert len(listed) == 2 and all(line.endswith("[new]") for line in listed)
    assert "bucket Logs" not in done.stdout and "bucket Media" in done.stdout
    assert "Not listed: 1 the baseline already had (--new-only)." in done.stdout
    assert done.stdout.endswith("\n1 file, 2 resources: 3 failed (2 new), 1 passed\n")
    markdown = (repo / "pr.md").read_text(encoding="utf-8")
    assert markdown.startswith("### :x: pacscan: 3 failed (2 new), 1 passed\n")
    assert "#### New findings (2)" in markdown and "already had (1)" not in markdown
    assert "bucket Logs" not in markdown
    sarif = json.loads((repo / "all.sarif").read_text(encoding="utf-8"))
    states = sorted(r["baselineState"] for r in sarif["runs"][0]["results"])
    assert states == ["new", "new", "unchanged"]  # SARIF keeps every result


def test_every_format_is_offered_everywhere() -> None:
    from importlib.resources import files

    from scanner.commands.options import FORMATS
    from scanner.report import REPORTERS, available_formats

    schema = json.loads(files("scanner.data").joinpath("config.schema.json").read_text("utf-8"))
    formats = schema["properties"]["report"]["properties"]["format"]["enum"]
    assert formats == FORMATS == list(REPORTERS)
    assert available_formats() == sorted(REPORTERS)
    help_text = CliRunner().invoke(cli, ["scan", "--help"]).output
    assert "[text|json|sarif|junit|html|csv|markdown|gitlab-sast]" in help_text
