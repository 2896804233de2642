"""The exit code of a scan, from its result.

The rule, in order:

1. ``1`` when a finding with status ``fail`` has a severity at or above ``fail_on``
   (with ``new_only``: only findings a baseline marks ``new``, or that no baseline saw).
   Suppressed, unknown, skipped and passed findings never count; neither do the
   ``absent`` results of a baseline.
2. ``3`` when there were errors and nothing over the threshold: an error diagnostic in
   ``ScanResult.errors`` (an unreadable or malformed input, a failed AWS call) or a
   finding whose evaluation failed (status ``error``). Warnings (an expired suppression,
   a suppression without a reason) never change the exit code.
3. ``0`` otherwise.

``2`` (a usage error, or a policy that does not compile) is decided before the scan runs
and is not this function's business. ``fail_on=None`` never returns 1.
"""

from __future__ import annotations

from scanner.model import Finding, Severity, Status
from scanner.result import ScanResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT_ERRORS = 3


def exit_code(result: ScanResult, fail_on: Severity | None, new_only: bool = False) -> int:
    if fail_on is not None and failing(result, fail_on, new_only):
        return EXIT_FINDINGS
    if has_errors(result):
        return EXIT_INPUT_ERRORS
    return EXIT_OK


def failing(result: ScanResult, fail_on: Severity, new_only: bool = False) -> list[Finding]:
    """The findings that make the exit code 1."""
    return [
        f
        for f in result.findings
        if f.status is Status.FAIL
        and f.policy.severity.rank >= fail_on.rank
        and (not new_only or f.properties.get("baseline_state", "new") == "new")
    ]


def has_errors(result: ScanResult) -> bool:
    return any(d.severity == "error" for d in result.errors) or any(
        f.status is Status.ERROR for f in result.findings
    )
