"""Parsed policy files kept between runs, keyed by their path and text.

Parsing is most of the cost of compiling a policy (Lark lexes and builds a tree in pure
Python), and the built-in library is the same on every run, so the syntax tree of each
file that parsed cleanly is kept in the user's cache directory (``scanner.cache``).

An entry is JSON, never anything that can run code: a header line
``{"format", "key", "path", "locations"}`` and a tree line. ``key`` is the hash of the
file's path and text and of the grammar and AST-building code (so any change to either
re-parses) and must match on every read. ``locations`` lists each distinct location of
the file once, as ``[line, column, end_line, end_column]``. The tree writes each node of
class NAME as the one-key object ``{NAME: [field, ...]}``, a location as its index in that
table, a tuple as a list, and UNKNOWN as ``{"?": []}``. JSON's own decoder hands each object
to ``_Decoder``, inner ones first, which rebuilds the node through its class's constructor,
looking NAME up in a closed table of the classes of ``scanner.lang.ast`` (never an
attribute by name) and turning the fields the class declares as locations and tuples back
into them. An entry that fails any check is ignored and the file is parsed again.

The static checks of a file are pure in its tree, the ``--param`` overrides and the
modules it uses, so a file that checked clean with the same overrides and the same
modules (the path and text of each, ``scanner.lang.modules``) is remembered by a marker
entry holding its key, and not checked again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from scanner import __version__
from scanner.cache import enabled, read_entry, write_entry
from scanner.lang import ast
from scanner.model import UNKNOWN, Location
from scanner.package_files import package_dir, package_modules
from scanner.stamps import contents_digest

FORMAT = 1
SUBDIR = "ast"

# The closed set of classes an entry may name: the AST nodes, nothing else.
NODE_CLASSES: dict[str, type] = {
    name: value
    for name, value in vars(ast).items()
    if isinstance(value, type)
    and dataclasses.is_dataclass(value)
    and value.__module__ == ast.__name__
}

# How a field is written besides plain JSON: a location (an index into the file's table of
# locations), a tuple (a list), a tuple of pairs, or a tuple of (name, location) pairs.
_LOC, _TUPLE, _PAIRS, _NAMED_LOCS = range(4)


def _kind(annotation: object) -> int | None:
    text = str(annotation)
    if text == "Location":
        return _LOC
    if text == "tuple[tuple[str, Location], ...]":
        return _NAMED_LOCS
    if text.startswith("tuple[tuple["):
        return _PAIRS
    return _TUPLE if text.startswith("tuple[") else None


_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in NODE_CLASSES.values()
}
_CONVERT: dict[type, tuple[tuple[int, int], ...]] = {
    cls: tuple(
        (i, kind)
        for i, f in enumerate(dataclasses.fields(cls))
        if (kind := _kind(f.type)) is not None
    )
    for cls in NODE_CLASSES.values()
}


class CacheFormatError(ValueError):
    """An entry whose tree does not decode to AST nodes."""


def cached_parse(path: str, text: str) -> ast.PolicyFile:
    """``parse_file(path, text)``, from the cache when this exact file was parsed before."""
    cache = enabled()
    if cache:
        key = _key(path, text)
        name = key[:40] + ".ast"  # not a name discovery takes for a template
        cached = _load(read_entry(SUBDIR, name), key, path)
        if isinstance(cached, ast.PolicyFile) and cached.path == path:
            return cached
    from scanner.lang.seed import seeded_tree  # the built-in library, parsed when it was built

    seeded = seeded_tree(path, text)
    if seeded is not None:
        return seeded
    tree = _parse(path, text)  # a syntax error propagates and is never cached
    data = dump_tree(key, tree) if cache else None
    if data is not None:
        write_entry(SUBDIR, name, data)
    return tree


def checked_clean(path: str, text: str, overrides: Mapping[str, Any], context: str = "") -> bool:
    """Whether this exact file already passed every static check with these overrides and
    the modules it uses (``context``: their fingerprint, so a changed module checks again)."""
    if not enabled():
        return False
    key = _marker_key(path, text, overrides, context)
    return read_entry(SUBDIR, key[:40] + ".clean") == key.encode()


def remember_clean(path: str, text: str, overrides: Mapping[str, Any], context: str = "") -> None:
    if enabled():
        key = _marker_key(path, text, overrides, context)
        write_entry(SUBDIR, key[:40] + ".clean", key.encode())


def _key(path: str, text: str) -> str:
    return hashlib.sha256(f"{language_salt()}\0{path}\0{text}".encode()).hexdigest()


def _marker_key(path: str, text: str, overrides: Mapping[str, Any], context: str) -> str:
    params = repr(sorted((name, repr(value)) for name, value in overrides.items()))
    key = f"{language_salt()}\0{path}\0{text}\0{params}\0{context}\0clean".encode()
    return hashlib.sha256(key).hexdigest()


def _parse(path: str, text: str) -> ast.PolicyFile:
    from scanner.lang.parser import parse_file  # Lark is imported only on a cache miss

    return parse_file(path, text)


@functools.lru_cache(maxsize=1)
def language_salt() -> str:
    """What cached results depend on besides the file: the grammar and the language code
    (tree builder, checks, built-in signatures)."""
    files = [package_dir("scanner.grammar").joinpath("policy.lark")]
    for package in ("scanner.lang", "scanner.lang.builtins"):
        files.extend(package_modules(package))
    return f"{__version__}\0{FORMAT}\0" + contents_digest("lang-code", files)


# ---------------------------------------------------------------- encoding


def dump_tree(key: str, tree: ast.PolicyFile) -> bytes | None:
    """Two JSON lines: the header with the table of locations, then the tree."""
    try:
        locations: dict[Location, int] = {}
        body = json.dumps(encode(tree, tree.path, locations), separators=(",", ":"))
        table = [[loc.line, loc.column, loc.end_line, loc.end_column] for loc in locations]
        head = {"format": FORMAT, "key": key, "path": tree.path, "locations": table}
        return (json.dumps(head, separators=(",", ":")) + "\n" + body).encode()
    except (TypeError, ValueError, RecursionError):
        return None  # a value JSON cannot hold (inf, a huge nesting): just not cached


def _load(data: bytes | None, key: str, path: str, stored: str | None = None) -> object:
    """The tree in an entry, or None unless it is exactly what this version wrote for key;
    ``stored``: the path the entry names, when its locations move to ``path``."""
    if data is None:
        return None
    try:
        first, _, rest = data.partition(b"\n")
        head = json.loads(first)
        if type(head) is not dict:
            return None
        named = path if stored is None else stored
        if head.get("format") != FORMAT or head.get("key") != key or head.get("path") != named:
            return None
        table = [Location(path, *loc) for loc in head["locations"]]
        return json.loads(rest, object_pairs_hook=_Decoder(table))
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None  # not JSON, or not a tree this version wrote: parse again


def load_tree(data: bytes | None, key: str, stored: str, path: str) -> ast.PolicyFile | None:
    """The tree of an entry written for the file ``stored``, as the tree of ``path``: the
    same nodes, their locations in ``path`` (``scanner.lang.seed``)."""
    tree = _load(data, key, path, stored)
    if not isinstance(tree, ast.PolicyFile) or tree.path != stored:
        return None
    return dataclasses.replace(tree, path=path)


def encode(value: Any, path: str, locations: dict[Location, int]) -> Any:
    """Plain JSON data for an AST value; its locations (all in ``path``) go to the table."""
    cls = type(value)
    if cls is Location:
        if value.file != path:
            raise TypeError("a location in another file")
        return locations.setdefault(value, len(locations))
    if cls in _FIELDS:
        return {cls.__name__: [encode(getattr(value, f), path, locations) for f in _FIELDS[cls]]}
    if cls is tuple:
        return [encode(v, path, locations) for v in value]
    if value is UNKNOWN:
        return {"?": []}
    if value is None or cls in (str, int, float, bool):
        return value
    raise TypeError(f"{cls.__name__} is not part of a syntax tree")


class _Decoder:
    """``object_pairs_hook`` that rebuilds each object ``encode`` wrote, inner ones first."""

    __slots__ = ("table",)

    def __init__(self, table: list[Location]) -> None:
        self.table = table

    def __call__(self, pairs: list[tuple[str, Any]]) -> Any:
        if len(pairs) != 1:
            raise CacheFormatError("an object of the tree has one key")
        tag, args = pairs[0]
        if type(args) is not list:
            raise CacheFormatError(f"{tag!r} without a list in a cached tree")
        if tag == "?" and not args:
            return UNKNOWN
        build: type = NODE_CLASSES[tag]  # KeyError: not a class of the tree
        table = self.table
        for i, kind in _CONVERT[build]:
            value = args[i]
            if kind == _LOC:
                args[i] = table[value]
            elif value is not None:  # an optional field (``Template | None``) stays None
                if kind == _TUPLE:
                    args[i] = tuple(value)
                elif kind == _PAIRS:
                    args[i] = tuple(map(tuple, value))
                else:
                    args[i] = tuple((name, table[loc]) for name, loc in value)
        return build(*args)
