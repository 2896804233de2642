"""Path queries: one value for plain steps, a flat collection after ``[*]``, ``.*`` or a filter.

Plain steps (keys and indexes) yield one value, ``MISSING`` when nothing is there, the
same ``Unknown`` below an unknown value and ``UNKNOWN`` below a reference or partial
string. Once a path fans out it is a *collection*: a list of the values found (missing
ones dropped), or ``UNKNOWN`` when the number of elements cannot be known. ``traced``
variants also return where each value sits (for finding paths); they are only used to
explain a result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scanner.model import UNKNOWN, Partial, Path, Reference, Unknown, is_opaque
from scanner.values import MISSING

# A step of a compiled path: ("key", name) | ("index", n) | ("list", None) | ("map", None)
# | ("filter", predicate) where predicate(ctx, element) -> True | False | UNKNOWN.
Step = tuple[str, Any]
Traced = tuple[Any, "Path | None"]


def key(value: Any, name: str) -> Any:
    if type(value) is dict:
        return value.get(name, MISSING)
    if type(value) is Unknown:
        return value  # below an unknown value: unknown, for the same reason
    if type(value) is Reference or type(value) is Partial:
        return UNKNOWN
    return MISSING


def index(value: Any, n: int) -> Any:
    if type(value) is list:
        if -len(value) <= n < len(value):
            return value[n]
        return MISSING
    if type(value) is Unknown:
        return value
    if type(value) is Reference or type(value) is Partial:
        return UNKNOWN
    return MISSING


def keys(value: Any, names: Sequence[str]) -> Any:
    """The value at a run of keys (the common, fast case)."""
    for name in names:
        if type(value) is dict:
            value = value.get(name, MISSING)
            if value is MISSING:
                return MISSING
        elif type(value) is Unknown:
            return value
        elif type(value) is Reference or type(value) is Partial:
            return UNKNOWN
        else:
            return MISSING
    return value


def single(value: Any, steps: Sequence[Step]) -> Any:
    for kind, arg in steps:
        value = key(value, arg) if kind == "key" else index(value, arg)
    return value


def elements(value: Any) -> Any:
    """What a quantifier or ``[*]`` iterates: list items; a lone value is a one-item list."""
    if type(value) is list:
        return value
    if value is MISSING or value is None:
        return []
    if is_opaque(value):
        return UNKNOWN
    return [value]


def map_values(value: Any) -> Any:
    if type(value) is dict:
        return list(value.values())
    if type(value) is list:
        return value
    if is_opaque(value):
        return UNKNOWN
    return []


def fan_out(values: list[Any], steps: Sequence[Step], ctx: Any) -> Any:
    """Apply ``steps`` to every value of a collection; UNKNOWN if any count is unknown."""
    for kind, arg in steps:
        out: list[Any] = []
        for value in values:
            if kind == "key" or kind == "index":
                found = key(value, arg) if kind == "key" else index(value, arg)
                if found is not MISSING:
                    out.append(found)
                continue
            if kind == "map":
                found = map_values(value)
            else:
                found = elements(value)
            if type(found) is Unknown:
                return UNKNOWN
            if kind == "filter":
                kept = _filtered(found, arg, ctx)
                if type(kept) is Unknown:
                    return UNKNOWN
                found = kept
            out.extend(found)
        values = out
    return values


def _filtered(items: list[Any], predicate: Callable[[Any, Any], Any], ctx: Any) -> Any:
    kept = []
    for item in items:
        verdict = predicate(ctx, item)
        if verdict is True:
            kept.append(item)
        elif verdict is not False:
            return UNKNOWN
    return kept


# ---------------------------------------------------------------- traced (explanations)


def single_traced(value: Any, where: Path | None, steps: Sequence[Step]) -> Traced:
    for kind, arg in steps:
        value = key(value, arg) if kind == "key" else index(value, arg)
        where = None if where is None else (*where, arg)
    return value, where


def fan_out_traced(items: list[Traced], steps: Sequence[Step], ctx: Any) -> list[Traced] | None:
    """Like ``fan_out`` with paths; None where the collection is unknown."""
    for kind, arg in steps:
        out: list[Traced] = []
        for value, where in items:
            if kind == "key" or kind == "index":
                found = key(value, arg) if kind == "key" else index(value, arg)
                if found is not MISSING:
                    out.append((found, None if where is None else (*where, arg)))
                continue
            expanded = _expand_traced(kind, arg, value, where, ctx)
            if expanded is None:
                return None
            out.extend(expanded)
        items = out
    return items


def _expand_traced(
    kind: str, arg: Any, value: Any, where: Path | None, ctx: Any
) -> list[Traced] | None:
    if kind == "map" and type(value) is dict:
        return [(v, None if where is None else (*where, k)) for k, v in value.items()]
    found = map_values(value) if kind == "map" else elements(value)
    if type(found) is Unknown:
        return None
    if type(value) is list:
        pairs = [(v, None if where is None else (*where, i)) for i, v in enumerate(found)]
    else:
        pairs = [(v, where) for v in found]
    if kind == "filter":
        kept = [(v, w) for v, w in pairs if arg(ctx, v) is True]
        return kept
    return pairs
