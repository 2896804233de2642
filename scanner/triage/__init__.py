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

from dataclasses import replace
from datetime import date
from typing import Protocol

from scanner.result import ScanResult
from scanner.triage.baseline import PreviousResult, apply_baseline
from scanner.triage.severity import SeverityOverrides, override_severity
from scanner.triage.suppress import Suppression, apply_suppressions


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
    result, warnings = override_severity(result, config)
    findings, suppression_warnings = apply_suppressions(
        result.findings, config.suppressions, root=result.root, today=today
    )
    result = replace(
        result,
        findings=tuple(findings),
        errors=(*result.errors, *warnings, *suppression_warnings),
    )
    if baseline is not None:
        result = apply_baseline(result, baseline)
    return result
