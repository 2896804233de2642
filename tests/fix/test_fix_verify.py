"""Verification and safety of ``pacscan fix``: what is dropped, refused or never written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.fix.apply import fix_file, write
from scanner.fix.plan import plan
from scanner.loaders import LoadOptions
from scanner.model import Severity
from scanner.pipeline import ScanRequest, compile_policies, run_scan

POLICIES = """
policy ENABLED {
  id = "T-001"
  title = "Mode is on"
  severity = high
  resource Custom::Widget
  assert Properties.Mode == "on" else "mode is off"
  fix set Properties.Mode = "%s"
}

policy NOT_ON {
  id = "T-002"
  title = "Mode is never on while Legacy is set"
  severity = low
  resource Custom::Widget
  assert Properties.Legacy not exists or Properties.Mode != "on" else "legacy and on"
}
"""

TEMPLATE = """\
Resources:
  Queue:
    Type: Custom::Widget
    Properties:
      Mode: "off"
"""


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    found = str(beside) if beside.exists() else shutil.which("pacscan")
    if found is None:
        pytest.fail("the pacscan command is not installed (pip install -e '.[test]')")
    return found


def _fix(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_pacscan(), "fix", "--no-config", "--policies", "rules.policy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setup(tmp_path: Path, fix_value: str, template: str = TEMPLATE) -> Path:
    (tmp_path / "rules.policy").write_text(POLICIES % fix_value)
    (tmp_path / "t.yaml").write_text(template)
    return tmp_path / "t.yaml"


def test_a_fix_that_does_not_make_its_finding_pass_is_not_written(tmp_path: Path) -> None:
    template = _setup(tmp_path, "maybe")
    done = _fix(tmp_path, "t.yaml")
    assert template.read_text() == TEMPLATE
    assert done.returncode == 1
    assert "not fixed  t.yaml:5:7 T-001 Queue Properties.Mode: the fix does not make the " in (
        done.stdout
    )


def test_a_fix_that_makes_another_policy_fail_drops_the_file_edit(tmp_path: Path) -> None:
    template = _setup(tmp_path, "on", TEMPLATE + "      Legacy: yes\n")
    done = _fix(tmp_path, "t.yaml")
    assert template.read_text() == TEMPLATE + "      Legacy: yes\n"
    assert done.returncode == 1
    assert "t.yaml: the edit was dropped: T-002 would newly fail on Queue" in done.stdout


def test_a_good_fix_is_written_and_exits_0(tmp_path: Path) -> None:
    template = _setup(tmp_path, "on")
    done = _fix(tmp_path, "t.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert template.read_text() == TEMPLATE.replace('"off"', '"on"')


def test_a_file_changed_after_it_was_read_is_not_written(tmp_path: Path) -> None:
    template = _setup(tmp_path, "on")
    request = ScanRequest(paths=(str(template),))
    policies = compile_policies((str(tmp_path / "rules.policy"),), {})
    result = run_scan(request, policies)
    work = plan(result.findings, Severity.LOW)
    now = datetime.now(timezone.utc)
    outcome = fix_file(
        str(template),
        work.requests[str(template)],
        result.findings,
        policies.program,
        LoadOptions(),
        now,
    )
    assert outcome.after is not None
    template.write_text(TEMPLATE + "# edited meanwhile\n")
    write(outcome)
    assert not outcome.written
    assert outcome.problem == "not written: the file changed while it was being fixed"
    assert template.read_text() == TEMPLATE + "# edited meanwhile\n"
    assert sorted(os.listdir(tmp_path)) == ["rules.policy", "t.yaml"]


def test_a_link_out_of_the_scanned_folder_is_never_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.yaml").write_text(TEMPLATE)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "rules.policy").write_text(POLICIES % "on")
    (root / "link.yaml").symlink_to(outside / "t.yaml")
    (root / "own.yaml").write_text(TEMPLATE)
    done = _fix(root, ".")
    assert (outside / "t.yaml").read_text() == TEMPLATE
    assert (root / "own.yaml").read_text() == TEMPLATE.replace('"off"', '"on"')
    assert done.stdout.endswith("1 finding fixed in 1 file; 0 not fixed\n")


def test_a_foreach_resource_is_reported_not_changed(tmp_path: Path) -> None:
    template = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Queues:
    - Name
    - [A, B]
    - Queue${Name}:
        Type: Custom::Widget
        Properties:
          Mode: "off"
"""
    path = _setup(tmp_path, "on", template)
    done = _fix(tmp_path, "t.yaml")
    assert path.read_text() == template
    assert done.returncode == 1
    assert "made by the Fn::ForEach::Queues loop" in done.stdout


