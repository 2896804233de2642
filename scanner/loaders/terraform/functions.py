"""Terraform's built-in functions that decide values policies read.

Each function takes evaluated arguments and returns a value; an argument that is not
known makes the result unknown (naming what is missing), except where the function does
not need it (``coalesce`` stops at the first known non-empty value, ``try`` returns the
first argument that evaluates). Functions that read files, the clock or random numbers
are unknown: their values are not in the module. Results are bounded by the module's
``Budget`` (``range`` and string building check their size before building).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scanner.loaders.budget import LIST_ITEM_BYTES, Budget
from scanner.loaders.terraform.expressions import EvalError, JsonText, template_text, unknown_of
from scanner.model import Unknown, is_opaque

Function = Callable[[list[Any], Budget, str], Any]


def _known(args: list[Any], text: str) -> Unknown | None:
    return unknown_of(args, text) if any(_opaque_deep(a, 0) for a in args) else None


def _opaque_deep(value: Any, depth: int) -> bool:
    if is_opaque(value):
        return True
    if depth > 32:
        return False
    if type(value) is list:
        return any(_opaque_deep(v, depth + 1) for v in value)
    if type(value) is dict:
        return any(_opaque_deep(v, depth + 1) for v in value.values())
    return False


def _strict(function: Callable[..., Any], structural: bool = False) -> Function:
    """A function of known arguments only; a ``structural`` one (``concat``, ``merge``…)
    moves values it does not read, so they may be references or unknown."""

    def run(args: list[Any], budget: Budget, text: str) -> Any:
        missing = (
            (unknown_of(args, text) if any(is_opaque(a) for a in args) else None)
            if structural
            else _known(args, text)
        )
        if missing is not None:
            return missing
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise EvalError(f"`{text}`: {exc}") from exc

    return run


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if type(item) is not dict:
            raise TypeError("merge takes maps")
        out.update(item)
    return out


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for item in lists:
        if type(item) is not list:
            raise TypeError("concat takes lists")
        out.extend(item)
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if type(mapping) is not dict:
        raise TypeError("lookup takes a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise KeyError(f"no key {key!r} and no default")


def _element(items: Any, index: Any) -> Any:
    if type(items) is not list or not items:
        raise ValueError("element takes a non-empty list")
    return items[int(index) % len(items)]


def _length(value: Any) -> int:
    if type(value) in (list, dict, str):
        return len(value)
    raise TypeError("length takes a list, map or string")


def _format(spec: Any, *args: Any) -> str:
    if type(spec) is not str:
        raise TypeError("format takes a string")
    out, index, at = [], 0, 0
    while at < len(spec):
        char = spec[at]
        if char != "%" or at + 1 >= len(spec):
            out.append(char)
            at += 1
            continue
        verb = spec[at + 1]
        at += 2
        if verb == "%":
            out.append("%")
            continue
        if index >= len(args):
            raise ValueError("format has more verbs than arguments")
        value = args[index]
        index += 1
        out.append(json.dumps(value) if verb == "q" else template_text(value))
    return "".join(out)


def _join(separator: Any, items: Any) -> str:
    if type(items) is not list:
        raise TypeError("join takes a list")
    return str(separator).join(template_text(i) for i in items)


def _tomap(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise TypeError("tomap takes an object")
    return value


def _tolist(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("tolist takes a list or set")
    return value


def _toset(value: Any) -> list[Any]:
    seen: list[Any] = []
    for item in _tolist(value):
        if item not in seen:
            seen.append(item)
    return seen


def _tobool(value: Any) -> bool | None:
    if value in (True, "true"):
        return True
    if value in (False, "false"):
        return False
    if value is None:
        return None
    raise ValueError(f"{value!r} is not a bool")


def _tostring(value: Any) -> str | None:
    if type(value) in (list, dict):
        raise TypeError("tostring takes a primitive")
    return None if value is None else template_text(value)


def _tonumber(value: Any) -> int | float | None:
    if value is None or type(value) in (int, float):
        return value
    text = str(value)
    return float(text) if "." in text else int(text)


def _keys(value: Any) -> list[str]:
    return sorted(_tomap(value))


def _values(value: Any) -> list[Any]:
    mapping = _tomap(value)
    return [mapping[k] for k in sorted(mapping)]


def _contains(items: Any, value: Any) -> bool:
    return value in _tolist(items)


def _flatten(items: Any) -> list[Any]:
    out: list[Any] = []
    stack = [iter(_tolist(items))]
    while stack:
        item = next(stack[-1], StopIteration)
        if item is StopIteration:
            stack.pop()
        elif type(item) is list and len(stack) < 32:
            stack.append(iter(item))
        else:
            out.append(item)
    return out


def _distinct(items: Any) -> list[Any]:
    return _toset(items)


def _compact(items: Any) -> list[Any]:
    return [i for i in _tolist(items) if i not in ("", None)]


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    return dict(zip((template_text(k) for k in _tolist(keys)), _tolist(values), strict=False))


def _jsondecode(text: Any) -> Any:
    return json.loads(str(text))


def _replace(text: Any, old: Any, new: Any) -> str:
    old = str(old)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise ValueError("regular-expression replace is not evaluated")
    return str(text).replace(old, str(new))


def _sort(items: Any) -> list[Any]:
    values = _tolist(items)
    if not all(isinstance(v, str) for v in values):
        raise TypeError("sort takes a list of strings")
    return sorted(values)


def _slice(items: Any, start: Any, end: Any) -> list[Any]:
    values = _tolist(items)
    if not 0 <= int(start) <= int(end) <= len(values):
        raise IndexError("slice bounds out of range")
    return values[int(start) : int(end)]


def _setunion(*lists: Any) -> list[Any]:
    return _toset(_concat(*lists))


def _index(items: Any, value: Any) -> int:
    return _tolist(items).index(value)


def _all(items: Any) -> bool:
    values = _tolist(items)
    if not all(type(v) is bool for v in values):
        raise TypeError("alltrue takes a list of bools")
    return all(values)


def _any(items: Any) -> bool:
    values = _tolist(items)
    if not all(type(v) is bool for v in values):
        raise TypeError("anytrue takes a list of bools")
    return any(values)


def _coalescelist(*lists: Any) -> list[Any]:
    for item in lists:
        if _tolist(item):
            return item
    raise ValueError("no non-empty list")


_STRICT: dict[str, Callable[..., Any]] = {
    "sort": _sort,
    "slice": _slice,
    "reverse": lambda items: list(reversed(_tolist(items))),
    "setunion": _setunion,
    "index": _index,
    "alltrue": _all,
    "anytrue": _any,
    "coalescelist": _coalescelist,
    "startswith": lambda s, p: str(s).startswith(str(p)),
    "endswith": lambda s, p: str(s).endswith(str(p)),
    "trimprefix": lambda s, p: str(s)[len(str(p)) :] if str(s).startswith(str(p)) else str(s),
    "trimsuffix": lambda s, p: str(s)[: -len(str(p))] if p and str(s).endswith(str(p)) else str(s),
    "chomp": lambda s: str(s).rstrip("\r\n"),
    "title": lambda s: str(s).title(),
    "sum": lambda items: sum(_tolist(items)),
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "element": _element,
    "length": _length,
    "format": _format,
    "join": _join,
    "tomap": _tomap,
    "tolist": _tolist,
    "toset": _toset,
    "tobool": _tobool,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "keys": _keys,
    "values": _values,
    "contains": _contains,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": _compact,
    "zipmap": _zipmap,
    "jsondecode": _jsondecode,
    "replace": _replace,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "trimspace": lambda s: str(s).strip(),
    "split": lambda sep, s: str(s).split(str(sep)),
    "substr": lambda s, o, n: str(s)[int(o) : None if int(n) < 0 else int(o) + int(n)],
    "min": lambda *n: min(n),
    "max": lambda *n: max(n),
    "abs": abs,
    "one": lambda items: (_tolist(items) or [None])[0] if len(_tolist(items)) <= 1 else _fail(),
}


def _fail() -> Any:
    raise ValueError("one takes a list of at most one element")


def _coalesce(args: list[Any], budget: Budget, text: str) -> Any:
    for arg in args:
        if is_opaque(arg):
            return unknown_of([arg], text)
        if arg not in (None, ""):
            return arg
    raise EvalError(f"`{text}`: no non-empty argument")


def _jsonencode(args: list[Any], budget: Budget, text: str) -> Any:
    if len(args) != 1:
        raise EvalError(f"`{text}`: jsonencode takes one argument")
    if _opaque_deep(args[0], 0):
        return unknown_of([args[0]], text) if is_opaque(args[0]) else JsonText(args[0])
    encoded = json.dumps(args[0], separators=(",", ":"))
    budget.build(len(encoded), (), "jsonencode")
    return encoded


def _range(args: list[Any], budget: Budget, text: str) -> Any:
    missing = _known(args, text)
    if missing is not None:
        return missing
    numbers = [int(a) for a in args]
    if not 1 <= len(numbers) <= 3 or (len(numbers) == 3 and numbers[2] == 0):
        raise EvalError(f"`{text}`: range takes 1 to 3 numbers, the step not 0")
    span = range(*numbers)
    budget.build(len(span) * LIST_ITEM_BYTES, (), "range")
    return list(span)


def _unknown(cause: str) -> Function:
    def run(args: list[Any], budget: Budget, text: str) -> Any:
        return Unknown(f"`{text}` {cause}")

    return run


# Functions that only move values: references and unknown values inside lists and maps
# pass through them (concat(aws_x.a[*].id, [""])[0] is still a reference).
_STRUCTURAL = frozenset(
    (
        "slice",
        "reverse",
        "coalescelist",
        "merge",
        "concat",
        "lookup",
        "element",
        "length",
        "tomap",
        "tolist",
        "toset",
        "keys",
        "values",
        "flatten",
        "compact",
        "zipmap",
        "one",
        "distinct",
    )
)
FUNCTIONS: dict[str, Function] = {
    name: _strict(f, name in _STRUCTURAL) for name, f in _STRICT.items()
}
FUNCTIONS.update(
    coalesce=_coalesce,
    jsonencode=_jsonencode,
    range=_range,
    file=_unknown("reads a file, which is not read"),
    templatefile=_unknown("reads a file, which is not read"),
    timestamp=_unknown("is known only once applied"),
    uuid=_unknown("is known only once applied"),
)


def call(name: str, args: list[Any], budget: Budget, text: str) -> Any:
    """``name(args…)``; an unknown function is an Unknown naming it."""
    function = FUNCTIONS.get(name.split("::")[-1])
    if function is None:
        return Unknown(f"the function {name}() is not evaluated")
    result = function(args, budget, text)
    if type(result) is str:
        budget.build(len(result), (), f"{name}()")
    elif type(result) in (list, dict):
        budget.build(len(result) * LIST_ITEM_BYTES, (), f"{name}()")
    return result
