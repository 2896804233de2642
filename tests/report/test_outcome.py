from __future__ import annotations

import pytest
from report_fixtures import (
    ENCRYPTION,
    OPEN_SSH,
    VERSIONING,
    Factory,
    finding,
    input_error,
    scan_result,
)

from scanner.errors import Diagnostic
from scanner.model import Finding, Severity, Status
from scanner.outcome import combine, exit_code


def _findings(make: Factory, *specs: tuple[Severity, Status, str | None]) -> list[Finding]:
    logs = make.resources(make.document())["Logs"]
    found = []
    for severity, status, state in specs:
        policy = {Severity.CRITICAL: ENCRYPTION, Severity.HIGH: OPEN_SSH}.get(severity, VERSIONING)
        extra = {"baseline_state": state} if state else {}
        found.append(finding(policy, logs, status, **extra))
    return found


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [
        (Severity.INFO, 1),
        (Severity.MEDIUM, 1),
        (Severity.HIGH, 0),
        (Severity.CRITICAL, 0),
        (None, 0),
    ],
)
def test_threshold(make: Factory, fail_on: Severity | None, expected: int) -> None:
    result = scan_result(make.root, _findings(make, (Severity.MEDIUM, Status.FAIL, None)))
    assert exit_code(result, fail_on) == expected


@pytest.mark.parametrize("status", [Status.UNKNOWN, Status.SUPPRESSED, Status.PASS, Status.SKIP])
def test_only_failures_count(make: Factory, status: Status) -> None:
    result = scan_result(make.root, _findings(make, (Severity.CRITICAL, status, None)))
    assert exit_code(result, Severity.INFO) == 0


def test_input_errors_without_failures_give_3(make: Factory) -> None:
    result = scan_result(make.root, [], [input_error(make.root)])
    assert exit_code(result, Severity.LOW) == 3
    below = scan_result(
        make.root, _findings(make, (Severity.MEDIUM, Status.FAIL, None)), [input_error(make.root)]
    )
    assert exit_code(below, Severity.HIGH) == 3
    assert exit_code(below, Severity.LOW) == 4  # findings and errors


def test_evaluation_errors_give_3(make: Factory) -> None:
    result = scan_result(make.root, _findings(make, (Severity.HIGH, Status.ERROR, None)))
    assert exit_code(result, Severity.LOW) == 3


def test_warnings_do_not_change_the_exit_code(make: Factory) -> None:
    warning = Diagnostic(code="S003", message="suppression expired", severity="warning")
    assert exit_code(scan_result(make.root, [], [warning]), Severity.LOW) == 0


def test_new_only_ignores_findings_the_baseline_knew(make: Factory) -> None:
    known = _findings(
        make, (Severity.HIGH, Status.FAIL, "unchanged"), (Severity.HIGH, Status.FAIL, "updated")
    )
    result = scan_result(make.root, known)
    assert exit_code(result, Severity.LOW, new_only=True) == 0
    assert exit_code(result, Severity.LOW) == 1
    new = scan_result(make.root, [*known, *_findings(make, (Severity.HIGH, Status.FAIL, "new"))])
    assert exit_code(new, Severity.LOW, new_only=True) == 1
    no_baseline = scan_result(make.root, _findings(make, (Severity.HIGH, Status.FAIL, None)))
    assert exit_code(no_baseline, Severity.LOW, new_only=True) == 1


def test_absent_baseline_results_never_fail(make: Factory) -> None:
    gone = _findings(make, (Severity.CRITICAL, Status.FAIL, "absent"))
    assert exit_code(scan_result(make.root, [], absent=tuple(gone)), Severity.INFO) == 0


def test_findings_with_input_errors_give_4(make: Factory) -> None:
    failed = _findings(make, (Severity.HIGH, Status.FAIL, None))
    result = scan_result(make.root, failed, [input_error(make.root)])
    assert exit_code(result, Severity.LOW) == 4
    assert exit_code(result, Severity.CRITICAL) == 3  # the failure is under the threshold
    assert exit_code(result, None) == 3
    assert exit_code(scan_result(make.root, failed), Severity.LOW) == 1


def test_a_failed_evaluation_with_findings_gives_4(make: Factory) -> None:
    specs = ((Severity.HIGH, Status.FAIL, None), (Severity.MEDIUM, Status.ERROR, None))
    assert exit_code(scan_result(make.root, _findings(make, *specs)), Severity.LOW) == 4


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([], 0), ([0, 0], 0), ([0, 3], 3), ([1, 0], 1), ([1, 1], 1), ([3, 1], 4), ([0, 4], 4)],
)
def test_accounts_combine_to_their_worst_outcome(codes: list[int], expected: int) -> None:
    assert combine(codes) == expected
