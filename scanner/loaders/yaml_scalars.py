"""Scalar values as YAML 1.1 reads them, as far as CloudFormation cares.

``yes``/``no``/``on``/``off`` are booleans, ``0755`` is octal, ``0x1F`` hexadecimal,
``1_000`` an integer, ``190:20:30`` base 60, ``.inf`` a float; ``~``, ``null`` and nothing
are null. Timestamps stay strings (``Version: 2012-10-17`` is the string CloudFormation
means), and so do numbers with more digits than Python converts.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.model import UNKNOWN

_CORE = "tag:yaml.org,2002:"


def is_core_tag(tag: str) -> bool:
    """A YAML core tag (``!!str``, ``!!int``, ...) or the non-specific ``!``."""
    return tag.startswith(_CORE) or tag == "!"


_BOOLS = {
    word: value
    for value, words in ((True, "yes true on"), (False, "no false off"))
    for base in words.split()
    for word in (base, base.capitalize(), base.upper())
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*(?::[0-5]?[0-9])*)\Z")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|[0-9][0-9_]*[eE][-+][0-9]+"
    r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|\.(?:inf|Inf|INF))\Z|\.(?:nan|NaN|NAN)\Z"
)
_NUMBER_START = frozenset("0123456789-+.")


def plain_scalar(text: str) -> Any:
    """The value of an untagged plain scalar."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] in _NUMBER_START:
        if _INT.match(text):
            return _to_int(text)
        if _FLOAT.match(text):
            return _to_float(text)
    return text


def tagged_scalar(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit tag; an unknown tag reads as UNKNOWN."""
    if tag == _CORE + "int" and _INT.match(text):
        return _to_int(text)
    if tag == _CORE + "float" and (_FLOAT.match(text) or _INT.match(text)):
        return _to_float(text)
    if tag == _CORE + "bool" and text in _BOOLS:
        return _BOOLS[text]
    if tag == _CORE + "null" and text in _NULLS:
        return None
    if is_core_tag(tag):
        return text
    return UNKNOWN


def _to_int(text: str) -> int | str:
    digits = text.replace("_", "")
    sign, body = (-1, digits[1:]) if digits[0] == "-" else (1, digits.lstrip("+"))
    try:
        if body.startswith("0b"):
            return sign * int(body[2:], 2)
        if body.startswith("0x"):
            return sign * int(body[2:], 16)
        if ":" in body:
            return sign * _base60([int(part) for part in body.split(":")])
        if len(body) > 1 and body[0] == "0":
            return sign * int(body, 8)
        return sign * int(body)
    except ValueError:  # more digits than Python converts (int_max_str_digits)
        return text


def _to_float(text: str) -> float:
    body = text.replace("_", "").lower()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("-+")
    if body == ".inf":
        return sign * float("inf")
    if body == ".nan":
        return float("nan")
    if ":" in body:
        parts = body.split(":")
        return sign * (_base60([int(part) for part in parts[:-1]]) * 60 + float(parts[-1]))
    return sign * float(body)


def _base60(parts: list[int]) -> int:
    total = 0
    for part in parts:
        total = total * 60 + part
    return total
