"""What a scan produces, handed to reporters, suppressions and baselines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field, replace
from datetime import datetime, timezone

from scanner.errors import Diagnostic
from scanner.model import Finding, PolicyInfo
from scanner.records import record


def _now() -> datetime:
    return datetime.now(timezone.utc)


@record
class TemplateFix:
    """What ``pacscan fix`` writes to one template, its re-scan passed: ``text``, made by
    the fix clauses of ``findings`` applied in this order (one whose edit cannot be made
    adds nothing). Reports offer these edits (SARIF ``fixes``) and no others."""

    path: str
    findings: tuple[Finding, ...]
    text: str


@record
class Replacement:
    """One edit of a file's text as it was scanned: ``length`` code points at ``offset``
    (the same span as lines and columns, 1-based, end column exclusive) replaced by
    ``inserted``."""

    offset: int
    length: int
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    inserted: str


@record
class FindingFix:
    """The edits ``pacscan fix`` makes to fix ``finding`` (``scanner.report.sarif_fixes``
    says how they are shared out among the findings of a file), described in words."""

    finding: Finding
    description: str
    replacements: tuple[Replacement, ...]


def moved_fixes(
    fixes: Iterable[FindingFix], before: Sequence[Finding], after: Sequence[Finding]
) -> tuple[FindingFix, ...]:
    """``fixes`` on the findings of ``after`` that took the place of theirs in ``before``
    (a triage step makes new findings, one for one and in order); a fix whose finding
    has no successor is dropped."""
    fixes = tuple(fixes)
    if not fixes:
        return ()
    moved = {id(old): new for old, new in zip(before, after, strict=False)}
    return tuple(
        replace(fix, finding=moved[id(fix.finding)]) for fix in fixes if id(fix.finding) in moved
    )


@record
class ScanResult:
    """The whole outcome of one scan.

    ``root`` is the directory report paths are relative to (the working directory by
    default). ``errors`` are input and policy problems that did not stop the scan.
    ``absent`` holds the findings of a baseline that this scan no longer produces
    (``scanner.triage.baseline``); they are reported (SARIF ``baselineState: absent``) but never
    count toward the exit code. ``fixes`` are the verified template edits, finding by
    finding (``scanner.pipeline.scan_inputs`` makes them for SARIF), empty otherwise.
    """

    findings: tuple[Finding, ...]
    errors: tuple[Diagnostic, ...] = ()
    policies: tuple[PolicyInfo, ...] = ()
    files: int = 0
    skipped: int = 0
    resources: int = 0
    root: str = "."
    started_at: datetime = field(default_factory=_now)
    finished_at: datetime = field(default_factory=_now)
    absent: tuple[Finding, ...] = ()
    fixes: tuple[FindingFix, ...] = ()


@record
class ReportOptions:
    """How a reporter should render a ``ScanResult``.

    ``new_only`` and ``quiet`` narrow what the reports people read list (text, Markdown,
    HTML, CSV: ``scanner.report.listing``): only findings the baseline did not have, only
    failed findings. The summaries still count everything.
    """

    include_passed: bool = False
    color: bool = False
    category: str = "pacscan/iac/"
    omit_suppressed: bool = False
    tool_version: str = "0.0.0"
    new_only: bool = False
    quiet: bool = False
