"""The built Lark parser kept between runs as JSON (never Lark's own pickle cache).

Building the strict LALR tables takes a few tenths of a second per process; loading them
back takes about a hundredth. Lark serialises a parser to plain data
(``memo_serialize``) and rebuilds it from that data with ``_load_from_dict``, creating
only the classes of its own closed namespace (rules, terminals, patterns). That data
holds integer dict keys and tuples, which JSON does not, so they are written as
``{"#i": [[key, value], ...]}`` and ``{"#t": [...]}``.

An entry is ``{"format", "key", "lark"}``: ``key`` hashes the grammar text, the options,
and the Lark, Python and pacscan versions and must match on read; the options stored in
the entry must equal the ones asked for (so no entry can switch on a Lark feature such as
a tree class or lexer callbacks). Storage and its safety checks: ``scanner.cache``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

from scanner import __version__
from scanner.cache import enabled, read_entry, write_entry

FORMAT = 1


def build(text: str, **options: Any) -> Lark:
    """``Lark(text, **options)``, loaded from the cache when it was built before."""
    key = _key(text, options)
    name = _name(key)
    cached = _load(read_entry("", name), key, options) if enabled() else None
    if cached is None:
        from scanner.lang.seed import read_seed  # the tables built with the wheel

        cached = _load(read_seed(name), key, options)
    if cached is not None:
        return cached
    parser = Lark(text, **options)
    data = _dump(parser, key) if enabled() else None
    if data is not None:
        write_entry("", name, data)
    return parser


def built_entry(text: str, options: dict[str, Any]) -> tuple[str, bytes]:
    """The name and contents of the entry of ``Lark(text, **options)``, built now."""
    key = _key(text, options)
    data = _dump(Lark(text, **options), key)
    if data is None:
        raise ValueError("the grammar's tables cannot be written as JSON")
    return _name(key), data


def _name(key: str) -> str:
    return f"policy-grammar-{key[:20]}.tables"  # not a template name


def _key(text: str, options: dict[str, Any]) -> str:
    parts = [text, repr(sorted(options.items())), lark.__version__, sys.version, __version__]
    return hashlib.sha256("\0".join([*parts, str(FORMAT)]).encode()).hexdigest()


def _dump(parser: Lark, key: str) -> bytes | None:
    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        body = {"format": FORMAT, "key": key, "lark": _plain({"data": data, "memo": memo})}
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError):
        return None


def _load(data: bytes | None, key: str, options: dict[str, Any]) -> Lark | None:
    if data is None:
        return None
    try:
        body = json.loads(data, object_hook=_restore)
        if type(body) is not dict or body.get("format") != FORMAT or body.get("key") != key:
            return None
        stored = body["lark"]
        if not _same_options(stored["data"]["options"], options):
            return None
        return Lark._load_from_dict(stored["data"], stored["memo"])
    except Exception:  # any shape Lark cannot rebuild from: build the tables again
        return None


# Options Lark resolves while building ("auto" becomes a choice); stored as names only.
_RESOLVED = frozenset({"lexer", "priority"})


def _same_options(stored: Any, options: dict[str, Any]) -> bool:
    """Whether ``stored`` are the options Lark serialises for a parser built with
    ``options`` (every other option at its default: no tree class, callbacks, plugins)."""
    from lark.lark import LarkOptions

    expected = _restore_all(_plain(LarkOptions(dict(options)).serialize(None)))
    if type(stored) is not dict or set(stored) != set(expected):
        return False
    return all(
        type(stored[name]) is str if name in _RESOLVED else stored[name] == expected[name]
        for name in expected
    )


def _plain(value: Any) -> Any:
    """JSON-ready data: int-keyed dicts and tuples tagged."""
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            return {k: _plain(v) for k, v in value.items()}
        return {"#i": [[k, _plain(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"#t": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"{type(value).__name__} in Lark's serialised parser")


def _restore(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "#i" in obj:
            return {int(k): v for k, v in obj["#i"]}
        if "#t" in obj:
            return tuple(obj["#t"])
    return obj


def _restore_all(value: Any) -> Any:
    return json.loads(json.dumps(value), object_hook=_restore)
