"""Run every benchmark in this directory and print its figures.

Usage: ``python benchmarks/run.py [--corpus DIR] [--peers DIR] [--skip-collect] [NAME ...]``
where NAME is a script without ``bench_`` and ``.py`` (e.g. ``language``).

``--corpus`` is the public corpus of CloudFormation templates (not part of the repository),
given to the benchmarks that scan a corpus (without it they generate one); ``--peers`` is
a directory holding the ``cfn-lint`` and ``checkov`` commands (the ``bin`` of a separate
virtual environment), run on the same corpus in the same run when present;
``--skip-collect`` leaves out the live collection runs of ``bench_collect`` (which need
moto) and keeps its 100,000-resource scan. Each script prints its own measurements and
targets and exits non-zero when a target is missed; this runner reports which ones did.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the options each script takes from this runner
FORWARDED = {
    "bench_scan.py": ("--corpus", "--peers"),
    "bench_scan_memory.py": ("--corpus",),
    "bench_stages.py": ("corpus",),
    "bench_collect.py": ("--skip-collect",),
}


def script_args(script: Path, args: argparse.Namespace) -> list[str]:
    forwarded: list[str] = []
    for option in FORWARDED.get(script.name, ()):
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value is None or value is False:
            continue
        if option == "--skip-collect":
            forwarded += ["--skip-collect", "--skip-items"]
        elif option.startswith("--"):
            forwarded += [option, str(value)]
        else:
            forwarded.append(str(value))
    return forwarded


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--corpus", type=Path, help="the public corpus (default: generated)")
    parser.add_argument("--peers", type=Path, help="where cfn-lint and checkov are installed")
    parser.add_argument("--skip-collect", action="store_true", help="no live collection runs")
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.names:
        wanted = {f"bench_{name}.py" for name in args.names}
        scripts = [s for s in scripts if s.name in wanted]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"absolute times depend on the machine and its load (here {cpus} cpus, "
        f"load average {os.getloadavg()[0]:.1f}); ratios and peak memory less so\n"
    )
    missed: list[str] = []
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *script_args(script, args)])
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
