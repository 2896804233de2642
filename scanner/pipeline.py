"""The one pipeline of ``scan``, ``audit`` and ``fix``.

```
Run (the options over the config) ─► select_policies (compile, then --policy/--skip/
--framework and the config's enable/disable) ─► scan_inputs: discover, then per input
(load ─► evaluate ─► severity overrides, suppressions [─► fixes verified, for SARIF]
─► keep what reports read, drop the documents), then the baseline
─► the reports (scanner.report.destinations: each --output FORMAT:FILE)
```

A command resolves its options into a ``Run`` (``scanner.commands.options.resolve_run``),
calls these stages and picks the exit code (``scanner.outcome``). ``pacscan fix``,
``remediate`` and ``audit`` keep the documents: they call ``run_scan`` (discover, load,
evaluate) and ``triage_result`` instead of ``scan_inputs``. Nothing here exits; policy errors and
input errors are collected, not raised, so one bad file or policy never hides the
findings of the rest.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from scanner.config import Config
from scanner.errors import Diagnostic
from scanner.gc_pause import paused_gc
from scanner.model import Finding, LiveOrigin, Severity, TemplateOrigin
from scanner.policyset import CompiledPolicies, compile_policies
from scanner.result import FindingFix, ReportOptions, ScanResult, moved_fixes

if TYPE_CHECKING:
    from scanner.discovery import Discovered
    from scanner.loaders import LoadOptions, LoadResult
    from scanner.triage.baseline import PreviousResult


@dataclass(frozen=True, slots=True)
class Run:
    """What the user asked for: the command line, over the config file, over defaults."""

    config: Config = field(default_factory=Config)
    policy_paths: tuple[str, ...] = ()  # empty: the built-in policies
    extra_policy_paths: tuple[str, ...] = ()  # added to those
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
    compiled = compile_policies(run.policy_paths, run.policy_params, extra=run.extra_policy_paths)
    return apply_selection(compiled, selection)


def run_scan(request: ScanRequest, policies: CompiledPolicies) -> ScanResult:
    """Scan ``request.paths`` and return every finding and every error, untriaged, with
    the documents they came from (``pacscan fix`` edits from them)."""
    started = datetime.now(timezone.utc)
    found = _discover(request)
    scan = _Inputs(found.files, request, policies, started)
    return _untriaged(scan, policies, found.errors, request.root, started)


def run_loaded(path: str, load: LoadResult, policies: CompiledPolicies, root: str) -> ScanResult:
    """``run_scan`` of one input loaded already and named ``path``: nothing is read from
    disk (a cluster worker scans the snapshot it built under the name the client gives
    the file, so that reports name it relative to ``root`` as a scan of that file would)."""
    started = datetime.now(timezone.utc)
    request = ScanRequest(paths=(path,), root=root)
    scan = _Inputs([path], request, policies, started, loaded=[load])
    return _untriaged(scan, policies, [], root, started)


def _untriaged(
    scan: _Inputs,
    policies: CompiledPolicies,
    found_errors: list[Diagnostic],
    root: str,
    started: datetime,
) -> ScanResult:
    findings: list[Finding] = []
    errors: list[Diagnostic] = []
    for done in scan:
        findings.extend(done.findings)
        errors.extend(done.load.errors)
    return ScanResult(
        findings=tuple(findings),
        errors=tuple(policies.diagnostics) + tuple(found_errors) + tuple(errors),
        policies=tuple(p.info for p in policies.program.policies),
        files=len(scan.files),
        skipped=scan.skipped,
        resources=scan.resources,
        root=os.path.abspath(root),
        started_at=started,
        finished_at=datetime.now(timezone.utc),
    )


def scan_inputs(
    request: ScanRequest,
    policies: CompiledPolicies,
    run: Run,
    *,
    fixes: bool = False,
    today: date | None = None,
) -> ScanResult:
    """``run_scan`` and ``triage_result`` in one pass that keeps what reports read, not
    the inputs: each input (a file, or the files of one Terraform module) is loaded,
    evaluated, triaged (severity overrides, suppressions) and, with ``fixes``, its
    template edits made and verified as ``pacscan fix`` would at ``run.fail_on`` (nothing
    written; SARIF offers them), and then only its findings, the lines they point at and
    those edits are kept (``scanner.triage.retain``). The baseline is compared with the
    whole scan at the end. Memory grows with the largest input, not with their number.
    """
    from scanner.triage import InputTriage
    from scanner.triage.retain import retain

    started = datetime.now(timezone.utc)
    root = os.path.abspath(request.root)
    found = _discover(request)
    info = tuple(p.info for p in policies.program.policies)
    steps = InputTriage(info, run.config, root=root, today=today or date.today())
    scan = _Inputs(found.files, request, policies, started)
    findings: list[Finding] = []
    edits: list[FindingFix] = []
    errors: list[Diagnostic] = []
    called: set[str] = set()  # directories of Terraform modules that another module calls
    for done in scan:
        errors.extend(done.load.errors)
        if fixes:
            called.update(_called_modules(done.findings))
        # triage and retain copy every finding of the input (acyclic data): with the
        # collector on, its collections rescanned the findings kept so far again and
        # again (half the time of retaining a large snapshot's findings)
        with paused_gc():
            triaged = steps.findings(done.findings)
            made = _fixes(done.findings, triaged, policies, request, run, started) if fixes else []
            kept = retain(triaged)
            findings.extend(kept)
            edits.extend(moved_fixes(made, triaged, kept))
            # kept until the report: frozen before the collector is on again, so that its
            # first collection does not walk them (the scan unfreezes them as it ends)
            gc.freeze()
    if called:  # as ``pacscan fix``: a called module's source is left to its author
        edits = [e for e in edits if not _edits_called(e, called)]
    finished = datetime.now(timezone.utc)
    result = ScanResult(
        findings=tuple(findings),
        errors=(*policies.diagnostics, *found.errors, *errors, *steps.finish()),
        policies=steps.policies(info),
        files=len(found.files),
        skipped=scan.skipped,
        resources=scan.resources,
        root=root,
        started_at=started,
        finished_at=finished,
        fixes=tuple(edits),
    )
    if run.baseline is not None:
        from scanner.triage.baseline import apply_baseline

        result = apply_baseline(result, list(run.baseline))
    if run.baseline_warning is not None:
        result = replace(result, errors=(*result.errors, run.baseline_warning))
    return result


def _fixes(
    raw: list[Finding],
    triaged: list[Finding],
    policies: CompiledPolicies,
    request: ScanRequest,
    run: Run,
    started: datetime,
) -> list[FindingFix]:
    """The edits ``pacscan fix`` would write for one input's ``triaged`` findings at
    ``run.fail_on``: each file edited and re-scanned in memory (compared with ``raw``),
    nothing written; the report's fix for each finding (imported only for SARIF)."""
    from scanner.fix.files import fix_files, verified
    from scanner.report.sarif_fixes import finding_fixes

    load = load_options(request, jobs=1)
    work = fix_files(raw, triaged, policies.program, load, run.fail_on, started)
    return finding_fixes(triaged, verified(work), os.path.abspath(request.root))


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


