"""Severity overrides: the config's ``policies.severity`` applied to a scan's policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from scanner.errors import Diagnostic
from scanner.model import Location, Path, Severity
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
    policies = {p.id: p for p in result.policies}
    changed = {
        pid: replace(policies[pid], severity=sev)
        for pid, sev in config.severity.items()
        if pid in policies
    }
    findings = tuple(
        replace(f, policy=changed[f.policy.id]) if f.policy.id in changed else f
        for f in result.findings
    )
    warnings = [
        Diagnostic(
            "C003",
            f"severity override for {pid}, which is not among the policies that ran",
            location=config.locations.get(("policies", "severity", pid)),
            severity="warning",
        )
        for pid in config.severity
        if pid not in policies
    ]
    updated = tuple(changed.get(p.id, p) for p in result.policies)
    return replace(result, findings=findings, policies=updated), warnings
