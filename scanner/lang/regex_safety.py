"""Regular expressions in policies: compiled once, and refused when they can backtrack
catastrophically (a repeated group that itself repeats, like ``(a+)+``)."""

from __future__ import annotations

import importlib
import re
from typing import Any

from scanner.lang import codes

# The standard library's pattern parser (``re._parser`` from 3.11, ``sre_parse`` before).
try:
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # Python 3.10
    _sre = importlib.import_module("sre_parse")

MAX_PATTERN = 1000


class RegexProblem(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def compile_regex(pattern: str) -> re.Pattern[str]:
    """The compiled pattern, or ``RegexProblem`` (P030 invalid, P031 unsafe)."""
    if len(pattern) > MAX_PATTERN:
        raise RegexProblem(
            codes.BAD_REGEX, f"regular expression is longer than {MAX_PATTERN} characters"
        )
    try:
        compiled = re.compile(pattern)
        parsed = _sre.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexProblem(codes.BAD_REGEX, f"invalid regular expression: {exc}") from None
    if _nested_repeat(list(parsed), inside_repeat=False):
        raise RegexProblem(
            codes.UNSAFE_REGEX,
            f"regular expression {pattern!r} repeats a group that itself repeats "
            "(like `(a+)+`), which can take exponential time; remove the inner or outer "
            "repetition",
        )
    return compiled


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}


def _nested_repeat(items: list[tuple[Any, Any]], inside_repeat: bool) -> bool:
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            low, high, sub = arg
            unbounded = high is _sre.MAXREPEAT or high > 1
            if unbounded and inside_repeat:
                return True
            if _nested_repeat(list(sub), inside_repeat or unbounded):
                return True
        elif name == "SUBPATTERN":
            if _nested_repeat(list(arg[-1]), inside_repeat):
                return True
        elif name == "BRANCH":
            if any(_nested_repeat(list(alt), inside_repeat) for alt in arg[1]):
                return True
        elif name in ("ASSERT", "ASSERT_NOT"):
            if _nested_repeat(list(arg[1]), inside_repeat):
                return True
    return False
