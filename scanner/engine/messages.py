"""Finding messages: templates, what was unknown, and assumed ``Fn::If`` conditions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scanner.engine import paths
from scanner.engine.context import Ctx, Node
from scanner.engine.values import MISSING, EvaluationError, is_reference, render
from scanner.model import UNKNOWN, Path, Resource


def template(parts: Sequence[str | Node]) -> Callable[[Ctx], str]:
    """A function rendering ``parts`` (text and compiled expressions) for one resource."""
    frozen = tuple(parts)

    def render_message(ctx: Ctx) -> str:
        out = []
        for part in frozen:
            if isinstance(part, str):
                out.append(part)
                continue
            try:
                out.append(render(part.ev(ctx)))
            except EvaluationError as exc:
                out.append(f"<error: {exc.message}>")
        return "".join(out)

    return render_message


def show_path(path: Path) -> str:
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isidentifier():
            out += f".{key}" if out else key
        else:
            out += f'."{key}"' if out else f'"{key}"'
    return out


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
        if value is MISSING or value is UNKNOWN:
            return path[:n]
    return path


def unknown_reason(body: Mapping[str, Any], path: Path | None) -> str:
    if path is None:
        return "a value it depends on is unknown"
    value = value_at(body, path)
    shown = show_path(path)
    if is_reference(value):
        return f"{shown} is a reference ({render(value)}) whose value is not known statically"
    return f"{shown} is unknown (it cannot be resolved statically)"


def conditions_suffix(resource: Resource) -> str:
    """`` (when condition IsProd is true)`` for a resource from one Fn::If branch."""
    conditions = resource.metadata.get("conditions") or {}
    if not conditions:
        return ""
    said = " and ".join(
        f"condition {name} is {'true' if value else 'false'}"
        for name, value in sorted(conditions.items())
    )
    return f" (when {said})"
