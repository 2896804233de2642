"""The built-in library, parsed when the wheel is built, so that a first run parses nothing.

A fresh machine (a CI runner) starts with an empty cache directory, and its first scan
used to build the grammar's LALR tables and parse every built-in policy file: about 1.5 s
before the first template was read. When the wheel is built, ``setup.py`` runs
``scanner.policyset.seed.write``, which stores both inside the package, in ``scanner/_seed``,
in the JSON formats of the user's cache (``scanner.lang.grammar_cache``,
``scanner.lang.ast_cache``), with the library's policy index (``scanner.policyset.seed``);
a run that misses its own cache reads them from there instead.

A syntax tree is keyed by the file's path *inside the library* and its text (with the
grammar and the language code, as a cache entry is), never by where the package is installed,
and its locations are rebuilt under the path the file is read from. A seed entry passes
the same checks as a cache entry: one that fails them (a library file edited after the
build, a damaged file) is ignored and the file is parsed. The seed is part of
the installed package, as trusted as its code; ``PACSCAN_NO_CACHE`` leaves it in use, since
it is not written at run time. An editable install has no seed.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.package_files import package_dir

if TYPE_CHECKING:
    from scanner.lang import ast

SEED_DIR = "_seed"
TREES = "ast"
INDEX = "index"
MAX_ENTRY = 16 << 20  # bytes; as for a cache entry


@functools.lru_cache(maxsize=1)
def seed_dir() -> str | None:
    """The seed's directory in the installed package; None when it has none."""
    base = package_dir("scanner")
    if not isinstance(base, Path):  # inside a zip: no seed
        return None
    directory = base / SEED_DIR
    return str(directory) if directory.is_dir() else None


@functools.lru_cache(maxsize=1)
def library_dir() -> str | None:
    """The built-in library's directory, when it is one on the file system."""
    from scanner.lang.sources import builtin_policy_dir

    base = builtin_policy_dir()
    return str(base) if isinstance(base, Path) else None


def read_seed(name: str) -> bytes | None:
    """The seed entry ``name`` (``ast/NAME`` for a tree), or None when there is none."""
    directory = seed_dir()
    if directory is None:
        return None
    try:
        with open(os.path.join(directory, name), "rb") as handle:
            data = handle.read(MAX_ENTRY + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_ENTRY else None


def library_path(path: str) -> str | None:
    """``path`` relative to the built-in library, with ``/``; None for any other file."""
    library = library_dir()
    if library is None or not path.startswith(library + os.sep):
        return None
    return path[len(library) + 1 :].replace(os.sep, "/")


def tree_key(relative: str, text: str) -> str:
    """What a seeded tree of the library file ``relative`` holding ``text`` depends on."""
    from scanner.lang.ast_cache import language_salt

    parts = (language_salt(), "seed", relative, text)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def tree_name(key: str) -> str:
    return f"{TREES}/{key[:40]}.ast"


def seeded_tree(path: str, text: str) -> ast.PolicyFile | None:
    """The tree of the built-in policy file at ``path`` holding ``text``, from the seed."""
    relative = library_path(path)
    if relative is None or seed_dir() is None:
        return None
    from scanner.lang.ast_cache import load_tree

    key = tree_key(relative, text)
    return load_tree(read_seed(tree_name(key)), key, relative, path)
