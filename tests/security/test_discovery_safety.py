"""Finding and reading files cannot hang a scan or hide a problem.

Before: a FIFO named ``*.yaml`` in a scanned directory hung the scan forever (it was
opened and read like a file); globs with many ``**`` (``--exclude``, config suppression
``file:`` patterns) were one regular expression that backtracked for minutes; an
unreadable subdirectory was skipped silently (exit 0); a syntax error at the end of a
15 MB line printed 30 MB. Each case runs ``pacscan`` in a subprocess with a timeout and
1.5 GiB of address space, next to a good template that must still be scanned.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 90  # seconds for the subprocess; the test asserts far less
FAST = 30
MEMORY = 3 << 29  # 1.5 GiB
GOOD = (
    "Resources:\n  Good:\n    Type: AWS::S3::Bucket\n    Properties:\n"
    "      VersioningConfiguration: {Status: Enabled}\n"
)
BAD = "Resources:\n  Bad:\n    Type: AWS::S3::Bucket\n"
HOSTILE_GLOB = "**/" * 20 + "*a" * 10 + "b"  # 60 wildcards: under the cap of 64


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    found = str(beside) if beside.exists() else shutil.which("pacscan")
    if found is None:
        pytest.fail("the pacscan command is not installed (pip install -e '.[test]')")
    return found


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def scan(*args: str, prefix: tuple[str, ...] = ()) -> tuple[int, Any, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [*prefix, _pacscan(), "scan", "--format", "json", "--include-passed"]
        + ["--policy", "PAC-S3-009", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    elapsed = time.monotonic() - started
    report = json.loads(done.stdout) if done.stdout.startswith("{") else None
    return done.returncode, report, done.stderr, elapsed


def verdicts(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["resource"]["id"], f["status"]) for f in report["findings"]]


def errors(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(Path(e["file"]).name, e["code"]) for e in report["errors"]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_a_scanned_directory_is_passed_over(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(GOOD)
    code, report, _, elapsed = scan("--no-config", str(tmp_path))
    assert elapsed < FAST
    assert report["summary"]["files"] == 1 and report["errors"] == []
    assert verdicts(report) == [("Good", "pass")]
    assert code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_on_the_command_line_is_an_input_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(GOOD)
    code, report, stderr, elapsed = scan(
        "--no-config", str(tmp_path / "pipe.yaml"), str(tmp_path / "good.yaml")
    )
    assert elapsed < FAST
    assert errors(report) == [("pipe.yaml", "I014")]
    assert "not a regular file (a FIFO)" in stderr
    assert verdicts(report) == [("Good", "pass")]
    assert code == 3


def _without_read_override() -> tuple[str, ...]:
    """A command prefix under which a directory with mode 000 cannot be read."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: every directory is readable")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all")


def test_an_unreadable_subdirectory_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "bad.yaml").write_text(BAD)
    locked.chmod(0)
    try:
        code, report, stderr, _ = scan(
            "--no-config", str(tmp_path), prefix=_without_read_override()
        )
    finally:
        locked.chmod(0o755)
    assert errors(report) == [("locked", "I010")]
    assert "cannot read directory: Permission denied" in stderr
    assert verdicts(report) == [("Good", "pass")]
    assert code == 3


def test_a_glob_with_many_wildcards_matches_in_linear_time(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a" * 20] * 40)
    deep.mkdir(parents=True)
    (deep / ("a" * 100 + ".yaml")).write_text(BAD)
    (tmp_path / "good.yaml").write_text(GOOD)
    code, report, _, elapsed = scan("--no-config", "--exclude", HOSTILE_GLOB, str(tmp_path))
    assert elapsed < FAST
    assert sorted(verdicts(report)) == [("Bad", "fail"), ("Good", "pass")]
    assert code == 1


def test_a_suppression_file_glob_with_many_wildcards_matches_in_linear_time(
    tmp_path: Path,
) -> None:
    deep = tmp_path.joinpath(*["a" * 20] * 40)
    deep.mkdir(parents=True)
    (deep / ("a" * 100 + ".yaml")).write_text(BAD)
    config = tmp_path / ".pacscan.yaml"
    config.write_text(
        "suppressions:\n"
        f"  - file: {json.dumps(HOSTILE_GLOB)}\n    reason: never matches\n"
        "  - file: '**/a*a/*.yaml'\n    reason: accepted\n"
    )
    code, report, _, elapsed = scan("--config", str(config), str(tmp_path))
    assert elapsed < FAST
    assert verdicts(report) == [("Bad", "suppressed")]
    assert code == 0


@pytest.mark.parametrize(
    ("glob", "message"),
    [
        ("*" * 65, "has 65 wildcards, over 64"),
        ("a/" * 600, "1200 characters long, over 1024"),
    ],
)
def test_an_oversized_glob_is_a_usage_error(tmp_path: Path, glob: str, message: str) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, report, stderr, elapsed = scan("--no-config", "--exclude", glob, str(tmp_path))
    assert elapsed < FAST
    assert report is None and message in stderr and "Traceback" not in stderr
    assert len(stderr) < 400
    assert code == 2


def test_a_syntax_error_on_a_15_mb_line_prints_a_window(tmp_path: Path) -> None:
    line = '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "X": "' + "a" * 15_000_000
    (tmp_path / "min.json").write_text(line + '" ,, }}}')
    (tmp_path / "good.yaml").write_text(GOOD)
    code, report, stderr, elapsed = scan("--no-config", str(tmp_path))
    assert elapsed < FAST
    assert errors(report) == [("min.json", "I006")]
    assert len(stderr) < 1000
    assert verdicts(report) == [("Good", "pass")]
    assert code == 3
