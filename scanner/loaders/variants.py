"""From a parsed template to resolved resource bodies, one per condition assumption.

``template_context`` gathers what resolution needs (parameter values, mappings,
conditions, logical ids). ``resolve_resource`` resolves one resource; when an ``Fn::If``
(or the resource's own ``Condition``) depends on a condition that cannot be decided, it
resolves again under each truth value, up to ``max_variants`` bodies per resource. Past
that cap the remaining undecided ``Fn::If`` values become ``UNKNOWN``. A resource whose own
``Condition`` is false under the parameters is not created: it gives one variant whose
``absent`` says why (``condition IsProd is false (parameter Env=dev)``), so each policy
reports it as skipped instead of it vanishing from the report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.loaders.intrinsic_strings import STRING_FUNCTIONS
from scanner.loaders.intrinsics import (
    FUNCTIONS,
    PSEUDO_PARAMETERS,
    Branch,
    Resolver,
    Template,
    scalar_text,
)
from scanner.model import UNKNOWN, Path, is_unknown
from scanner.values import as_number

_ALL_FUNCTIONS = {**FUNCTIONS, **STRING_FUNCTIONS}


@dataclass(frozen=True)
class Variant:
    """One resolved body and the assumptions it was resolved under."""

    body: Any
    conditions: Mapping[str, bool]
    path_map: Mapping[Path, Path]
    absent: str | None = None  # why the resource is not created (its Condition is false)


def template_context(
    template: Mapping[str, Any], given: Mapping[str, Any], dynamic: set[int]
) -> Template:
    """The resolution context of ``template`` with parameter values ``given``."""
    resources = template.get("Resources")
    return Template(
        parameters=parameter_values(template.get("Parameters"), given),
        pseudo={name: value for name, value in given.items() if name in PSEUDO_PARAMETERS},
        mappings=_mapping(template.get("Mappings")),
        conditions=_mapping(template.get("Conditions")),
        resources=frozenset(resources) if type(resources) is dict else frozenset(),
        functions=_ALL_FUNCTIONS,
        dynamic=dynamic,
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if type(value) is dict else {}


def parameter_values(declared: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """Each declared parameter's value: given, else its default, else ``UNKNOWN``.

    Values are what ``Ref`` returns: a list for list types, a number for ``Number``,
    otherwise a string. SSM parameter types are resolved at deploy time: ``UNKNOWN``
    unless given.
    """
    values: dict[str, Any] = {}
    for name, declaration in _mapping(declared).items():
        spec = declaration if type(declaration) is dict else {}
        kind = spec.get("Type")
        kind = kind if type(kind) is str else "String"
        if name in given:
            raw = given[name]
        elif kind.startswith("AWS::SSM::Parameter::Value<") or "Default" not in spec:
            raw = UNKNOWN
        else:
            raw = spec["Default"]
        values[name] = _typed(raw, kind)
    return values


def _typed(raw: Any, kind: str) -> Any:
    if is_unknown(raw) or raw is None:
        return UNKNOWN
    if "List<" in kind or kind.endswith("CommaDelimitedList"):
        if type(raw) is list:
            return [scalar_text(item) for item in raw]
        return scalar_text(raw).split(",")
    if kind == "Number" and type(raw) is not bool:
        return _number(raw)
    if isinstance(raw, (str, int, float)):
        return scalar_text(raw)
    return raw


def _number(raw: Any) -> Any:
    """A ``Number`` parameter's value; text that is no number stays text (AWS rejects it)."""
    number = as_number(raw if isinstance(raw, (int, float)) else str(raw).strip())
    return str(raw).strip() if number is None else number


def hidden_parameters(template: Mapping[str, Any]) -> frozenset[str]:
    """The ``NoEcho`` parameters of ``template``: their values are never shown."""
    return frozenset(
        name
        for name, spec in _mapping(template.get("Parameters")).items()
        if type(spec) is dict and str(spec.get("NoEcho", "")).lower() == "true"
    )


