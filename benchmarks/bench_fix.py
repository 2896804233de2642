"""What ``pacscan fix`` does to a corpus of templates, and whether they stay valid.

Copies CORPUS (default: the project's fixtures/) to a temporary directory, runs
``pacscan fix`` on the copy and reports:

- findings fixed and findings left, with the reasons for leaving them counted;
- how many changed files still load: ``pacscan scan`` of the changed files, input errors
  before and after (a file that no longer parses is an input error);
- cfn-lint errors (E rules) on the changed files before and after, and the rules of any
  error the original did not have.

Targets: no changed file has an input error it did not have; cfn-lint finds no error on
a changed file that it did not find on the original. Exits 1 when one is missed. cfn-lint
comes with the ``bench`` extra (``pip install -e '.[bench]'``) or is named with
``--cfn-lint PATH``; without it the cfn-lint part is skipped and said so.

Usage: ``python benchmarks/bench_fix.py [CORPUS] [--cfn-lint PATH] [--keep]``
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".yaml", ".yml", ".json", ".template"}
_REASON_NAMES = re.compile(r"(parameter|mapping|loop|Ref) [A-Za-z0-9:_.-]+")


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    return str(beside) if beside.exists() else shutil.which("pacscan") or "pacscan"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def _templates(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES
    )


def _input_errors(folder: Path, files: list[str]) -> collections.Counter[str]:
    """Input errors per file, from ``pacscan scan --format json``."""
    report = folder / ".bench-scan.json"
    _run([_pacscan(), "scan", "--no-config", "--format", "json", "-o", str(report), *files], folder)
    data = json.loads(report.read_text("utf-8"))
    report.unlink()
    return collections.Counter(str(e.get("file", "")) for e in data.get("errors", []))


def _lint(cfn_lint: str, folder: Path, files: list[str]) -> collections.Counter[tuple[str, ...]]:
    """cfn-lint errors as (file, rule, message) (line numbers move when a fix adds lines)."""
    found: collections.Counter[tuple[str, ...]] = collections.Counter()
    for start in range(0, len(files), 50):
        done = _run([cfn_lint, "--format", "json", "--", *files[start : start + 50]], folder)
        for match in json.loads(done.stdout or "[]"):
            rule = match["Rule"]["Id"]
            if rule.startswith("E"):
                found[(match["Filename"], rule, match["Message"])] += 1
    return found


def _summary(stdout: str) -> tuple[int, collections.Counter[str]]:
    fixed = sum(1 for line in stdout.splitlines() if line.startswith("fixed  "))
    reasons: collections.Counter[str] = collections.Counter()
    for line in stdout.splitlines():
        if line.startswith("not fixed  "):
            reason = line.split(": ", 1)[1] if ": " in line else line
            reasons[_REASON_NAMES.sub(r"\1 …", reason)] += 1
    return fixed, reasons


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "fixtures"))
    parser.add_argument("--cfn-lint", default=shutil.which("cfn-lint"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pacscan-bench-fix-"))
    try:
        return _measure(Path(args.corpus), work, args.cfn_lint)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _measure(corpus: Path, work: Path, cfn_lint: str | None) -> int:
    before, after = work / "before", work / "after"
    shutil.copytree(corpus, before, symlinks=True)
    shutil.copytree(corpus, after, symlinks=True)
    files = _templates(before)
    started = time.perf_counter()
    done = _run([_pacscan(), "fix", "--no-config", "."], after)
    seconds = time.perf_counter() - started
    fixed, reasons = _summary(done.stdout)
    changed = [f for f in files if (before / f).read_bytes() != (after / f).read_bytes()]
    print(
        f"corpus: {len(files)} template files; pacscan fix: {seconds:.1f} s, exit {done.returncode}"
    )
    print(f"findings fixed: {fixed} in {len(changed)} files; left: {sum(reasons.values())}")
    for reason, count in reasons.most_common():
        print(f"  {count:5}  {reason}")
    missed = []
    old_errors, new_errors = _input_errors(before, changed), _input_errors(after, changed)
    broken = sorted(f for f in changed if new_errors[f] > old_errors[f])
    print(
        f"changed files that still load: {len(changed) - len(broken)} of {len(changed)} "
        f"(input errors {sum(old_errors.values())} before, {sum(new_errors.values())} after)"
    )
    if broken:
        missed.append(f"new input errors in {', '.join(broken)}")
    if cfn_lint is None:
        print("cfn-lint: not installed (pip install -e '.[bench]'); skipped")
    else:
        old_lint, new_lint = _lint(cfn_lint, before, changed), _lint(cfn_lint, after, changed)
        added = new_lint - old_lint
        print(
            f"cfn-lint errors on the changed files: {sum(old_lint.values())} before, "
            f"{sum(new_lint.values())} after; {sum(added.values())} new, "
            f"{sum((old_lint - new_lint).values())} gone"
        )
        for (name, rule, message), count in sorted(added.items()):
            print(f"  new {rule} {name}: {message} (x{count})")
        if added:
            missed.append("cfn-lint errors the originals did not have")
    for problem in missed:
        print(f"target missed: {problem}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
