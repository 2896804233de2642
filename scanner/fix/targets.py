"""Which resource types an op of a fix clause is for.

A policy over several resource types may write one op per type, each at a property only
that type has (``Properties.TracingEnabled`` on an API Gateway stage,
``Properties.StageDescription.TracingEnabled`` on the deployment that creates one). An op
is for the types whose property tree (``scanner.lang.resource_schema``, the published
CloudFormation schemas) has its path; a type the index does not check (``Custom::``,
registry types) takes every op. So a fix never writes a property the resource's type does
not have, and a finding whose type no op is for is left alone, with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.lang.resource_schema import properties
from scanner.model import Finding, FixOp


def applies(resource_type: str, op: FixOp) -> bool:
    """Whether ``resource_type`` has the property ``op`` writes (list steps are transparent)."""
    if not op.path or op.path[0] != "Properties":
        return True
    node = properties(resource_type)
    for key in op.path[1:]:
        if not isinstance(key, str):  # an index, [K = v] or [? cond]: an element of a list
            continue
        if not isinstance(node, dict):
            return True  # not checked below here: a free-form object or a scalar
        if key not in node:
            return False
        node = node[key]
    return True


def ops_for(finding: Finding) -> tuple[FixOp, ...]:
    """The ops of the finding's fix that are for its resource's type."""
    ops = finding.fix or finding.policy.fixes
    return tuple(op for op in ops if applies(finding.resource.type, op))


def only_for(op: FixOp, resource_types: Sequence[str]) -> tuple[str, ...]:
    """The types of ``resource_types`` ``op`` is for, or () when it is for all of them."""
    chosen = tuple(t for t in resource_types if applies(t, op))
    return () if len(chosen) == len(resource_types) else chosen
