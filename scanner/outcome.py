"""The exit code of a scan, from its result.

The rule, in order:

1. Findings over the threshold: a finding with status ``fail`` whose severity is at or
   above ``fail_on`` (with ``new_only``: only findings a baseline marks ``new``, or that
   no baseline saw). Suppressed, unknown, skipped and passed findings never count;
   neither do the ``absent`` results of a baseline.
2. Errors: an error diagnostic in ``ScanResult.errors`` (an unreadable or malformed
   input, a failed AWS call) or a finding whose evaluation failed (status ``error``).
   Warnings (an expired suppression, a suppression without a reason) never count.

``4`` when both hold (findings, and the scan was incomplete), ``1`` for findings alone,
``3`` for errors alone, ``0`` otherwise. So a nightly job tells "complete, with findings"
(1) from "incomplete" (3 or 4).

``2`` (a usage error, or a policy that does not compile) is decided before the scan runs
and is not this function's business. ``fail_on=None`` never returns 1 or 4.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import BaselineState, Finding, Severity, Status
from scanner.result import ScanResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT_ERRORS = 3
EXIT_FINDINGS_AND_ERRORS = 4
EXIT_INTERNAL = 70


def exit_code(result: ScanResult, fail_on: Severity | None, new_only: bool = False) -> int:
    findings = fail_on is not None and bool(failing(result, fail_on, new_only))
    errors = has_errors(result)
    if findings:
        return EXIT_FINDINGS_AND_ERRORS if errors else EXIT_FINDINGS
    return EXIT_INPUT_ERRORS if errors else EXIT_OK


def combine(codes: Iterable[int]) -> int:
    """One exit code for several scans (the accounts of an audit): their worst outcome.

    Findings and errors in different scans combine to ``4``, as in one scan.
    """
    seen = set(codes)
    findings = bool(seen & {EXIT_FINDINGS, EXIT_FINDINGS_AND_ERRORS})
    errors = bool(seen & {EXIT_INPUT_ERRORS, EXIT_FINDINGS_AND_ERRORS})
    if findings:
        return EXIT_FINDINGS_AND_ERRORS if errors else EXIT_FINDINGS
    return EXIT_INPUT_ERRORS if errors else EXIT_OK


def failing(result: ScanResult, fail_on: Severity, new_only: bool = False) -> list[Finding]:
    """The findings over the threshold (exit code 1, or 4 with errors)."""
    return [
        f
        for f in result.findings
        if f.status is Status.FAIL
        and f.policy.severity.rank >= fail_on.rank
        and (not new_only or f.triage.baseline in (None, BaselineState.NEW))
    ]


def has_errors(result: ScanResult) -> bool:
    return any(d.severity == "error" for d in result.errors) or any(
        f.status is Status.ERROR for f in result.findings
    )
