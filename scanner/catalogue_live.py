"""Which policies run on a live account: the collected types and the template-only ones.

The collected types are those the collectors in ``scanner.aws.registry`` declare (the
``types`` of each ``Collector``). They are read from the collector sources with ``ast``,
not by importing them: the collectors import boto3, and listing the catalogue must not.
A test checks that this reading equals ``registry.all_collectors()``.

A policy target that no collector produces is declared in ``scanner/data/template_only.yaml``
with a reason, and with ``live_as`` when its content is judged live through a collected type
(a standalone ``AWS::EC2::SecurityGroupIngress`` is a rule inside its security group).
A policy is **live** when each of its targets is collected or has a collected ``live_as``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from scanner.model import PolicyInfo

REGISTRY = "registry.py"
TEMPLATE_ONLY = "template_only.yaml"


@dataclass(frozen=True, slots=True)
class TemplateOnly:
    """A resource type policies target that no collector produces, and why."""

    type: str
    reason: str
    live_as: str = ""  # the collected type that carries its content live, if any


@dataclass(frozen=True, slots=True)
class LiveCoverage:
    collected: frozenset[str]
    template_only: Mapping[str, TemplateOnly]

    def judged_live(self, resource_type: str) -> bool:
        """Whether resources of this type (or their content) are seen on a live account."""
        if resource_type in self.collected:
            return True
        entry = self.template_only.get(resource_type)
        return entry is not None and entry.live_as in self.collected

    def is_live(self, policy: PolicyInfo) -> bool:
        return all(self.judged_live(t) for t in policy.resource_types)

    def undeclared(self, policies: Iterable[PolicyInfo]) -> dict[str, list[str]]:
        """Targets neither collected nor declared template-only -> ids of their policies."""
        found: dict[str, list[str]] = {}
        for policy in policies:
            for t in policy.resource_types:
                if t not in self.collected and t not in self.template_only:
                    found.setdefault(t, []).append(policy.id)
        return found

    def stale(self) -> list[str]:
        """Declared template-only types that are in fact collected, or whose
        ``live_as`` is not collected."""
        return sorted(
            t
            for t, entry in self.template_only.items()
            if t in self.collected or (entry.live_as and entry.live_as not in self.collected)
        )


@cache
def live_coverage() -> LiveCoverage:
    return LiveCoverage(collected_types(), template_only_types())


def collected_types() -> frozenset[str]:
    """The types the registered collectors produce, read from their sources."""
    aws = files("scanner").joinpath("aws")
    types: set[str] = set()
    for module in _registry_modules(aws.joinpath(REGISTRY).read_text(encoding="utf-8")):
        source = aws.joinpath(module.rsplit(".", 1)[-1] + ".py").read_text(encoding="utf-8")
        types.update(collector_types(source, module))
    return frozenset(types)


def _registry_modules(source: str) -> tuple[str, ...]:
    value = _assignments(ast.parse(source)).get("MODULES")
    modules = ast.literal_eval(value) if value is not None else None
    if not isinstance(modules, tuple) or not all(isinstance(m, str) for m in modules):
        raise ValueError(f"scanner/aws/{REGISTRY}: MODULES must be a tuple of module names")
    return modules


def collector_types(source: str, module: str) -> tuple[str, ...]:
    """The ``types`` of every ``Collector(...)`` in ``COLLECTORS`` of a collector module.

    Each must be a literal tuple, or a name of one, whose items are strings or names of
    module-level strings; anything else is a ``ValueError`` naming the module.
    """
    names = _assignments(ast.parse(source))
    collectors = names.get("COLLECTORS")
    if not isinstance(collectors, ast.Tuple):
        raise ValueError(f"{module}: COLLECTORS must be a tuple of Collector(...)")
    found: list[str] = []
    for call in collectors.elts:
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Collector"):
            raise ValueError(f"{module}: COLLECTORS must be a tuple of Collector(...)")
        keywords = {k.arg: k.value for k in call.keywords}
        node = call.args[4] if len(call.args) > 4 else keywords.get("types")
        if node is not None:
            found.extend(_strings(node, names, module))
    return tuple(found)


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    names: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = stmt.value
    return names


def _strings(node: ast.expr, names: Mapping[str, ast.expr], module: str) -> list[str]:
    seen: set[str] = set()
    while isinstance(node, ast.Name) and node.id in names and node.id not in seen:
        seen.add(node.id)
        node = names[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple):
        return [s for item in node.elts for s in _strings(item, names, module)]
    raise ValueError(
        f"{module}: a collector's types must be literal strings or names of them "
        f"(line {getattr(node, 'lineno', '?')})"
    )


def template_only_types() -> dict[str, TemplateOnly]:
    """The declared template-only types (``scanner/data/template_only.yaml``)."""
    text = files("scanner.data").joinpath(TEMPLATE_ONLY).read_text(encoding="utf-8")
    return parse_template_only(yaml.safe_load(text))


def parse_template_only(data: Any) -> dict[str, TemplateOnly]:
    where = f"scanner/data/{TEMPLATE_ONLY}"
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be a mapping of resource type to its entry")
    entries: dict[str, TemplateOnly] = {}
    for resource_type, entry in data.items():
        reason = entry.get("reason") if isinstance(entry, dict) else None
        live_as = entry.get("live_as", "") if isinstance(entry, dict) else None
        if not isinstance(reason, str) or not reason.strip() or not isinstance(live_as, str):
            raise ValueError(
                f"{where}: {resource_type}: needs a non-empty `reason` (and `live_as`, "
                "when given, is a resource type)"
            )
        entries[str(resource_type)] = TemplateOnly(str(resource_type), reason.strip(), live_as)
    return entries
