"""After evaluation, before reporting: what the team has decided about the findings.

The triage package: severity overrides (``severity``), suppressions (``suppress``),
baselines (``baseline``), the fingerprints they match on (``fingerprint``) and the
names of a finding's place that reports share (``locations``). Reports import it;
it imports no report.

In order: the config's severity overrides, then suppressions (inline comments, resource
``Metadata``, config entries), then the baseline. The warnings these steps raise
(an expired suppression, one without a reason, an override for a policy that did not
run) are appended to ``ScanResult.errors`` with ``severity="warning"``; they are shown
like errors but never change the exit code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Protocol

from scanner.errors import Diagnostic
from scanner.model import Finding, PolicyInfo
from scanner.result import ScanResult, moved_fixes
from scanner.triage.severity import SeverityOverrides, severity_changes, with_severity
from scanner.triage.suppress import Suppression, Suppressor

if TYPE_CHECKING:  # the baseline is imported when there is one
    from scanner.triage.baseline import PreviousResult


class TriageSettings(SeverityOverrides, Protocol):
    """What triage needs of a config (``scanner.config.Config`` is one): triage never
    imports the config module, which imports the suppression and location types from here."""

    @property
    def suppressions(self) -> tuple[Suppression, ...]: ...


def triage(
    result: ScanResult,
    config: TriageSettings,
    *,
    today: date,
    baseline: list[PreviousResult] | None = None,
) -> ScanResult:
    steps = InputTriage(result.policies, config, root=result.root, today=today)
    findings = tuple(steps.findings(result.findings))
    result = replace(
        result,
        findings=findings,
        fixes=moved_fixes(result.fixes, result.findings, findings),
        policies=steps.policies(result.policies),
        errors=(*result.errors, *steps.finish()),
    )
    if baseline is not None:
        from scanner.triage.baseline import apply_baseline

        result = apply_baseline(result, baseline)
    return result


class InputTriage:
    """Severity overrides and suppressions applied one input at a time (a file, or the
    files of one Terraform module), as a scan that drops each input once it is done
    needs them; ``finish`` after the last input gives the warnings, in the order one pass
    over the whole scan gives them. The baseline compares the whole scan with a previous
    one: it comes after (``apply_baseline``)."""

    def __init__(
        self, policies: Sequence[PolicyInfo], config: TriageSettings, *, root: str, today: date
    ) -> None:
        self.changed, self.warnings = (
            severity_changes(policies, config) if config.severity else ({}, [])
        )
        self.suppressor = Suppressor(config.suppressions, root=root, today=today)

    def findings(self, findings: Iterable[Finding]) -> list[Finding]:
        """One input's findings, triaged."""
        return self.suppressor.apply(with_severity(findings, self.changed))

    def policies(self, policies: Iterable[PolicyInfo]) -> tuple[PolicyInfo, ...]:
        """The scan's policies, with their overridden severities."""
        return tuple(self.changed.get(p.id, p) for p in policies)

    def finish(self) -> list[Diagnostic]:
        """The warnings: overrides of policies that did not run, then suppressions'."""
        return [*self.warnings, *self.suppressor.finish()]
