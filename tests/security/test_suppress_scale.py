"""Inline suppressions cost the same per finding however large the template is.

A template with many resources gives many findings; each finding used to search the whole
template text for ``pacscan:ignore`` (10,000 buckets: 11.5 s, 50,000: 245 s). The
directives of a document are now indexed once, so the scan is linear in its size.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

BUCKETS = 10_000
TIMEOUT = 60  # seconds; the quadratic version needs minutes for this template
MEMORY = 2 << 30  # bytes of address space for the scanning process


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _pacscan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / "cache")}  # outside the scanned folder
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )


def _many_buckets(count: int) -> str:
    """``count`` buckets, each under a long comment (text the old per-finding search
    read again for every finding); the last one carries an inline suppression, so a
    search for it crosses the whole text."""
    lines = ["Resources:"]
    padding = "# " + "this bucket keeps build artefacts for the release pipeline " * 3
    for n in range(count):
        lines.append(f"  {padding}")
        if n == count - 1:
            lines.append("  # pacscan:ignore PAC-S3-009 artefacts are rebuilt, never versioned")
        lines += [f"  Bucket{n}:", "    Type: AWS::S3::Bucket", "    Properties:"]
        lines.append(f"      BucketName: artefacts-{n}")
    return "\n".join(lines) + "\n"


def test_many_findings_in_one_template_are_suppressed_in_linear_time(tmp_path: Path) -> None:
    scanned = tmp_path / "templates"
    scanned.mkdir()
    (scanned / "big.yaml").write_text(_many_buckets(BUCKETS), encoding="utf-8")
    (scanned / "small.yaml").write_text(
        "Resources:\n  Plain:\n    Type: AWS::S3::Bucket\n", encoding="utf-8"
    )
    done = _pacscan("scan", "templates", "--format", "json", "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    findings = json.loads((tmp_path / "out.json").read_text("utf-8"))["findings"]
    versioning = {
        (Path(f["file"]).name, f["resource"]["id"]): f["status"]
        for f in findings
        if f["policy_id"] == "PAC-S3-009"
    }
    assert versioning[("big.yaml", f"Bucket{BUCKETS - 1}")] == "suppressed"
    assert versioning[("big.yaml", f"Bucket{BUCKETS - 2}")] == "fail"
    assert versioning[("big.yaml", "Bucket0")] == "fail"
    assert versioning[("small.yaml", "Plain")] == "fail"
    assert sum(1 for f in findings if f["status"] == "fail") >= 5 * BUCKETS
