"""A large evaluation shared with a forked process finds exactly what one process finds.

Each case runs in a fresh interpreter (no thread of the test session alive, so a fork is
safe and ``can_split`` allows it) with the split threshold at zero, and compares every
field of every finding of ``evaluate(jobs=2)`` with ``evaluate(jobs=1)``, by identity
where the serial run shares objects (policy, resource, fixes; the one copy of a resource
that each run makes anew, when condition variants merge, by its id and type).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scanner.engine import split

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

CASE = """
import json, os, sys
from scanner.engine import split
from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions, load_inputs
from scanner.policyset import compile_policies

split.MIN_PAIRS = 0
forks = []
real_fork = os.fork
def fork():
    pid = real_fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = fork
{setup}
program = compile_policies((), {{}}).program
resources = load_inputs(sys.argv[1:], LoadOptions(jobs=1)).resources

index = {{id(r): n for n, r in enumerate(resources)}}

def row(f):
    loc = f.location
    where = None if loc is None else [loc.file, loc.line, loc.column, loc.end_line, loc.end_column]
    # a resource as evaluated, or the unconditional copy merge_variants makes in each run
    resource = index.get(id(f.resource), [f.resource.id, f.resource.type])
    return [f.policy.id, id(f.policy), resource, f.status.value, f.message, list(f.path),
            where, id(f.fix), len(f.fix), f.triage is not None]

serial = [row(f) for f in evaluate(program, resources, jobs=1)]
shared = [row(f) for f in evaluate(program, resources, jobs=2)]
print(json.dumps({{"same": serial == shared, "count": len(serial), "forks": len(forks),
                  "fails": sum(r[3] == "fail" for r in serial),
                  "located": sum(r[6] is not None for r in serial)}}))
"""


def run_case(paths: list[Path], setup: str = "") -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CASE.format(setup=setup), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_templates_and_a_snapshot_split_find_what_one_process_finds() -> None:
    paths = sorted((FIXTURES / "compliant").iterdir()) + [
        FIXTURES / "example" / "app.yaml",
        FIXTURES / "cloudformation" / "conditions.yaml",
        FIXTURES / "cloudformation" / "foreach.yaml",
        FIXTURES / "cloudformation" / "intrinsics.yaml",
    ]
    result = run_case([p for p in paths if p.suffix in (".yaml", ".json")])
    assert result["forks"] == 1
    assert result["same"] is True
    assert result["count"] > 300 and result["fails"] and result["located"]  # type: ignore[operator]


def test_a_child_that_fails_leaves_its_part_to_the_parent() -> None:
    setup = "split._encode = lambda *args: 1 / 0"
    result = run_case([FIXTURES / "example" / "app.yaml"], setup)
    assert result == {**result, "forks": 1, "same": True}


def test_a_child_that_is_killed_leaves_its_part_to_the_parent() -> None:
    setup = "import signal\nsplit._encode = lambda *args: os.kill(os.getpid(), signal.SIGKILL)"
    result = run_case([FIXTURES / "example" / "app.yaml"], setup)
    assert result == {**result, "forks": 1, "same": True}


def test_a_child_whose_data_is_damaged_leaves_its_part_to_the_parent() -> None:
    setup = "real_encode = split._encode\nsplit._encode = lambda *a: real_encode(*a)[:-9]"
    result = run_case([FIXTURES / "example" / "app.yaml"], setup)
    assert result == {**result, "forks": 1, "same": True}


def test_no_split_below_the_threshold_or_beside_another_thread() -> None:
    result = run_case([FIXTURES / "example" / "app.yaml"], "split.MIN_PAIRS = 10**9")
    assert result["forks"] == 0 and result["same"] is True
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not split.can_split(10**9, 2)  # a fork would copy this thread's locks
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize("jobs", [0, 1])
def test_one_job_never_splits(jobs: int) -> None:
    assert not split.can_split(10**9, jobs)


def test_the_cut_gives_the_child_its_share_of_the_pairs() -> None:
    sizes = [1, 30, 2, 2, 40, 5, 20]  # pairs of each resource, in order
    cut = split.cut_at(sizes)
    mine = sum(sizes[:cut])
    assert mine >= sum(sizes) * (1 - split.CHILD_SHARE)
    assert sum(sizes[: cut - 1]) < sum(sizes) * (1 - split.CHILD_SHARE)
