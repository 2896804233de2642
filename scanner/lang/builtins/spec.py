"""How a built-in function declares itself: name, parameter types, result, behaviour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.values import EvaluationError, as_number, type_name

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
    element of a list or map and one per 64 characters of a string). A ``remembered``
    one-argument ``raw`` function gives the same result for the same value: evaluation
    remembers it per resource, by the identity of the argument (a policy document is
    parsed and normalised once, however many actions a policy asks about).
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
    remembered: bool = False

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


_PLAIN_TYPES = {"string": str, "bool": bool, "list": list, "map": dict}


def needs_check(builtin: Builtin, position: int) -> bool:
    """Whether argument ``position`` is checked or converted (``any``, regexes and types
    are passed as they are)."""
    return builtin.param_type(position) not in ("any", "regex", "type")


def checker(builtin: Builtin, position: int) -> Callable[[Any], Any]:
    """The check of argument ``position`` against its declared type: the value (a numeric
    string as its number, for ``number``), or an EvaluationError."""
    wanted = builtin.param_type(position)

    def wrong(value: Any) -> EvaluationError:
        return EvaluationError(
            f"{builtin.name}() argument {position + 1} must be a {wanted}, got {type_name(value)}"
        )

    if wanted == "number":

        def number(value: Any) -> Any:
            kind = type(value)
            if kind is int or kind is float:  # the common case, without a call
                return value
            found = as_number(value) if kind is not bool else None
            if found is None:
                raise wrong(value)
            return found

        return number
    if wanted in _PLAIN_TYPES:
        expected = _PLAIN_TYPES[wanted]

        def plain(value: Any) -> Any:
            if type(value) is not expected:
                raise wrong(value)
            return value

        return plain
    return lambda value: value
