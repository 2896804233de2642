"""``param`` types and the values they accept (defaults and ``--param`` overrides)."""

from __future__ import annotations

from typing import Any

from scanner.model import UNKNOWN
from scanner.values import type_name

PARAM_TYPES = ("string", "number", "bool", "list", "map", "any")

_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "map": lambda v: isinstance(v, dict),
    "any": lambda v: True,
}


def param_value_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` does not fit a param of type ``kind`` (None when it does)."""
    if value is UNKNOWN:
        return "cannot be unknown"
    check = _CHECKS.get(kind)
    if check is None or check(value):
        return None
    return f"must be a {kind}, got {type_name(value)} {value!r}"
