"""How a built-in function declares itself: name, parameter types, result, behaviour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.model import UNKNOWN, Unknown
from scanner.values import MISSING, EvaluationError, is_reference, type_name

# Parameter types: "string", "number", "bool", "list", "map", "any" (plain data), and the
# compile-time kinds "regex" (a string literal, compiled once) and "type" (a resource type).
ARG_TYPES = ("string", "number", "bool", "list", "map", "any", "regex", "type", "path")


def argument_size(args: list[Any]) -> int:
    """Steps for a call with these arguments: the size of each list, map and string."""
    steps = 1
    for value in args:
        kind = type(value)
        if kind is list or kind is dict:
            steps += len(value)
        elif kind is str:
            steps += len(value) >> 6
    return steps


@dataclass(frozen=True, slots=True)
class Builtin:
    """One function of the language.

    ``params`` are the declared types of the arguments; with ``variadic`` the last one
    repeats (at least ``len(params)`` arguments). Unless ``raw`` is set, a call with a
    MISSING argument returns MISSING and one with an UNKNOWN or reference argument returns
    UNKNOWN, without calling ``fn``; ``raw`` functions see those values themselves.
    ``needs_now`` functions get the scan's time as their first argument. ``cost`` is the
    number of evaluation steps a call takes, from its argument values (by default one per
    element of a list or map and one per 64 characters of a string).
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...]
    returns: str
    summary: str
    variadic: bool = False
    raw: bool = False
    needs_now: bool = False
    cost: Callable[[list[Any]], int] = argument_size

    def accepts(self, count: int) -> bool:
        if self.variadic:
            return count >= len(self.params)
        return count == len(self.params)

    def param_type(self, position: int) -> str:
        if position < len(self.params):
            return self.params[position]
        return self.params[-1]

    def signature(self) -> str:
        shown = ", ".join(self.params) + (", ..." if self.variadic else "")
        return f"{self.name}({shown}) -> {self.returns}"


def coerce(builtin: Builtin, position: int, value: Any) -> Any:
    """``value`` as the declared type of argument ``position``, or an EvaluationError."""
    wanted = builtin.param_type(position)
    if wanted == "any" or wanted == "regex" or wanted == "type":
        return value
    if wanted == "number":
        if type(value) is int or type(value) is float:
            return value
        if type(value) is str:
            try:
                return float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                pass
    elif wanted == "string" and type(value) is str:
        return value
    elif wanted == "bool" and type(value) is bool:
        return value
    elif wanted == "list" and type(value) is list:
        return value
    elif wanted == "map" and type(value) is dict:
        return value
    raise EvaluationError(
        f"{builtin.name}() argument {position + 1} must be a {wanted}, got {type_name(value)}"
    )


def blocked(args: list[Any]) -> Any:
    """MISSING/UNKNOWN when a standard (non-raw) call short-circuits, else None."""
    for value in args:
        if value is MISSING:
            return MISSING
    for value in args:
        if type(value) is Unknown or is_reference(value):
            return UNKNOWN
    return None
