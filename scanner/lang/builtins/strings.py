"""String functions: lower, upper, trim, split, join, replace, to_string, to_number,
regex_replace."""

from __future__ import annotations

import json
from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.lang.regex_safety import PolicyRegex
from scanner.model import UNKNOWN, Unknown
from scanner.values import (
    MAX_MATCH_INPUT,
    MAX_STRING_RESULT,
    MISSING,
    EvaluationError,
    as_number,
    is_reference,
    show_value,
)


def _join(items: list[Any], sep: str) -> str:
    parts = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise EvaluationError(f"join() can only join strings and numbers, got {item!r}")
        parts.append(str(item))
    size = sum(len(part) for part in parts) + len(sep) * max(len(parts) - 1, 0)
    if size > MAX_STRING_RESULT:
        raise EvaluationError(
            f"join() result is over the limit of {MAX_STRING_RESULT:,} characters"
        )
    return sep.join(parts)


def _to_string(value: Any) -> Any:
    if value is MISSING:
        return MISSING
    if type(value) is Unknown or is_reference(value):
        return UNKNOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=show_value)
    return str(value)


def _to_number(value: Any) -> Any:
    """A number from a number or numeric string; MISSING when there is none."""
    if type(value) is Unknown or is_reference(value):
        return UNKNOWN
    number = as_number(value)
    return MISSING if number is None else number


def _too_long(name: str) -> str:
    return f"{name}() result is over the limit of {MAX_STRING_RESULT:,} characters"


def _regex_replace(text: str, pattern: PolicyRegex, replacement: str) -> str:
    if len(text) > MAX_MATCH_INPUT:
        raise EvaluationError(
            f"regex_replace() input of {len(text)} characters is over the limit of "
            f"{MAX_MATCH_INPUT}"
        )
    return pattern.sub(replacement, text)


def _replace(text: str, old: str, new: str) -> str:
    if not old:
        return text
    size = len(text) + text.count(old) * (len(new) - len(old))
    if size > MAX_STRING_RESULT:
        raise EvaluationError(
            f"replace() result is over the limit of {MAX_STRING_RESULT:,} characters"
        )
    return text.replace(old, new)


FUNCTIONS = (
    Builtin("lower", str.lower, ("string",), "string", "the string in lower case"),
    Builtin("upper", str.upper, ("string",), "string", "the string in upper case"),
    Builtin("trim", str.strip, ("string",), "string", "the string without outer whitespace"),
    Builtin(
        "split",
        lambda s, sep: s.split(sep) if sep else list(s),
        ("string", "string"),
        "list",
        "the parts of a string between separators",
    ),
    Builtin("join", _join, ("list", "string"), "string", "list items joined by a separator"),
    Builtin(
        "replace",
        _replace,
        ("string", "string", "string"),
        "string",
        "every occurrence of a substring replaced",
    ),
    Builtin(
        "to_string",
        _to_string,
        ("any",),
        "string",
        "a value as text (lists and maps as compact JSON)",
        raw=True,
    ),
    Builtin(
        "to_number",
        _to_number,
        ("any",),
        "number",
        "a number from a number or numeric string (missing if not numeric)",
        raw=True,
    ),
    Builtin(
        "regex_replace",
        _regex_replace,
        ("string", "regex", "string"),
        "string",
        "every match of a regular expression literal replaced (\\1 for groups)",
    ),
)
