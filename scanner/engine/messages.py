"""Finding messages: templates, what was unknown, and the conditions a variant assumed."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from scanner.engine import paths
from scanner.engine.context import Ctx, Node
from scanner.engine.paths import Step
from scanner.engine.relations import Relations
from scanner.model import Path, Resource, Unknown, is_opaque, is_reference, path_text
from scanner.values import MISSING, EvaluationError, show_value

Asked = tuple[str, tuple[Step, ...]]


def template(parts: Sequence[str | Node]) -> Callable[[Ctx], str]:
    """A function rendering ``parts`` (text and compiled expressions) for one resource."""
    # each part as (text, None) or (None, the expression's ev), checked once here
    frozen = tuple(("", p.ev) if isinstance(p, Node) else (p, None) for p in parts)

    def render_message(ctx: Ctx) -> str:
        out: list[str] = []
        for text, ev in frozen:
            if ev is None:
                out.append(text)
                continue
            try:
                out.append(show_value(ev(ctx)))
            except EvaluationError as exc:
                out.append(f"<error: {exc.message}>")
        return "".join(out)

    return render_message


def value_at(body: Mapping[str, Any], path: Path) -> Any:
    return paths.single(body, [("index" if isinstance(k, int) else "key", k) for k in path])


def first_missing(body: Mapping[str, Any], path: Path) -> Path:
    """``path`` cut just after its first key that is not there (the node to point at)."""
    value: Any = body
    n = 0
    for key in path:
        n += 1
        if type(value) is dict and type(key) is str:
            value = value.get(key, MISSING)
            if value is MISSING:
                return path[:n]
            continue
        value = paths.index(value, key) if isinstance(key, int) else paths.key(value, key)
        if value is MISSING or type(value) is Unknown:
            return path[:n]
    return path


def unknown_reason(body: Mapping[str, Any], path: Path | None, owner: str = "") -> str:
    """Why the value at ``path`` is not known, with the cause its loader gave.

    ``owner`` (`` of AWS::S3::BucketPolicy P``) follows the path when ``body`` is not the
    body of the resource the finding is about.
    """
    if path is None:
        return _somewhere(body, owner)
    value = value_at(body, path)
    if not is_opaque(value):
        inner = _first_opaque(value, path)
        if inner is not None:  # the decisive value was computed from something unknown
            path, value = inner
    shown = path_text(path) + owner
    if is_reference(value):
        return f"{shown} is a reference ({show_value(value)}) whose value is not known statically"
    if type(value) is Unknown and value.cause:
        return f"{shown} is unknown: {value.cause}"
    return f"{shown} is unknown (it cannot be resolved statically)"


def _somewhere(body: Mapping[str, Any], owner: str) -> str:
    """Why, when the expression cannot say which value it read: the body's UNKNOWN and
    reference values are the only ones that leave a result open, so name them."""
    opaque = _opaque_values(body.get("Properties"), ("Properties",), _NAMED + 1)
    if not opaque:
        return "a value it depends on is unknown"
    reasons = [unknown_reason(body, path, owner) for path in opaque[:_NAMED]]
    if len(opaque) == 1:
        return reasons[0]
    more = "; and more" if len(opaque) > _NAMED else ""
    return "one of these values it may depend on is not known: " + "; ".join(reasons) + more


_NAMED = 3  # opaque values an unknown finding lists when it cannot tell which one decided


def _opaque_values(value: Any, path: Path, limit: int) -> list[Path]:
    """Paths of the first ``limit`` UNKNOWN or reference values in ``value``, in order."""
    return [here for here, _ in itertools.islice(_opaque(value, path), limit)]


def _opaque(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """The UNKNOWN and reference values inside ``value`` with their paths, depth first in
    document order, at most 64 levels down."""
    stack: list[tuple[Path, Any, int]] = [(path, value, 0)]
    while stack:
        here, item, depth = stack.pop()
        if is_opaque(item):
            yield here, item
            continue
        if depth > 64:
            continue
        children: Any = ()
        if isinstance(item, dict):
            children = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        stack.extend(reversed([((*here, key), child, depth + 1) for key, child in children]))


def related_reason(relations: Relations, subject: Resource, asked: Sequence[Asked]) -> str | None:
    """Why ``related(...)`` calls (``asked``) left a result about ``subject`` open.

    First a candidate whose type(reference) is Unknown, named with its path and cause; else a
    definite match holding an UNKNOWN (or reference) value in its properties.
    """
    matches: list[Resource] = []
    for kind, steps in dict.fromkeys(asked):
        first, count, found = relations.candidates(subject, kind, steps)
        if first is not None:
            candidate, path = first
            reason = _about(candidate, path)
            more = count - 1
            return reason + (f" (and {more} more {kind} like it)" if more else "")
        matches.extend(m for m in found if all(m is not seen for seen in matches))
    for match in matches:
        properties = match.body.get("Properties")
        inner = _first_opaque(properties, ("Properties",))
        if inner is not None:
            return _about(match, inner[0])
    return None


def _about(other: Resource, path: Path) -> str:
    return unknown_reason(other.body, path or None, f" of {other.type} {other.id}")


def _first_opaque(value: Any, path: Path) -> tuple[Path, Any] | None:
    """The value inside ``value`` that most likely made it undecidable, with its path.

    The first unknown value (depth first) if there is one, else the first reference or
    partial string: those still answer ``exists`` and partial-string questions, so in a
    policy document full of ARNs built around references they are seldom what left the
    answer open.
    """
    first_reference: tuple[Path, Any] | None = None
    for here, item in _opaque(value, path):
        if type(item) is Unknown:
            return here, item
        if first_reference is None:
            first_reference = here, item
    return first_reference


def origin_note(resource: Resource, path: Path) -> str:
    """`` (set in Globals.Function.Runtime)`` when the value at ``path`` is written in a
    template's SAM ``Globals`` rather than in the resource."""
    template = resource.template
    origins = template.written_at if template is not None else None
    if not origins:
        return ""
    for end in range(len(path), 0, -1):
        origin = origins.get(path[:end])
        if origin is not None:
            return f" (set in {path_text(origin)})" if origin[:1] == ("Globals",) else ""
    return ""


def conditions_suffix(resource: Resource) -> str:
    """`` (when condition IsProd is true)`` for a resource from one branch of a condition."""
    origin = resource.template
    conditions = origin.conditions if origin is not None else None
    if not conditions:
        return ""
    said = " and ".join(
        f"condition {name} is {'true' if value else 'false'}"
        for name, value in sorted(conditions.items())
    )
    return f" (when {said})"
