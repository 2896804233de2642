"""Peak memory of scanning many copies of a corpus: set by the largest file, not the sum.

Scans one copy of a corpus and then ``--copies`` copies of it (16 by default) in one
``pacscan scan`` process each, with ``--format json`` and with ``--format sarif`` (which
also edits and re-scans every fixable template in memory), and prints the peak resident
memory (max RSS) of each process. A scan keeps what the report needs of each file (its
findings, the lines they show, the verified fix edits) and drops the loaded document,
so the copies add only their findings.

Target (issue 16): 16 copies of the public corpus stay under 150 MiB, in both formats.
Give that corpus with ``--corpus DIR`` (it is not part of the repository); without it
the benchmark generates bench_scan's corpus of 300 templates, smaller than the public
one, and prints the figures against the same target. Peak memory depends little on the
machine's load; the wall times printed beside it depend on both. Exits 1 when a target is
missed.

Usage: ``python benchmarks/bench_scan_memory.py [--corpus DIR] [--copies N]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scan import write_corpus

TARGET_MIB = 150
FORMATS = ("json", "sarif")


def copy_corpus(source: Path, target: Path) -> int:
    """A copy of every file of ``source`` under ``target`` (hard links where possible:
    discovery tells files apart by real path, which a hard link does not share)."""
    count = 0
    for directory, _, names in os.walk(source):
        into = target / Path(directory).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(Path(directory) / name, into / name)
            except OSError:
                shutil.copyfile(Path(directory) / name, into / name)
            count += 1
    return count


def scan_peak(paths: list[Path], fmt: str, out: Path) -> tuple[float, float, int]:
    """Peak RSS in MiB, wall seconds and exit code of one whole ``pacscan scan`` process."""
    script = Path(sys.executable).parent / "pacscan"
    command = [str(script)] if script.exists() else [sys.executable, "-c", _MAIN]
    command += ["scan", *map(str, paths), "--format", fmt, "-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir()
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, process.returncode


_MAIN = "import sys; from scanner.cli import main; sys.exit(main())"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="the corpus to copy (default: generated)")
    parser.add_argument("--copies", type=int, default=16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pacscan-memory-"))
    try:
        source = args.corpus
        if source is None:
            source = work / "generated"
            source.mkdir()
            write_corpus(source)
        copies = []
        for n in range(args.copies):
            copies.append(work / f"copy{n:02}")
            files = copy_corpus(source, copies[-1])
        print(f"corpus: {source} ({files} files), {args.copies} copies")
        print("peak RSS of a whole pacscan scan process (wall times depend on the machine)")
        missed = []
        for fmt in FORMATS:
            one = scan_peak(copies[:1], fmt, work / f"one.{fmt}")
            many = scan_peak(copies, fmt, work / f"many.{fmt}")
            if one[2] not in (0, 1, 3, 4) or many[2] not in (0, 1, 3, 4):
                print(f"  {fmt}: pacscan scan failed (exit {one[2]}, {many[2]})")
                return 1
            verdict = "ok" if many[0] < TARGET_MIB else f"MISSED (>= {TARGET_MIB} MiB)"
            print(
                f"  {fmt:<5}  1 copy {one[0]:6.1f} MiB ({one[1]:5.1f} s)   "
                f"{args.copies} copies {many[0]:6.1f} MiB ({many[1]:5.1f} s)   "
                f"{many[0] / one[0]:4.2f}x  target < {TARGET_MIB} MiB: {verdict}"
            )
            if many[0] >= TARGET_MIB:
                missed.append(fmt)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if missed:
        print("memory target missed: " + ", ".join(missed))
        return 1
    print("memory target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
