"""JSON: json_parse (inline policy documents are often JSON strings)."""

from __future__ import annotations

import json
from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.model import UNKNOWN
from scanner.values import MISSING, EvaluationError, is_opaque

MAX_JSON_TEXT = 1_000_000


def parse_json(value: Any) -> Any:
    """A JSON string parsed; a map or list is returned as it is."""
    if value is MISSING:
        return MISSING
    if is_opaque(value):
        return UNKNOWN
    if isinstance(value, (dict, list)):
        return value
    if not isinstance(value, str):
        raise EvaluationError("json_parse() needs a string, map or list")
    if len(value) > MAX_JSON_TEXT:
        raise EvaluationError(f"json_parse() input is over {MAX_JSON_TEXT} characters")
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise EvaluationError(f"json_parse(): not valid JSON ({exc})") from None


FUNCTIONS = (
    Builtin(
        "json_parse",
        parse_json,
        ("any",),
        "any",
        "a JSON string parsed (a map or list is returned as is)",
        raw=True,
        remembered=True,
    ),
)
