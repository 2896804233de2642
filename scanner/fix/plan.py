"""Which failed findings to fix, and where in their file each edit goes.

A fix clause's paths are relative to the resource body the policy saw. The edit goes to
the place that value is written: through ``path_map`` into the ``Fn::If`` branch the
finding's variant took. A value that an intrinsic function computes (a ``Ref`` to a
parameter, ``Fn::FindInMap``, ``Fn::Sub``…), or that a ``set`` would replace together
with an intrinsic function inside it, is never changed: changing a parameter's default
or a mapping changes every use. Neither is a value written in SAM ``Globals`` (found
through ``origins``; every function shares it) or a resource that an ``Fn::ForEach``
loop makes (its text is the loop body that makes every resource of the loop). Only the
ops of the fix that are for the resource's type are made (``targets``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner.fix.select import concrete
from scanner.fix.targets import ops_for
from scanner.fix.text_ops import MISSING, DocOp, Source
from scanner.loaders.cloudformation import FORMAT
from scanner.loaders.foreach import LOOP_PREFIX
from scanner.model import Finding, Path, Severity, Status, document_path, path_text


@dataclass(frozen=True, slots=True)
class Request:
    """The edits that should make one failed finding pass."""

    finding: Finding
    ops: tuple[DocOp, ...]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A failed finding that is left as it is, and why."""

    finding: Finding
    reason: str


@dataclass
class Plan:
    requests: dict[str, list[Request]]  # document path -> requests, in finding order
    refusals: list[Refusal]


def plan(findings: Sequence[Finding], fail_on: Severity) -> Plan:
    """The fixable failed findings at or above ``fail_on``, grouped by file.

    A file's requests are in report order (position, policy id, resource id; ties kept
    as given), so edits at one place are made in the order reports list the findings.
    """
    result = Plan({}, [])
    for finding in findings:
        if finding.status is not Status.FAIL or finding.policy.severity.rank < fail_on.rank:
            continue
        request = _request(finding)
        if isinstance(request, Refusal):
            result.refusals.append(request)
        else:
            path = finding.resource.document.path  # type: ignore[union-attr]
            result.requests.setdefault(path, []).append(request)
    for requests in result.requests.values():
        requests.sort(key=_report_order)
    return result


def _report_order(request: Request) -> tuple[int, int, str, str]:
    finding = request.finding
    location = finding.location
    line, column = (location.line, location.column) if location is not None else (0, 0)
    return line, column, finding.policy.id, finding.resource.id


def _request(finding: Finding) -> Request | Refusal:
    resource = finding.resource
    if not (finding.fix or finding.policy.fixes):
        return Refusal(finding, "the policy has no fix")
    ops = ops_for(finding)
    if not ops:
        return Refusal(
            finding, f"the policy's fix is for its other resource types, not {resource.type}"
        )
    document = resource.document
    if document is None or document.format != FORMAT or document.text is None:
        return Refusal(finding, "not a template file: only templates are edited")
    loop = next(
        (k for k in resource.path if isinstance(k, str) and k.startswith(LOOP_PREFIX)), None
    )
    if loop is not None:
        return Refusal(
            finding,
            f"made by the {loop} loop; its text makes every resource of the loop, "
            "so it is not changed",
        )
    selected = concrete(ops, resource)
    if isinstance(selected, str):
        return Refusal(finding, selected)
    if not selected:
        return Refusal(finding, "the condition of the fix's list step picks no element here")
    paths = [document_path(resource, s.path) for s in selected]
    shared = next((p for p in paths if p[: len(resource.path)] != resource.path), None)
    if shared is not None:
        where = path_text(shared[:2])
        return Refusal(finding, f"the value is written in {where}, shared by other resources")
    return Request(
        finding,
        tuple(
            DocOp(s.kind, p, s.value, tuple(document_path(resource, g) for g in s.guards))
            for s, p in zip(selected, paths, strict=True)
        ),
    )


def computed_by(source: Source, resource_path: Path, op: DocOp) -> str | None:
    """Why ``op`` would edit a value an intrinsic function computes (or edit the list
    element such a value chose), or None."""
    for guard in op.guards:
        function = _function(source.node(guard))
        if function is not None:
            why = _explain(source, function, source.node(guard)[function])
            return f"{path_text(guard[len(resource_path) :])} chooses the element to change: {why}"
    path = op.path
    last = len(path) if op.kind != "remove" else len(path) - 1
    for end in range(len(resource_path), last + 1):
        node = source.node(path[:end])
        if node is MISSING:
            return None
        function = _function(node)
        if function is None:
            continue
        if end < len(path) and path[end] == function:
            continue  # the path goes through it: an Fn::If branch
        return _explain(source, function, node[function])
    if op.kind == "set":
        inner = _inner_function(source.node(path))
        if inner is not None:
            return (
                f"the value to replace holds {inner} written in the template; replacing it "
                "would drop that logic, so it is left to the author"
            )
    return None


def _inner_function(node: Any) -> str | None:
    """The first intrinsic function inside a mapping or list (an explicit stack, no recursion)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            function = _function(item)
            if function is not None:
                return function
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return None


def _function(node: Any) -> str | None:
    if type(node) is not dict or len(node) != 1:
        return None
    (name,) = node
    return name if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")) else None


def _explain(source: Source, function: str, arg: Any) -> str:
    parameters = source.node(("Parameters",))
    declared = parameters if type(parameters) is dict else {}
    if function == "Ref" and isinstance(arg, str):
        if arg in declared:
            return (
                f"the value comes from parameter {arg}; changing its default would "
                "change every use, so it is left to the author"
            )
        return f"the value is Ref {arg}, not a literal"
    if function == "Fn::FindInMap" and type(arg) is list and arg and isinstance(arg[0], str):
        return f"the value comes from mapping {arg[0]}; a mapping is shared, so it is left as is"
    named = sorted(p for p in declared if p in str(arg))
    used = f" (parameter {', '.join(named)})" if named else ""
    return f"the value is computed by {function}{used}, not a literal"
