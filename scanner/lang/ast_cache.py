"""Parsed policy files kept between runs, keyed by their path and text.

Parsing is most of the cost of compiling a policy (Lark lexes and builds a tree in pure
Python), and the built-in library is the same on every run, so the syntax tree of each
file that parsed cleanly is pickled into the user's cache directory. The key covers the
file's path and text and the grammar and AST-building code, so any change to either
re-parses. A cache file that cannot be read is ignored and rewritten.

The static checks of a file are pure in its tree and the ``--param`` overrides, so a
file that checked clean with the same overrides is remembered by an empty marker file
and not checked again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from scanner import __version__
from scanner.cache import user_cache_dir
from scanner.lang import ast


def cached_parse(path: str, text: str) -> ast.PolicyFile:
    """``parse_file(path, text)``, from the cache when this exact file was parsed before."""
    directory = user_cache_dir("ast")
    if directory is None:
        return _parse(path, text)
    digest = hashlib.sha256(f"{_salt()}\0{path}\0{text}".encode()).hexdigest()
    entry = os.path.join(directory, digest[:40] + ".pickle")
    cached = _read(entry)
    if isinstance(cached, ast.PolicyFile):
        return cached
    tree = _parse(path, text)  # a syntax error propagates and is never cached
    _write(directory, entry, tree)
    return tree


def checked_clean(path: str, text: str, overrides: Mapping[str, Any]) -> bool:
    """Whether this exact file already passed every static check with these overrides."""
    marker = _marker(path, text, overrides)
    return marker is not None and os.path.exists(marker)


def remember_clean(path: str, text: str, overrides: Mapping[str, Any]) -> None:
    marker = _marker(path, text, overrides)
    if marker is None:
        return
    try:
        with open(marker, "wb"):
            pass
    except OSError:
        pass  # an optimisation only


def _marker(path: str, text: str, overrides: Mapping[str, Any]) -> str | None:
    directory = user_cache_dir("ast")
    if directory is None:
        return None
    params = repr(sorted((name, repr(value)) for name, value in overrides.items()))
    key = f"{_salt()}\0{path}\0{text}\0{params}".encode()
    return os.path.join(directory, hashlib.sha256(key).hexdigest()[:40] + ".clean")


def _parse(path: str, text: str) -> ast.PolicyFile:
    from scanner.lang.parser import parse_file  # Lark is imported only on a cache miss

    return parse_file(path, text)


@functools.lru_cache(maxsize=1)
def _salt() -> str:
    """What cached results depend on besides the file: the grammar and the language code
    (tree builder, checks, built-in signatures)."""
    sources = [files("scanner.grammar").joinpath("policy.lark").read_bytes()]
    for package in ("scanner.lang", "scanner.lang.builtins"):
        modules = sorted(
            (m for m in files(package).iterdir() if m.name.endswith(".py")), key=lambda m: m.name
        )
        sources.extend(m.read_bytes() for m in modules)
    return __version__ + hashlib.sha256(b"\0".join(sources)).hexdigest()


def _read(entry: str) -> object:
    try:
        with open(entry, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated or from an incompatible build: parse again
        return None


def _write(directory: str, entry: str, tree: ast.PolicyFile) -> None:
    try:
        fd, temp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(tree, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, entry)
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # caching is an optimisation; a read-only or full disk must not fail a scan
