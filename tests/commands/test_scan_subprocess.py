"""The installed `pacscan` command, run as a user runs it, on the bundled fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    found = str(beside) if beside.exists() else shutil.which("pacscan")
    if found is None:
        pytest.fail("the pacscan command is not installed (pip install -e '.[test]')")
    return found


def _scan(*args: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [_pacscan(), "scan", "--no-config", "--format", "json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def test_fixtures_give_exact_findings_errors_and_exit_code_4() -> None:
    code, report, stderr = _scan("fixtures/cloudformation", "--policy", "PAC-S3-009")
    assert code == 4  # findings over the threshold, and input errors: an incomplete scan
    assert report["summary"]["files"] == 19
    logs = [f for f in report["findings"] if f["resource"]["id"] == "Logs"]
    assert logs == [
        {
            "policy_id": "PAC-S3-009",
            "title": "S3 buckets keep object versions",
            "severity": "low",
            "status": "fail",
            "message": "bucket Logs does not keep object versions (when condition IsProd is false)",
            "resource": {"type": "AWS::S3::Bucket", "id": "Logs"},
            "file": "fixtures/cloudformation/conditions.yaml",
            "location": {"line": 24, "column": 13, "end_line": 24, "end_column": 22},
            "path": ["Properties", "VersioningConfiguration", "Status"],
        }
    ]
    errors = {(e["file"].rsplit("/", 1)[-1], e["code"]) for e in report["errors"]}
    assert {
        ("binary.json", "I003"),
        ("empty.yaml", "I002"),
        ("invalid-utf8.yaml", "I004"),
        ("malformed.yaml", "I005"),
        ("malformed.json", "I006"),
        ("duplicate-keys.yaml", "I007"),
    } <= errors
    assert "Traceback" not in stderr
    assert "fixtures/cloudformation/bad/malformed.json:3:42: error[I006]" in stderr


def test_input_errors_without_findings_over_the_threshold_exit_3() -> None:
    code, report, _ = _scan(
        "fixtures/cloudformation", "--policy", "PAC-S3-009", "--fail-on", "high"
    )
    assert code == 3
    assert report["summary"]["fail"] > 0  # low-severity fails do not count at --fail-on high


def test_a_compliant_stack_exits_0_with_no_findings() -> None:
    code, report, _ = _scan("fixtures/compliant")
    assert code == 0
    assert report["findings"] == []
    assert report["errors"] == []
