"""Severity overrides: the config's ``policies.severity`` applied to a scan's policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from scanner.errors import Diagnostic
from scanner.model import Finding, Location, Path, PolicyInfo, Severity
from scanner.result import ScanResult


class SeverityOverrides(Protocol):
    """What severity overrides need of a config: the overrides and where each was written."""

    @property
    def severity(self) -> Mapping[str, Severity]: ...

    @property
    def locations(self) -> Mapping[Path, Location]: ...


def override_severity(
    result: ScanResult, config: SeverityOverrides
) -> tuple[ScanResult, list[Diagnostic]]:
    """``result`` with the config's severity overrides applied to policies and findings.

    An override naming a policy that did not run is a warning (a typo, or a policy that
    was disabled), reported at its key in the config file.
    """
    if not config.severity:
        return result, []
    changed, warnings = severity_changes(result.policies, config)
    findings = tuple(with_severity(result.findings, changed))
    updated = tuple(changed.get(p.id, p) for p in result.policies)
    return replace(result, findings=findings, policies=updated), warnings


def severity_changes(
    policies: Sequence[PolicyInfo], config: SeverityOverrides
) -> tuple[dict[str, PolicyInfo], list[Diagnostic]]:
    """The policies whose severity the config overrides (id -> the policy with its new
    severity), and a warning for each override of a policy that is not among ``policies``."""
    known = {p.id: p for p in policies}
    changed = {
        pid: replace(known[pid], severity=severity)
        for pid, severity in config.severity.items()
        if pid in known
    }
    warnings = [
        Diagnostic(
            "C003",
            f"severity override for {pid}, which is not among the policies that ran",
            location=config.locations.get(("policies", "severity", pid)),
            severity="warning",
        )
        for pid in config.severity
        if pid not in known
    ]
    return changed, warnings


def with_severity(findings: Iterable[Finding], changed: Mapping[str, PolicyInfo]) -> list[Finding]:
    """``findings`` with the policies of ``changed`` (``severity_changes``) in place."""
    if not changed:
        return list(findings)
    out = []
    for finding in findings:
        policy = changed.get(finding.policy.id)
        out.append(finding if policy is None else replace(finding, policy=policy))
    return out
