"""The one pipeline of ``scan``, ``audit`` and ``fix``.

```
Run (the options over the config) ─► select_policies (compile, then --policy/--skip/
--framework and the config's enable/disable) ─► run_scan (discover, load, evaluate)
─► triage (severity overrides, suppressions, baseline) [─► verify_fixes, for SARIF]
─► render_report ─► write_report
```

A command resolves its options into a ``Run`` (``scanner.commands.options.resolve_run``),
calls these stages and picks the exit code (``scanner.outcome``). ``audit`` scans one
snapshot per account through the same stages. Nothing here exits; policy errors and
input errors are collected, not raised, so one bad file or policy never hides the
findings of the rest.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from scanner import __version__
from scanner.config import Config
from scanner.errors import Diagnostic
from scanner.model import Severity
from scanner.policyset import CompiledPolicies, compile_policies
from scanner.result import ReportOptions, ScanResult

if TYPE_CHECKING:
    from scanner.loaders import LoadOptions
    from scanner.triage.baseline import PreviousResult


@dataclass(frozen=True, slots=True)
class Run:
    """What the user asked for: the command line, over the config file, over defaults."""

    config: Config = field(default_factory=Config)
    policy_paths: tuple[str, ...] = ()  # empty: the built-in policies
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    framework: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # --param, over the config's
    fail_on: Severity = Severity.LOW
    new_only: bool = False
    baseline: tuple[PreviousResult, ...] | None = None
    baseline_warning: Diagnostic | None = None
    fmt: str = "text"
    output: str | None = None  # None: stdout
    report: ReportOptions = field(default_factory=ReportOptions)

    @property
    def policy_params(self) -> dict[str, Any]:
        """The params the policies are compiled with: the config's, then ``--param``."""
        return {**self.config.params, **self.params}


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """The inputs of one scan, already parsed and validated by the caller."""

    paths: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    template_parameters: Mapping[str, Any] = field(default_factory=dict)
    terraform_vars: tuple[tuple[str, str], ...] = ()
    terraform_var_files: tuple[str, ...] = ()
    jobs: int | None = None
    root: str = "."


def select_policies(run: Run) -> CompiledPolicies:
    """The policies ``run`` asks for, compiled; a selection naming nothing is a diagnostic."""
    from scanner.selection import Selection, apply_selection

    selection = Selection(run.only, run.skip, run.framework, run.config, tuple(run.params))
    return apply_selection(compile_policies(run.policy_paths, run.policy_params), selection)


def run_scan(request: ScanRequest, policies: CompiledPolicies) -> ScanResult:
    """Scan ``request.paths`` and return every finding and every error, untriaged."""
    from scanner.discovery import discover
    from scanner.engine.evaluate import evaluate
    from scanner.loaders import load_inputs
    from scanner.loaders.snapshot import is_gap, settle_gaps

    started = datetime.now(timezone.utc)
    found = discover(
        list(request.paths), include=list(request.include), exclude=list(request.exclude)
    )
    files = found.files
    loaded = load_inputs(files, load_options(request, request.jobs))
    # The loaded inputs live until the report: the garbage collector need not walk them
    # again and again while evaluation allocates findings (about 12% of a 100,000-resource
    # snapshot's evaluation). Unfrozen after, so a caller that scans repeatedly frees them.
    gc.freeze()
    try:
        evaluated = evaluate(policies.program, loaded.resources, now=started)
    finally:
        gc.unfreeze()
    # a live collection's gaps: unknown, naming the call that failed (scanner.loaders.snapshot)
    findings = settle_gaps(evaluated)
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


def triage_result(result: ScanResult, run: Run, today: date | None = None) -> ScanResult:
    """``result`` after the team's decisions: overrides, suppressions, the baseline."""
    from scanner.triage import triage

    baseline = list(run.baseline) if run.baseline is not None else None
    result = triage(result, run.config, today=today or date.today(), baseline=baseline)
    if run.baseline_warning is not None:
        result = replace(result, errors=(*result.errors, run.baseline_warning))
    return result


def load_options(request: ScanRequest, jobs: int | None) -> LoadOptions:
    """How ``request``'s inputs are loaded (a fix re-loads them the same way)."""
    from scanner.loaders import LoadOptions

    return LoadOptions(
        parameters=dict(request.template_parameters),
        terraform_vars=request.terraform_vars,
        terraform_var_files=request.terraform_var_files,
        roots=tuple(p if os.path.isdir(p) else os.path.dirname(p) or "." for p in request.paths),
        jobs=jobs,
    )


def verify_fixes(
    result: ScanResult, raw: ScanResult, policies: CompiledPolicies, request: ScanRequest, run: Run
) -> ScanResult:
    """``result`` (``raw`` triaged) with the template edits ``pacscan fix`` would write at
    ``run.fail_on``: each file edited and re-scanned in memory, nothing written."""
    from scanner.fix.files import fix_files, verified

    load = load_options(request, jobs=1)
    done = fix_files(
        raw.findings, result.findings, policies.program, load, run.fail_on, raw.started_at
    )
    return replace(result, fixes=verified(done))


def render_report(result: ScanResult, run: Run, category: str | None = None) -> str:
    """The report in ``run.fmt``, ending in a newline; colour only on a terminal."""
    from scanner.report import renderer

    options = replace(
        run.report,
        color=run.output is None and run.fmt == "text" and sys.stdout.isatty(),
        category=category or run.report.category,
        tool_version=__version__,
    )
    text = renderer(run.fmt)(result, options)
    return text if text.endswith("\n") else text + "\n"


def write_report(text: str, output: str | None) -> None:
    """Write a rendered report to ``output`` (stdout when None), all or nothing."""
    from scanner.report.output import STDOUT, write_output

    write_output(output or STDOUT, text)
