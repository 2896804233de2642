"""Rule language speed: policy compile time and evaluation throughput.

Prints its figures and exits non-zero when a target is missed:
- compile: at most 1 ms per policy once the grammar is built (200 policies, each in its
  own file, like the built-in library);
- evaluate: at least 200,000 simple assertions per second over 100,000 resource x policy
  pairs, findings included, with half of the pairs failing (messages and paths built).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable

from scanner.engine.evaluate import evaluate
from scanner.lang.parser import grammar
from scanner.model import Resource
from scanner.policyset.compiler import PolicySource, compile_sources

COMPILE_TARGET_MS = 1.0
RUNS = 5  # the machine is shared: each figure is the best of RUNS, with the median shown
ASSERTIONS_TARGET = 200_000
TYPES = [f"Bench::Spec::T{n}" for n in range(10)]  # outside the schema-checked namespaces


def policy_text(n: int, kind: str) -> str:
    """A policy in the style of the library: metadata, a when, a let, three assertions."""
    return f"""
# generated for the benchmark
policy BENCH_{n} {{
  id          = "PAC-BENCH-{n:03d}"
  title       = "Benchmark policy {n}"
  description = "Checks a few properties of {kind}."
  severity    = medium
  controls    = ["aws-fsbp:X.{n}"]
  tags        = ["bench"]
  resource {kind}

  when Properties.Enabled exists
  let cfg = Properties.Config
  assert cfg.Status == "Enabled" else "{{id}} has status {{cfg.Status}}"
  assert Properties.Name startswith "app-" and Properties.Size <= {n + 10}
  assert none Properties.Rules[*] as r: r.Cidr == "0.0.0.0/0" and r.Port == 22

  fix set Properties.Config.Status = "Enabled"
  example pass {{ Properties: {{ Enabled: true, Config: {{ Status: "Enabled" }} }} }}
}}
"""


def simple_policy_text(n: int, kind: str) -> str:
    return f"""
policy SIMPLE_{n} {{
  id = "PAC-SIMPLE-{n:03d}"
  title = "simple {n}"
  severity = low
  resource {kind}
  assert Properties.Config.Status == "Enabled"
}}
"""


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Best and median wall time of RUNS runs of ``action``."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def bench_compile() -> float:
    """Per-policy compile time without the parse cache (the target) and with it."""
    sources = [
        PolicySource(f"bench_{n}.policy", policy_text(n, TYPES[n % len(TYPES)])) for n in range(200)
    ]
    words = len(sources[0].text.split())
    os.environ["PACSCAN_NO_CACHE"] = "1"  # every run parses every file
    try:
        result = compile_sources(sources)
        assert not result.diagnostics, result.diagnostics[:3]
        assert len(result.program.policies) == 200
        best, median = timed(lambda: compile_sources(sources))
    finally:
        del os.environ["PACSCAN_NO_CACHE"]
    per_policy = best / 200 * 1000
    print(
        f"compile, parsing: 200 policies (~{words} words each) in {best * 1000:.0f} ms = "
        f"{per_policy:.3f} ms per policy (median {median / 200 * 1000:.3f} ms)"
    )
    compile_sources(sources)  # fills the per-user parse cache
    warm, warm_median = timed(lambda: compile_sources(sources))
    print(
        f"compile, parsed files cached: {warm / 200 * 1000:.3f} ms per policy "
        f"(median {warm_median / 200 * 1000:.3f} ms)"
    )
    return per_policy


def resources(count: int, seed: int = 7, compliant: bool = False) -> list[Resource]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        kind = TYPES[n % len(TYPES)]
        props = {
            "Enabled": True,
            "Config": {"Status": "Enabled" if compliant else rng.choice(["Enabled", "Off"])},
            "Name": rng.choice(["app-a", "db-b"]),
            "Size": rng.randint(1, 60),
            "Rules": [
                {"Cidr": rng.choice(["10.0.0.0/8", "0.0.0.0/0"]), "Port": rng.choice([22, 443])}
                for _ in range(rng.randint(0, 3))
            ],
        }
        out.append(Resource(kind, f"R{n}", {"Type": kind, "Properties": props}))
    return out


def bench_simple_evaluation(compliant: bool) -> float:
    """100,000 pairs: 10 one-assertion policies per type x 10,000 resources."""
    sources = [
        PolicySource(f"s_{n}.policy", simple_policy_text(n, TYPES[n % len(TYPES)]))
        for n in range(100)
    ]
    program = compile_sources(sources).program
    items = resources(10_000, compliant=compliant)
    findings = evaluate(program, items)
    assert len(findings) == 100_000
    failed = sum(1 for f in findings if f.status.value == "fail")
    best, median = timed(lambda: evaluate(program, items))
    rate = len(findings) / best
    print(
        f"evaluate (one simple assertion, {failed / len(findings):.0%} failing): "
        f"{len(findings):,} pairs in {best:.2f} s = {rate:,.0f} assertions/s "
        f"(median {len(findings) / median:,.0f}/s)"
    )
    return rate


def bench_library_style_evaluation() -> None:
    """The same pair count with the library-style policies (when, let, 3 assertions)."""
    sources = [
        PolicySource(f"b_{n}.policy", policy_text(n, TYPES[n % len(TYPES)])) for n in range(100)
    ]
    program = compile_sources(sources).program
    items = resources(10_000)
    findings = evaluate(program, items)
    failed = sum(1 for f in findings if f.status.value == "fail")
    best, _ = timed(lambda: evaluate(program, items))
    print(
        f"evaluate (library style: when, let, 3 assertions): {len(findings):,} pairs in "
        f"{best:.2f} s = {len(findings) / best:,.0f} pairs/s = "
        f"{3 * len(findings) / best:,.0f} assertions/s ({failed / len(findings):.0%} failing)"
    )


def main() -> int:
    started = time.perf_counter()
    grammar()
    print(f"grammar: built or loaded in {time.perf_counter() - started:.2f} s (once per process)")
    per_policy = bench_compile()
    bench_simple_evaluation(compliant=True)
    rate = bench_simple_evaluation(compliant=False)
    bench_library_style_evaluation()
    missed = []
    if per_policy > COMPILE_TARGET_MS:
        missed.append(f"compile {per_policy:.3f} ms/policy > {COMPILE_TARGET_MS} ms")
    if rate < ASSERTIONS_TARGET:
        missed.append(f"{rate:,.0f} assertions/s < {ASSERTIONS_TARGET:,}")
    print("targets: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
