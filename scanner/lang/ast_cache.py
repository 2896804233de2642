"""Parsed policy files kept between runs, keyed by their path and text.

Parsing is most of the cost of compiling a policy (Lark lexes and builds a tree in pure
Python), and the built-in library is the same on every run, so the syntax tree of each
file that parsed cleanly is pickled into the user's cache directory. The key covers the
file's path and text and the grammar and AST-building code, so any change to either
re-parses. A cache file that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from importlib.resources import files

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


def _parse(path: str, text: str) -> ast.PolicyFile:
    from scanner.lang.parser import parse_file  # Lark is imported only on a cache miss

    return parse_file(path, text)


@functools.lru_cache(maxsize=1)
def _salt() -> str:
    """What a cached tree depends on besides the file: the grammar and the tree builder."""
    sources = [files("scanner.grammar").joinpath("policy.lark").read_bytes()]
    for module in ("ast.py", "parser.py", "literals.py", "templates.py"):
        sources.append(files("scanner.lang").joinpath(module).read_bytes())
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