def test_fixes_past_the_cap_are_reported_and_the_rest_done(tmp_path: Path) -> None:
    widgets = "".join(
        f'  W{n}:\n    Type: Custom::Widget\n    Properties:\n      Mode: "off"\n'
        for n in range(2100)
    )
    template = _setup(tmp_path, "on", "Resources:\n" + widgets)
    done = _fix(tmp_path, "t.yaml")  # bounded: 120 s timeout, about 5 s here
    assert done.returncode == 1
    assert done.stdout.endswith("2000 findings fixed in 1 file; 100 not fixed\n")
    assert done.stdout.count(": too many fixes in one file\n") == 100
    assert template.read_text().count('Mode: "on"') == 2000


def test_a_value_from_sam_globals_is_reported_not_changed(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures/cloudformation/sam_globals.yaml"
    original = fixture.read_text()
    (tmp_path / "t.yaml").write_text(original)
    (tmp_path / "rules.policy").write_text(
        'policy SHORT {\n  id = "T-010"\n  title = "Short timeout"\n  severity = high\n'
        "  resource AWS::Serverless::Function\n"
        '  assert Properties.Timeout <= 5 else "too long"\n'
        "  fix set Properties.Timeout = 5\n}\n"
    )
    done = _fix(tmp_path, "t.yaml")
    assert done.returncode == 1
    assert (
        "not fixed  t.yaml:10:5 T-010 Inherits Properties.Timeout: the value is written in "
        "Globals.Function, shared by other resources\n" in done.stdout
    )
    assert "fixed  t.yaml:43:5 T-010 OptsOut Properties.Timeout\n" in done.stdout
    changed = (tmp_path / "t.yaml").read_text()
    assert changed.count("Timeout: 10") == 1  # the Globals value is left as it was
    added = "      CodeUri: src/\n      Timeout: 5\n"
    assert changed.replace(added, "      CodeUri: src/\n", 1) == original


def test_diff_of_a_file_without_a_final_newline_says_so(tmp_path: Path) -> None:
    _setup(tmp_path, "on", TEMPLATE.rstrip("\n"))
    done = _fix(tmp_path, "--diff", "t.yaml")
    assert done.stdout.endswith('+      Mode: "on"\n\\ No newline at end of file\n')


def test_a_read_only_file_is_reported_not_written(tmp_path: Path) -> None:
    template = _setup(tmp_path, "on")
    template.chmod(0o444)
    done = _fix(tmp_path, "t.yaml")
    assert template.read_text() == TEMPLATE
    assert done.returncode == 1
    assert "t.yaml: not written: the file is read-only\n" in done.stdout
    assert done.stdout.endswith("0 findings fixed in 0 files; 1 not fixed\n")


def test_a_file_changed_after_the_scan_is_left_alone(tmp_path: Path) -> None:
    template = _setup(tmp_path, "on")
    request = ScanRequest(paths=(str(template),))
    policies = compile_policies((str(tmp_path / "rules.policy"),), {})
    result = run_scan(request, policies)
    template.write_text(TEMPLATE.replace("Properties:", "Properties:  # moved"))
    requests = plan(result.findings, Severity.LOW).requests[str(template)]
    now = datetime.now(timezone.utc)
    program = policies.program
    outcome = fix_file(str(template), requests, result.findings, program, LoadOptions(), now)
    assert outcome.after is None
    assert [r.reason for r in outcome.refused] == [
        "the file changed after it was scanned; run pacscan fix again"
    ]
