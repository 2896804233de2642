"""SARIF rule descriptors (``tool.driver.rules``) from policy metadata.

GitHub shows ``shortDescription`` as the alert title, ``help.markdown`` as the alert's
help, and ranks security alerts by ``properties["security-severity"]`` (a string number:
above 9 critical, 7-8.9 high, 4-6.9 medium, below 4 low).
"""

from __future__ import annotations

from typing import Any

import sarif_om as om

from scanner.model import PolicyInfo, Severity

MAX_TEXT = 1024  # GitHub truncates shortDescription/fullDescription beyond this
MAX_NAME = 255
MAX_TAGS = 20

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}

LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# Policies judge declared configuration, not heuristics: a failure is a real finding.
PRECISION = "high"


def rule_descriptor(policy: PolicyInfo) -> om.ReportingDescriptor:
    descriptor = om.ReportingDescriptor(
        id=policy.id,
        name=_clip(policy.name or policy.id, MAX_NAME),
        short_description=om.MultiformatMessageString(text=_clip(policy.title, MAX_TEXT)),
        full_description=om.MultiformatMessageString(
            text=_clip(policy.description or policy.title, MAX_TEXT)
        ),
        help=om.MultiformatMessageString(text=help_text(policy), markdown=help_markdown(policy)),
        default_configuration=om.ReportingConfiguration(level=LEVEL[policy.severity]),
        properties=rule_properties(policy),
    )
    if policy.help_url:
        descriptor.help_uri = policy.help_url
    return descriptor


def rule_properties(policy: PolicyInfo) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tags": rule_tags(policy),
        "precision": PRECISION,
        "security-severity": SECURITY_SEVERITY[policy.severity],
        "severity": policy.severity.value,
    }
    if policy.resource_types:
        props["resourceTypes"] = list(policy.resource_types)
    if policy.equivalents:
        props["equivalents"] = list(policy.equivalents)
    return props


def rule_tags(policy: PolicyInfo) -> list[str]:
    """``security`` first, then the policy's tags, then its control ids; at most 20."""
    tags: list[str] = []
    for tag in ("security", *policy.tags, *policy.controls):
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def help_markdown(policy: PolicyInfo) -> str:
    parts = [policy.help.strip() or policy.description.strip() or policy.title]
    if policy.controls:
        parts.append("**Controls:** " + ", ".join(f"`{c}`" for c in policy.controls))
    if policy.equivalents:
        parts.append("**Equivalent checks:** " + ", ".join(f"`{e}`" for e in policy.equivalents))
    if policy.help_url:
        parts.append(f"[Reference]({policy.help_url})")
    return "\n\n".join(parts)


def help_text(policy: PolicyInfo) -> str:
    parts = [policy.help.strip() or policy.description.strip() or policy.title]
    if policy.controls:
        parts.append("Controls: " + ", ".join(policy.controls))
    if policy.equivalents:
        parts.append("Equivalent checks: " + ", ".join(policy.equivalents))
    if policy.help_url:
        parts.append(f"Reference: {policy.help_url}")
    return "\n\n".join(parts)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
