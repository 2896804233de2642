"""How a whole scan grows with the number of resources in one template.

Generates templates of 5,000, 10,000 and 20,000 buckets (each bucket gives five failing
findings, and the last carries an inline ``pacscan:ignore`` comment) in a temporary
directory and times a whole ``pacscan scan FILE --format json`` process on each.

Target: linear growth. Four times the buckets may take at most 6x the time (quadratic
work per finding, such as searching the template text once per finding, gives 16x).
Each timing is the best of RUNS runs. Exits 1 when the target is missed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (5_000, 10_000, 20_000)
RUNS = 2
GROWTH_TARGET = 6.0


def template(buckets: int) -> str:
    lines = ["Resources:"]
    for n in range(buckets):
        if n == buckets - 1:
            lines.append("  # pacscan:ignore PAC-S3-009 rebuilt from source, never versioned")
        lines += [f"  Bucket{n}:", "    Type: AWS::S3::Bucket", "    Properties:"]
        lines.append(f"      BucketName: artefacts-{n}")
    return "\n".join(lines) + "\n"


def scan_seconds(path: Path) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", "from scanner.cli import main; main()", "scan", str(path)]
            + ["--format", "json", "-o", str(path.with_suffix(".json"))],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 1:
            sys.exit(f"pacscan scan exited {done.returncode}:\n{done.stderr}")
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="pacscan-bench-suppress-"))
    try:
        times = {}
        for size in SIZES:
            path = work / f"buckets_{size}.yaml"
            path.write_text(template(size), encoding="utf-8")
            times[size] = scan_seconds(path)
            print(f"  {size:6,} buckets in one template: {times[size]:6.2f} s (whole process)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    growth = times[SIZES[-1]] / times[SIZES[0]]
    print(f"  {SIZES[-1] // SIZES[0]}x the buckets took {growth:.1f}x the time")
    if growth > GROWTH_TARGET:
        print(f"MISSED: growth {growth:.1f}x > {GROWTH_TARGET}x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