def resolve_resource(
    template: Template,
    node: Mapping[str, Any],
    max_variants: int,
    bindings: Mapping[str, str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[Variant]:
    """Every variant of one resource that exists under some assumption.

    Assumptions grow breadth first, so when the cap is reached every variant has
    assumed the same conditions (the first ones met) and the later ones stay unknown.
    ``bindings`` are the current items of the ``Fn::ForEach`` loops that made the resource.
    A resource whose ``Condition`` is false is one ``absent`` variant (the values of the
    ``hidden`` parameters that decided it are not shown).
    """
    absent = _false_condition(template, node, bindings)
    if absent is not None:
        body = {"Type": node.get("Type"), "Condition": absent}
        return [Variant(body, {}, {}, absent=not_created(template, absent, hidden))]
    done: list[Variant] = []
    queue: deque[tuple[dict[str, bool], frozenset[str]]] = deque([({}, frozenset())])
    while queue:
        assumed, frozen = queue.popleft()
        try:
            variant = _resolve_once(template, node, assumed, frozen, bindings)
        except Branch as branch:
            leaves = len(done) + len(queue) + 1
            name = branch.name
            if branch.only_true:  # the resource exists only when its condition holds
                queue.appendleft(({**assumed, name: True}, frozen))
            elif leaves < max_variants:
                queue.extend(
                    (({**assumed, name: True}, frozen), ({**assumed, name: False}, frozen))
                )
            else:  # no room for another variant: this Fn::If stays unknown
                queue.appendleft((assumed, frozen | {name}))
            continue
        if variant is not None:
            done.append(variant)
    return done


def _false_condition(
    template: Template, node: Mapping[str, Any], bindings: Mapping[str, str] | None
) -> str | None:
    """The name of the resource's ``Condition`` when it is false with no assumption."""
    condition = node.get("Condition")
    if type(condition) is not str or condition not in template.conditions:
        return None
    truth = Resolver(template, {}, frozenset(), bindings).condition(condition)
    return condition if truth is False else None


def not_created(template: Template, condition: str, hidden: frozenset[str]) -> str:
    """``condition IsProd is false (parameter Env=dev)``: the parameters it reads."""
    shown = []
    for name in _condition_parameters(template, condition):
        value = template.parameters.get(name, template.pseudo.get(name, UNKNOWN))
        if is_unknown(value):
            continue
        text = "***" if name in hidden else _shown(value)
        shown.append(f"{name}={text}")
    said = f"condition {condition} is false"
    if not shown:
        return said
    label = "parameter" if len(shown) == 1 else "parameters"
    return f"{said} ({label} {', '.join(shown)})"


def _shown(value: Any) -> str:
    if type(value) is list:
        return ",".join(scalar_text(item) for item in value)
    return scalar_text(value)


def _condition_parameters(template: Template, condition: str) -> list[str]:
    """Parameters (and given pseudo parameters) that ``condition`` reads, in order."""
    found: list[str] = []
    seen = {condition}
    stack: list[Any] = [template.conditions.get(condition)]
    while stack:
        expr = stack.pop()
        if type(expr) is list:
            stack.extend(reversed(expr))
        elif type(expr) is dict:
            if len(expr) == 1:
                ((key, arg),) = expr.items()
                if key == "Ref" and type(arg) is str:
                    if (arg in template.parameters or arg in template.pseudo) and arg not in found:
                        found.append(arg)
                    continue
                if key == "Condition" and type(arg) is str:
                    if arg not in seen:
                        seen.add(arg)
                        stack.append(template.conditions.get(arg))
                    continue
            stack.extend(reversed(list(expr.values())))
    return found


def _resolve_once(
    template: Template,
    node: Mapping[str, Any],
    assumed: dict[str, bool],
    frozen: frozenset[str],
    bindings: Mapping[str, str] | None,
) -> Variant | None:
    resolver = Resolver(template, assumed, frozen, bindings)
    condition = node.get("Condition")
    if type(condition) is str:
        truth = resolver.condition(condition)
        if truth is False:
            return None
        if truth is None and condition in template.conditions:
            raise Branch(condition, only_true=True)
    body = resolver.value(node, (), ())
    if type(body) is not dict:
        body = {"Type": node.get("Type"), "Properties": UNKNOWN}
    return Variant(body, dict(assumed), resolver.path_map)
