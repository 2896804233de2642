""".ci/validate-sarif applies GitHub's upload limits, not the Multitool's 1,000-result default.

Runs the script itself (the official schema, the limits, Microsoft's SARIF Multitool) on a
real scan with more than 1,000 results and on a log past one of GitHub's hard limits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "validate-sarif"
MULTITOOL_VERSION = "5.7.0"


def multitool_ready() -> bool:
    """The Multitool is installed in the script's cache, or npm can install it."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    installed = (
        Path(cache)
        / "pacscan"
        / f"sarif-multitool-{MULTITOOL_VERSION}"
        / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
    )
    return installed.is_file() or shutil.which("npm") is not None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the script runs the Linux Multitool"),
    pytest.mark.skipif(not multitool_ready(), reason="no SARIF Multitool and no npm to get it"),
]


def buckets_template(count: int) -> str:
    """``count`` bare S3 buckets: each fails five built-in policies."""
    lines = ["Resources:"]
    for n in range(count):
        lines += [f"  Bucket{n}:", "    Type: AWS::S3::Bucket", "    Properties:"]
        lines += [f"      BucketName: bucket-{n}"]
    return "\n".join(lines) + "\n"


def scan_to_sarif(template: Path, out: Path) -> dict:
    with pytest.raises(SystemExit) as done:
        main(["scan", str(template), "--no-config", "--format", "sarif", "-o", str(out)])
    assert done.value.code == 1
    return json.loads(out.read_text(encoding="utf-8"))


def runs_past_the_limit(log: dict, count: int) -> dict:
    """``log`` with ``count`` copies of its run, rules and results left out (GitHub allows
    20 runs)."""
    first = log["runs"][0]
    run = {**first, "tool": {"driver": {**first["tool"]["driver"], "rules": []}}, "results": []}
    return {**log, "runs": [run] * count}


def validate(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, files)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_github_limits_pass_a_large_scan_and_fail_past_a_hard_limit(tmp_path: Path) -> None:
    template = tmp_path / "buckets.yaml"
    template.write_text(buckets_template(260), encoding="utf-8")
    large = tmp_path / "large.sarif"
    log = scan_to_sarif(template, large)
    assert len(log["runs"][0]["results"]) == 1300  # over the Multitool's 1,000 default
    runs = tmp_path / "runs.sarif"
    runs.write_text(json.dumps(runs_past_the_limit(log, 21)), encoding="utf-8")
    tagged = tmp_path / "tagged.sarif"
    tagged.write_text(json.dumps(too_many_tags(log)), encoding="utf-8")

    done = validate(large, runs, tagged)  # one run of the script: the Multitool is slow

    assert done.returncode == 1, done.stdout + done.stderr
    before_runs, after_runs = done.stdout.split(f"{runs}\n")
    runs_part, tagged_part = after_runs.split(f"{tagged}\n")
    assert before_runs == f"{large}\n  ok\n", done.stdout
    assert "  limits: error runs: 21 runs; GitHub rejects more than 20\n" in runs_part
    assert (
        "  limits: error runs[0].tool.driver.rules[0].properties.tags: 21 tags; "
        "GitHub rejects more than 20\n"
    ) in tagged_part
    assert "GH1004" not in done.stdout


def too_many_tags(log: dict) -> dict:
    """``log`` with 21 tags on its first rule (GitHub allows 20)."""
    tagged = json.loads(json.dumps(log))
    rule = tagged["runs"][0]["tool"]["driver"]["rules"][0]
    rule["properties"]["tags"] = [f"tag-{n}" for n in range(21)]
    return tagged
