"""Coverage of other tools' rules: checkov's CloudFormation checks and the cfn-guard
rules registry, judged from the policies' ``equivalents``.

``scanner/data/peer_rules.json`` lists each tool's rules (id -> title), as
``tools/peer_coverage.py`` read them from an installed checkov and a registry checkout;
``scanner/data/peer_gaps.yaml`` says why a rule has no same-control policy. A rule is
covered when some policy names ``<tool>:<id>`` among its equivalents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from scanner.model import PolicyInfo

RULES = "peer_rules.json"
GAPS = "peer_gaps.yaml"
HEADING = "## Coverage of checkov and cfn-guard rules"


@dataclass(frozen=True, slots=True)
class PeerTool:
    name: str  # the equivalents prefix: "checkov", "cfn-guard"
    title: str
    source: str  # which version or commit the rules were read from
    rules: dict[str, str]  # id -> title
    gaps: dict[str, str]  # id -> why no policy covers it

    def covered(self, policies: tuple[PolicyInfo, ...]) -> dict[str, list[str]]:
        """Each rule id -> the ids of the policies that name it (only covered rules)."""
        found: dict[str, list[str]] = {}
        for policy in policies:
            for equivalent in policy.equivalents:
                prefix, _, rule = equivalent.partition(":")
                if prefix == self.name and rule in self.rules:
                    found.setdefault(rule, []).append(policy.id)
        return found


@cache
def peer_tools() -> tuple[PeerTool, ...]:
    data = files("scanner.data")
    rules: dict[str, Any] = json.loads(data.joinpath(RULES).read_text(encoding="utf-8"))
    gaps: dict[str, Any] = yaml.safe_load(data.joinpath(GAPS).read_text(encoding="utf-8")) or {}
    return tuple(
        PeerTool(
            name,
            entry["title"],
            entry["source"],
            dict(entry["rules"]),
            {str(k): str(v) for k, v in (gaps.get(name) or {}).items()},
        )
        for name, entry in rules.items()
    )


def render_peer_coverage(policies: tuple[PolicyInfo, ...]) -> list[str]:
    """The section of docs/policies.md: the share of each tool's rules with a
    same-control policy, then the rules without one and why."""
    lines = [
        HEADING,
        "",
        "A rule counts as covered when a policy checks the same control and names the rule "
        "among its equivalents (`pacscan policies show ID`). checkov's rules are its "
        "CloudFormation checks for AWS, resource and graph checks; the registry's are its "
        "rule files that declare a rule, counted once per Rule Identifier (sub-rules of one "
        "file are one rule, and files holding only comments, Config rules a template cannot "
        "show, are left out). Recompute with `python tools/peer_coverage.py --write-docs`.",
        "",
        "| Tool | Rules read | Covered | Share |",
        "| --- | --- | --- | --- |",
    ]
    tools = peer_tools()
    for tool in tools:
        covered = len(tool.covered(policies))
        share = 100.0 * covered / len(tool.rules) if tool.rules else 0.0
        lines.append(
            f"| {tool.title} ({tool.source}) | {len(tool.rules)} | {covered} | {share:.0f} % |"
        )
    lines.append("")
    for tool in tools:
        covered_ids = tool.covered(policies)
        missing = [rule for rule in sorted(tool.rules, key=_order) if rule not in covered_ids]
        lines += [f"### {tool.title}: rules without a policy", ""]
        lines += ["| Rule | Title | Why not covered |", "| --- | --- | --- |"]
        for rule in missing:
            reason = tool.gaps.get(rule, "not covered yet")
            lines.append(f"| {rule} | {_cell(tool.rules[rule])} | {_cell(reason)} |")
        lines.append("")
    return lines


def _order(rule: str) -> tuple[str, int, str]:
    head, _, number = rule.rpartition("_")
    return (head, int(number), rule) if number.isdigit() else (rule, 0, rule)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