def _called_modules(findings: list[Finding]) -> set[str]:
    """The directories of the Terraform files ``findings`` read as a called module's."""
    return {
        os.path.dirname(f.resource.document.path)
        for f in findings
        if f.resource.document is not None
        and f.resource.document.format == "terraform"
        and f.resource.id.startswith("module.")
    }


def _edits_called(fix: FindingFix, called: set[str]) -> bool:
    """Whether ``fix`` edits the source of a called module (scanned as a root of its own:
    ``scanner.fix.hcl_fix`` refuses these once it knows the call)."""
    document = fix.finding.resource.document
    return (
        document is not None
        and document.format == "terraform"
        and os.path.dirname(document.path) in called
    )


def _discover(request: ScanRequest) -> Discovered:
    from scanner.discovery import discover

    return discover(
        list(request.paths), include=list(request.include), exclude=list(request.exclude)
    )


@dataclass
class _Input:
    """One file's load, and its findings once evaluated."""

    load: LoadResult
    findings: list[Finding] = field(default_factory=list)
    evaluated: bool = False


class _Inputs:
    """The files of a scan loaded and evaluated one input at a time, in file order.

    Each file is evaluated as soon as it is loaded, but for the files whose resources
    refer to resources of other files: a Terraform module's files (their origin's
    ``scope``, the module's directory) wait for the last file of that directory, and
    live snapshots (resources of a live account relate to those of every snapshot) for
    the end of the scan; each such group is evaluated as one. Files come out in order,
    so a file behind one that waits waits too. ``spent`` carries the step budgets used
    up from one evaluation to the next (``scanner.engine.evaluate``).
    """

    def __init__(
        self,
        files: list[str],
        request: ScanRequest,
        policies: CompiledPolicies,
        started: datetime,
        loaded: Iterable[LoadResult] | None = None,
    ) -> None:
        self.files = files
        self.loaded = loaded  # the files' loads when done already (else they are read)
        self.program = policies.program
        self.started = started
        self.options = load_options(request, request.jobs)
        # processes a large input's evaluation may use (scanner.engine.split)
        self.jobs = request.jobs if request.jobs is not None else _cores()
        self.spent: dict[Any, int] = {}
        self.skipped = 0
        self.resources = 0

    def __iter__(self) -> Iterator[_Input]:
        from scanner.loaders import iter_loaded

        last = _last_in_directory(self.files)
        end = len(self.files)
        queue: deque[_Input] = deque()
        waiting: dict[str | None, list[_Input]] = {}  # by _group
        loads = iter_loaded(self.files, self.options) if self.loaded is None else self.loaded
        try:
            for index, load in enumerate(_frozen_as_loaded(loads)):
                self.skipped += load.skipped
                item = _Input(load)
                queue.append(item)
                group = _group(load)
                if group == _ALONE:
                    self._evaluate([item])
                else:
                    waiting.setdefault(group, []).append(item)
                # a module's files are done with its directory's last file; live ones never
                for key in [k for k in waiting if k is not None and last.get(k, end) <= index]:
                    self._evaluate(waiting.pop(key))
                while queue and queue[0].evaluated:
                    yield queue.popleft()
            for items in waiting.values():
                self._evaluate(items)
            while queue:
                yield queue.popleft()
        finally:
            gc.unfreeze()  # what ``_evaluate`` froze is the collector's again

    def _evaluate(self, items: list[_Input]) -> None:
        from scanner.engine.evaluate import evaluate
        from scanner.loaders.snapshot import is_gap, settle_gaps

        resources = [r for item in items for r in item.load.resources]
        # The inputs are frozen for the cyclic collector as they are loaded
        # (``_frozen_as_loaded``); the findings, which hold no cycles either, are frozen
        # before the collector is on again, until the scan ends (``__iter__``). Unfrozen,
        # its first collection after evaluation walked every finding (6% of the scan of a
        # 100,000-resource snapshot). Reference counting frees frozen objects as usual.
        with paused_gc():
            evaluated = evaluate(
                self.program, resources, now=self.started, spent=self.spent, jobs=self.jobs
            )
            gc.freeze()
        # a live collection's gaps: unknown, naming the call that failed
        findings = settle_gaps(evaluated)
        # Fn::If variants of one resource count once; a collection gap is not a resource
        self.resources += len({(id(r.document), r.id) for r in resources if not is_gap(r)})
        for item in items:
            item.evaluated = True
        owner = {id(d): item for item in items for d in item.load.documents}
        item = items[0]
        for finding in findings:  # in resource order, so in file order
            item = owner.get(id(finding.resource.document), item)
            item.findings.append(finding)


