"""Run every benchmark in this directory and print its figures.

Usage: ``python benchmarks/run.py [NAME ...]`` where NAME is a script without ``bench_``
and ``.py`` (e.g. ``language``). Each script prints its own measurements and targets and
exits non-zero when a target is missed; this runner reports which ones did.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        wanted = {f"bench_{name}.py" for name in argv}
        scripts = [s for s in scripts if s.name in wanted]
    missed: list[str] = []
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"({script.stem}: {time.perf_counter() - started:.1f} s, exit {code})\n", flush=True)
        if code != 0:
            missed.append(script.stem)
    if missed:
        print("targets missed or benchmark failed: " + ", ".join(missed))
        return 1
    print(f"all {len(scripts)} benchmarks met their targets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
