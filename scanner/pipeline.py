"""The scan pipeline as a library call: discover, load, compile, evaluate.

``run_scan`` never prints and never exits; the CLI turns its ``ScanResult`` into output and
an exit code. Policy errors and input errors are collected, not raised, so one bad file
or policy never hides the findings of the rest.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scanner.errors import Diagnostic
from scanner.result import ScanResult


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """Everything a scan needs, already parsed and validated by the caller."""

    paths: tuple[str, ...]
    policy_paths: tuple[str, ...] = ()  # empty: the built-in policies
    only_policies: frozenset[str] | None = None
    skip_policies: frozenset[str] = frozenset()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    template_parameters: Mapping[str, Any] = field(default_factory=dict)
    policy_params: Mapping[str, Any] = field(default_factory=dict)
    jobs: int | None = None
    root: str = "."


@dataclass(frozen=True, slots=True)
class CompiledPolicies:
    program: Any  # scanner.engine Program
    diagnostics: tuple[Diagnostic, ...]


def compile_policies(
    policy_paths: Sequence[str],
    params: Mapping[str, Any],
    only: frozenset[str] | None = None,
    skip: frozenset[str] = frozenset(),
) -> CompiledPolicies:
    """Compile the given policy files/directories (the built-ins when empty)."""
    from scanner.lang.compiler import compile_sources
    from scanner.lang.sources import builtin_policy_dir, discover_policy_files

    roots: list[Any] = list(policy_paths) or [builtin_policy_dir()]
    sources = discover_policy_files(roots)
    compiled = compile_sources(sources, params=params)
    program = compiled.program
    if only is not None or skip:
        program = program.select(only, set(skip))
    return CompiledPolicies(program, tuple(compiled.diagnostics))


def run_scan(request: ScanRequest, policies: CompiledPolicies | None = None) -> ScanResult:
    """Scan ``request.paths`` and return every finding and every error."""
    from scanner.discovery import discover
    from scanner.engine.evaluate import evaluate
    from scanner.loaders import LoadOptions, load_inputs
    from scanner.loaders.snapshot import is_gap, settle_gaps

    started = datetime.now(timezone.utc)
    if policies is None:
        policies = compile_policies(
            request.policy_paths,
            request.policy_params,
            request.only_policies,
            request.skip_policies,
        )
    found = discover(
        list(request.paths), include=list(request.include), exclude=list(request.exclude)
    )
    files = found.files
    loaded = load_inputs(
        files, LoadOptions(parameters=dict(request.template_parameters), jobs=request.jobs)
    )
    # a live collection's gaps: unknown, naming the call that failed (scanner.loaders.snapshot)
    findings = settle_gaps(evaluate(policies.program, loaded.resources, now=started))
    return ScanResult(
        findings=tuple(findings),
        errors=tuple(policies.diagnostics) + tuple(found.errors) + tuple(loaded.errors),
        policies=tuple(p.info for p in policies.program.policies),
        files=len(files),
        skipped=loaded.skipped,
        # Fn::If variants of one resource count once; a collection gap is not a resource
        resources=len({(id(r.document), r.id) for r in loaded.resources if not is_gap(r)}),
        root=os.path.abspath(request.root),
        started_at=started,
        finished_at=datetime.now(timezone.utc),
    )