def _frozen_as_loaded(loads: Iterable[LoadResult]) -> Iterator[LoadResult]:
    """Each load, frozen for the cyclic collector (as ``_Inputs._evaluate`` freezes it)
    before the collector is on again: re-enabled with a whole snapshot's tree unfrozen, its
    first collection walked all of it (0.4 s for 100,000 resources)."""
    iterator = iter(loads)
    while True:
        with paused_gc():
            load = next(iterator, None)
            if load is None:
                return
            gc.freeze()
        yield load


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_ALONE = ""  # a file whose resources refer to its own resources only


def _group(load: LoadResult) -> str | None:
    """Which files a file's resources are evaluated with: its scope's (a Terraform
    module's directory), every live snapshot (None), or none (``_ALONE``)."""
    for resource in load.resources:
        origin = resource.origin
        if type(origin) is LiveOrigin:
            return None
        if type(origin) is TemplateOrigin and origin.scope is not None:
            return origin.scope
    return _ALONE


def _last_in_directory(files: list[str]) -> dict[str, int]:
    """The real path of each directory of ``files`` -> the index of its last file."""
    real: dict[str, str] = {}
    last: dict[str, int] = {}
    for index, path in enumerate(files):
        directory = os.path.dirname(path) or "."
        if directory not in real:
            real[directory] = os.path.realpath(directory)
        last[real[directory]] = index
    return last


def triage_result(result: ScanResult, run: Run, today: date | None = None) -> ScanResult:
    """``result`` after the team's decisions: overrides, suppressions, the baseline."""
    from scanner.triage import triage

    baseline = list(run.baseline) if run.baseline is not None else None
    result = triage(result, run.config, today=today or date.today(), baseline=baseline)
    if run.baseline_warning is not None:
        result = replace(result, errors=(*result.errors, run.baseline_warning))
    return result
