"""Does the cost grow linearly? Each shape is scanned at N and 2N and the times compared.

Shapes (one generated template each, in a temporary directory):

- ``resources``: N S3 buckets in one template, each failing several policies: loading,
  evaluation, locations and findings grow with N;
- ``fan-in``: one bucket and N CloudTrail trails naming it with ``Ref``: every trail is
  related to the same bucket (``related()``), as a default security group is to the
  instances that use it;
- ``sarif``: the N-bucket template reported as SARIF, its fixes edited and verified by a
  re-scan in memory first, as ``scan --format sarif`` does.

Each is measured in this process (load, evaluate, triage and render, no start-up), best of
a few runs of CPU time. Target: doubling N at most 2.5x the time (linear, with room for
noise; a quadratic path gives 4x). Also prints the fan-in time at 20,000 trails against
its target of 2 s. Absolute times depend on the machine and its load; the ratios less so.

Usage: ``python benchmarks/bench_scaling.py [--n N]`` (default 4,000).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scanner.pipeline import Run, ScanRequest, compile_policies, scan_inputs
from scanner.report import renderer
from scanner.result import ReportOptions

RATIO_TARGET = 2.5
FAN_IN = 20_000
FAN_IN_SECONDS = 2.0
RUNS = 3


def buckets(n: int) -> dict[str, object]:
    return {
        "Resources": {
            f"Bucket{i}": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"b-{i}"}}
            for i in range(n)
        }
    }


def fan_in(n: int) -> dict[str, object]:
    resources: dict[str, object] = {
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}}
    }
    for i in range(n):
        resources[f"Trail{i}"] = {
            "Type": "AWS::CloudTrail::Trail",
            "Properties": {"S3BucketName": {"Ref": "Logs"}, "IsLogging": True},
        }
    return {"Resources": resources}


def measure(work: Path, template: dict[str, object], fmt: str) -> float:
    """Best CPU seconds of scanning ``template`` and rendering it as ``fmt``."""
    path = work / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    policies = compile_policies([], {})
    render = renderer(fmt)
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        request = ScanRequest((str(path),), jobs=1, root=str(work))
        # as `scan`: with SARIF, fixes edited and verified in memory
        result = scan_inputs(request, policies, Run(), fixes=fmt == "sarif")
        render(result, ReportOptions())
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    n = parser.parse_args().n
    shapes: list[tuple[str, Callable[[int], dict[str, object]], str]] = [
        ("resources", buckets, "json"),
        ("fan-in", fan_in, "json"),
        ("sarif", buckets, "sarif"),
    ]
    work = Path(tempfile.mkdtemp(prefix="pacscan-scaling-"))
    missed: list[str] = []
    try:
        print("absolute times depend on the machine and its load; the ratios less so")
        for name, make, fmt in shapes:
            small = measure(work, make(n), fmt)
            large = measure(work, make(2 * n), fmt)
            ratio = large / small
            verdict = "ok" if ratio <= RATIO_TARGET else f"MISSED (> {RATIO_TARGET}x)"
            print(
                f"  {name:<10} N={n:>6}: {small:6.2f} s   2N: {large:6.2f} s   "
                f"ratio {ratio:4.2f}  {verdict}"
            )
            if ratio > RATIO_TARGET:
                missed.append(name)
        seconds = measure(work, fan_in(FAN_IN), "json")
        verdict = "ok" if seconds <= FAN_IN_SECONDS else f"MISSED (> {FAN_IN_SECONDS} s)"
        print(f"  fan-in of {FAN_IN:,} trails to one bucket: {seconds:.2f} s CPU  {verdict}")
        if seconds > FAN_IN_SECONDS:
            missed.append("fan-in time")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if missed:
        print("targets missed: " + ", ".join(missed))
        return 1
    print("all scaling targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
