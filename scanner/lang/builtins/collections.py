"""Collection functions: len, keys, values, flatten, unique, sum, min, max, count, first,
last, coalesce."""

from __future__ import annotations

from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.model import UNKNOWN, Unknown
from scanner.values import MISSING, EvaluationError, equals, is_opaque, type_name


def _size(value: Any) -> Any:
    """Length of a string, list or map; 0 for missing or null."""
    if value is MISSING or value is None:
        return 0
    if is_opaque(value):
        return UNKNOWN
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise EvaluationError(f"len() needs a string, list or map, got {type_name(value)}")


def _count(value: Any) -> Any:
    """Number of elements of a collection; 0 for missing."""
    if value is MISSING or value is None:
        return 0
    if is_opaque(value):
        return UNKNOWN
    if isinstance(value, list):
        return len(value)
    return 1


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return out


def _unique(items: list[Any]) -> Any:
    out: list[Any] = []
    for item in items:
        if is_opaque(item):
            return UNKNOWN
        if not any(equals(item, seen) is True for seen in out):
            out.append(item)
    return out


def _unique_cost(args: list[Any]) -> int:
    """unique() compares each item with the ones kept: up to n * n / 2 comparisons."""
    items = args[0] if args else None
    return 1 + len(items) * len(items) // 2 if type(items) is list else 1


def _numbers(name: str, items: list[Any]) -> Any:
    values = []
    for item in items:
        if is_opaque(item):
            return UNKNOWN
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise EvaluationError(f"{name}() needs numbers, got {type_name(item)}")
        values.append(item)
    return values


def _sum(items: list[Any]) -> Any:
    values = _numbers("sum", items)
    return values if type(values) is Unknown else sum(values)


def _extreme(name: str, items: list[Any]) -> Any:
    values = _numbers(name, items)
    if type(values) is Unknown:
        return UNKNOWN
    if not values:
        return MISSING
    return min(values) if name == "min" else max(values)


def _coalesce(*args: Any) -> Any:
    """The first argument that is neither missing nor null."""
    for value in args:
        if type(value) is Unknown:
            return UNKNOWN
        if value is not MISSING and value is not None:
            return value
    return MISSING


FUNCTIONS = (
    Builtin("len", _size, ("any",), "int", "length of a string, list or map", raw=True),
    Builtin("count", _count, ("any",), "int", "number of elements of a collection", raw=True),
    Builtin("keys", lambda m: list(m.keys()), ("map",), "list", "the keys of a map"),
    Builtin("values", lambda m: list(m.values()), ("map",), "list", "the values of a map"),
    Builtin("flatten", _flatten, ("list",), "list", "nested lists flattened one level"),
    Builtin(
        "unique",
        _unique,
        ("list",),
        "list",
        "the list without repeated items",
        cost=_unique_cost,
    ),
    Builtin("sum", _sum, ("list",), "number", "the sum of a list of numbers"),
    Builtin("min", lambda xs: _extreme("min", xs), ("list",), "number", "the smallest number"),
    Builtin("max", lambda xs: _extreme("max", xs), ("list",), "number", "the largest number"),
    Builtin(
        "first",
        lambda xs: xs[0] if xs else MISSING,
        ("list",),
        "any",
        "the first item (missing when empty)",
    ),
    Builtin(
        "last",
        lambda xs: xs[-1] if xs else MISSING,
        ("list",),
        "any",
        "the last item (missing when empty)",
    ),
    Builtin(
        "coalesce",
        _coalesce,
        ("any",),
        "any",
        "the first argument that is neither missing nor null",
        variadic=True,
        raw=True,
    ),
)
