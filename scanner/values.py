"""Values as policies see them, and the three-valued operators on them.

A value is plain data (dict, list, str, int, float, bool, None), an ``Unknown`` (cannot be
resolved statically), a ``Reference`` to a resource, a ``Partial`` string (known text
around unknown parts), or ``MISSING`` (a path that matched nothing). References and
partial strings are *references* to the policy language: they exist, but only a partial
string's known text can settle anything about them. Truth values are ``True``, ``False``
and ``UNKNOWN`` (Kleene logic). docs/language.md has the tables.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from scanner.errors import PacscanError
from scanner.model import UNKNOWN, Partial, Reference, Unknown, is_opaque, is_reference


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        raise TypeError("MISSING has no truth value")


MISSING: Final = _Missing()

MAX_MATCH_INPUT = 65536  # characters a regular expression may be matched against
MAX_STRING_RESULT = 1 << 20  # characters a string function (replace, join...) may build


class EvaluationError(PacscanError):
    """A policy met data it cannot handle (becomes a status=error finding)."""

    code = "E100"


def type_name(value: Any) -> str:
    if value is MISSING:
        return "missing"
    if type(value) is Unknown:
        return "unknown"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    if type(value) is Reference or type(value) is Partial:
        return "reference"
    return type(value).__name__


# ---------------------------------------------------------------- truth


def truth(value: Any) -> Any:
    """A value in a condition: true/"true" is true, an Unknown or a reference is unknown."""
    if value is True or value is False:
        return value
    if type(value) is str:
        low = value.lower()
        return True if low == "true" else False
    if is_opaque(value):
        return UNKNOWN
    return False


def k_not(value: Any) -> Any:
    if value is True:
        return False
    if value is False:
        return True
    return UNKNOWN


# ---------------------------------------------------------------- equality and order


_NUMERIC = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")


def as_number(value: Any) -> int | float | None:
    """``value`` as a number: a number itself, or a string holding a decimal number.

    The one reading of numeric strings (property values, ``Number`` parameters, ``number()``):
    ``"22"``, ``" 1.5 "``, ``"1e3"``. Python's own extras (``"1_000"``, ``"inf"``, ``"nan"``,
    ``"0x10"``) are not numbers to AWS and are not here; booleans are not numbers.
    """
    if type(value) is int or type(value) is float:
        return value
    if type(value) is not str or not _NUMERIC.fullmatch(value):
        return None
    try:
        return float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:  # an integer over Python's limit of digits
        return None


def _bool_text(value: str) -> bool | None:
    low = value.lower()
    return True if low == "true" else False if low == "false" else None


def equals(a: Any, b: Any) -> Any:
    """``==``: MISSING is unequal to everything, UNKNOWN/references give UNKNOWN.

    Numbers equal numeric strings (``22 == "22"``) and booleans equal ``"true"``/``"false"``,
    as AWS reads parameters and properties.
    """
    ta = type(a)
    tb = type(b)
    if ta is tb and (ta is str or ta is int or ta is bool):
        return a == b
    if a is MISSING or b is MISSING:
        return False
    if ta is Unknown or tb is Unknown:
        return UNKNOWN
    if ta is Reference or tb is Reference or ta is Partial or tb is Partial:
        return _equal_partial(a, b)
    if ta is dict or tb is dict:
        return _equal_maps(a, b)
    if ta is list and tb is list:
        return _equal_lists(a, b)
    if ta is bool or tb is bool:
        other = b if ta is bool else a
        if type(other) is str:
            return _bool_text(other) is (a if ta is bool else b)
        return False
    if ta is str or tb is str:
        na, nb = as_number(a), as_number(b)
        if na is None or nb is None or type(a) is type(b):
            return False
        return na == nb
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    return a is None and b is None


def _equal_maps(a: Any, b: Any) -> Any:
    if type(a) is not dict or type(b) is not dict or a.keys() != b.keys():
        return False
    return _all_equal((a[k], b[k]) for k in a)


def _equal_partial(a: Any, b: Any) -> Any:
    """A partial string is unequal to a text its known parts rule out; else unknown."""
    value, other = (a, b) if type(a) is Partial else (b, a)
    if type(value) is Partial and type(other) in (str, int, float):
        if not value.could_equal(str(other)):
            return False
    return UNKNOWN


def _equal_lists(a: list[Any], b: list[Any]) -> Any:
    if len(a) != len(b):
        return False
    return _all_equal(zip(a, b, strict=True))


def _all_equal(pairs: Any) -> Any:
    result: Any = True
    for x, y in pairs:
        r = equals(x, y)
        if r is False:
            return False
        if type(r) is Unknown:
            result = UNKNOWN
    return result


def not_equals(a: Any, b: Any) -> Any:
    return k_not(equals(a, b))


def order(op: str, a: Any, b: Any) -> Any:
    """``< <= > >=`` on numbers (numeric strings count) or on two strings; else false."""
    if a is MISSING or b is MISSING:
        return False
    if is_opaque(a) or is_opaque(b):
        return UNKNOWN
    if type(a) is str and type(b) is str:
        x: Any = a
        y: Any = b
    else:
        x, y = as_number(a), as_number(b)
        if x is None or y is None or type(a) is bool or type(b) is bool:
            return False
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x >= y)


# ---------------------------------------------------------------- containers and strings


def member(item: Any, container: Any) -> Any:
    """``item in container``: list element, substring, or map key."""
    if item is MISSING or container is MISSING:
        return False
    if is_opaque(container):
        if type(container) is Partial and type(item) is str and container.contains(item):
            return True
        return UNKNOWN
    if type(container) is list:
        result: Any = False
        for element in container:
            r = equals(item, element)
            if r is True:
                return True
            if type(r) is Unknown:
                result = UNKNOWN
        return result
    if is_opaque(item):
        return UNKNOWN
    if type(container) is str:
        return type(item) is str and item in container
    if type(container) is dict:
        return type(item) is str and item in container
    return False


def not_member(item: Any, container: Any) -> Any:
    return k_not(member(item, container))


def affix(op: str, text: Any, part: Any) -> Any:
    """``startswith`` / ``endswith`` on two strings; anything else is false."""
    if text is MISSING or part is MISSING:
        return False
    if is_opaque(text) or is_opaque(part):
        if type(text) is Partial and type(part) is str:
            known = text.starts_with(part) if op == "startswith" else text.ends_with(part)
            if known is not None:
                return known
        return UNKNOWN
    if type(text) is not str or type(part) is not str:
        return False
    return text.startswith(part) if op == "startswith" else text.endswith(part)


def matches(text: Any, regex: Any) -> Any:
    """``text matches regex`` (search anywhere; anchor with ^ and $)."""
    if text is MISSING:
        return False
    if is_opaque(text):
        return UNKNOWN
    if type(text) is int or type(text) is float:
        text = str(text)
    if type(text) is not str:
        return False
    if len(text) > MAX_MATCH_INPUT:
        raise EvaluationError(
            f"value of {len(text)} characters is too long to match a regular expression "
            f"(limit {MAX_MATCH_INPUT})"
        )
    return bool(regex.search(text))


# ---------------------------------------------------------------- postfix tests


def exists(value: Any) -> Any:
    if value is MISSING:
        return False
    if type(value) is Unknown:
        return UNKNOWN
    return True


def empty(value: Any) -> Any:
    if value is MISSING or value is None:
        return True
    if type(value) is Unknown:
        return UNKNOWN
    if type(value) is dict or type(value) is str or type(value) is list:
        return not value
    return False


_TYPE_TESTS = {
    "string": lambda v: type(v) is str,
    "number": lambda v: type(v) is int or type(v) is float,
    "int": lambda v: type(v) is int,
    "bool": lambda v: type(v) is bool,
    "list": lambda v: type(v) is list,
    "map": lambda v: type(v) is dict,
    "null": lambda v: v is None,
    "reference": lambda v: False,
    "unknown": lambda v: False,
}

TYPE_NAMES: Final = tuple(_TYPE_TESTS)


def is_type(name: str, value: Any) -> Any:
    if value is MISSING:
        return False
    if type(value) is Unknown:
        return True if name == "unknown" else UNKNOWN
    if is_reference(value):
        if name == "reference":
            return True
        return False if name == "unknown" else UNKNOWN
    return _TYPE_TESTS[name](value)


# ------------------------------------------------------- a value in a message


def show_value(value: Any) -> str:
    """A value inside a message: strings bare, an Unknown as <unknown>, MISSING as
    <missing>, a reference or partial string as its input wrote it."""
    if value is MISSING:
        return "<missing>"
    if type(value) is Unknown:
        return "<unknown>"
    if type(value) is str:
        return value
    if is_reference(value):
        return str(value)
    return json.dumps(value, default=_fallback, separators=(", ", ": "), ensure_ascii=False)


def _fallback(value: Any) -> str:
    if type(value) is Unknown:
        return "<unknown>"
    if value is MISSING:
        return "<missing>"
    return str(value)
