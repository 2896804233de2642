"""Where the CPU time of one scan goes, stage by stage.

Runs ``pacscan scan PATH --format json`` in a fresh process whose pipeline functions are
wrapped with CPU timers, and prints the seconds of each stage: start-up (the interpreter
and the imports of the command), discover, parse (the YAML and JSON readers), resolve
(the rest of loading a template: intrinsics, conditions, resources), compile (policies;
when the policy set was indexed by an earlier run, the files of the types met, during
evaluation), evaluate, report (triage, keeping what reports read, rendering and
writing) and the rest. Each figure is the time inside that stage alone (a stage called
from another is not counted twice).

Usage: ``python benchmarks/bench_stages.py [PATH] [--cold]`` (PATH defaults to the
generated corpus of ``bench_scan``; ``--cold`` uses an empty cache directory, as a fresh
CI container has). The figures are CPU seconds: they depend on the machine, not on other
work running on it. Prints figures only; there is no target here (``bench_scan`` has them).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (module, attribute, stage): the functions whose time is a stage's ("module:Class" for a
# method); ``scan`` loads, evaluates and triages one input at a time (``scan_inputs``)
STAGES = (
    ("scanner.pipeline", "compile_policies", "compile"),
    ("scanner.policyset.deferred:_Files", "_compile", "compile"),
    ("scanner.discovery", "discover", "discover"),
    ("scanner.loaders.cloudformation", "load", "resolve"),
    ("scanner.loaders.cloudformation", "parse", "parse"),
    ("scanner.loaders.snapshot", "load", "parse"),
    ("scanner.engine.evaluate", "evaluate", "evaluate"),
    ("scanner.triage:InputTriage", "findings", "report"),
    ("scanner.triage.retain", "retain", "report"),
    ("scanner.commands.scan", "render_to", "report"),
    ("scanner.commands.scan", "write_to", "report"),
)
ORDER = ("start-up", "discover", "parse", "resolve", "compile", "evaluate", "report", "other")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.stack: list[str] = []

    def wrap(self, function: Callable[..., Any], stage: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            self.stack.append(stage)
            try:
                return function(*args, **kwargs)
            finally:
                self.stack.pop()
                elapsed = time.process_time() - started
                self.spent[stage] = self.spent.get(stage, 0.0) + elapsed
                if self.stack:  # the caller's stage did not spend this itself
                    outer = self.stack[-1]
                    self.spent[outer] = self.spent.get(outer, 0.0) - elapsed

        return timed


def child(args: list[str]) -> None:
    """In the measured process: wrap the stages, run the scan, print JSON on stderr."""
    from scanner.cli import main

    importlib.import_module("scanner.commands.scan")
    startup = _cpu()
    clock = _Clock()
    for module_name, attribute, stage in STAGES:
        owner_name, _, cls = module_name.partition(":")
        try:
            owner: Any = importlib.import_module(owner_name)
            if cls:
                owner = getattr(owner, cls)
            function = getattr(owner, attribute)
        except (ImportError, AttributeError):  # an older version, for a before and after
            continue
        setattr(owner, attribute, clock.wrap(function, stage))
    try:
        main(["scan", *args, "--format", "json", "--output", os.devnull])
    except SystemExit:
        pass
    figures = {"start-up": startup, **clock.spent}
    figures["other"] = _cpu() - sum(figures.values())
    print(json.dumps(figures), file=sys.stderr)


def stages(path: str, cold: bool = False) -> dict[str, float]:
    """The CPU seconds of each stage of one scan of ``path`` (a fresh process)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as cache:
        if cold:
            env["XDG_CACHE_HOME"] = cache
        done = subprocess.run(
            [sys.executable, __file__, "--child", path],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=tempfile.gettempdir(),
        )
    if done.returncode != 0:
        sys.exit(f"the measured scan failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
    return figures


def best_stages(path: str, runs: int = 3, cold: bool = False) -> dict[str, float]:
    """Per stage, the lowest of ``runs`` scans (other work only ever adds time)."""
    runs_done = [stages(path, cold) for _ in range(runs)]
    return {stage: min(r.get(stage, 0.0) for r in runs_done) for stage in ORDER}


def show(figures: dict[str, float]) -> None:
    total = sum(figures.values())
    for stage in ORDER:
        seconds = figures.get(stage, 0.0)
        print(f"  {stage:<10} {seconds:7.3f} s cpu  {100 * seconds / total:5.1f} %")
    print(f"  {'sum':<10} {total:7.3f} s cpu")


def main() -> int:
    if "--child" in sys.argv:
        child([a for a in sys.argv[1:] if a != "--child"])
        return 0
    cold = "--cold" in sys.argv
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if paths:
        measure(paths[0], paths[0], cold)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scan import write_corpus

    with tempfile.TemporaryDirectory(prefix="pacscan-stages-") as work:
        write_corpus(Path(work))
        measure(work, "the generated corpus of bench_scan", cold)
    return 0


def measure(target: str, name: str, cold: bool) -> None:
    print(f"scan of {name} by stage ({'empty cache' if cold else 'warm cache'}, best of 3)")
    if not cold:
        stages(target)  # fills the cache
    show(best_stages(target, cold=cold))


if __name__ == "__main__":
    sys.exit(main())
