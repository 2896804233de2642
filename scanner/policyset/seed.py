"""The built-in library's policy index, seeded when the wheel is built, and the writer of
the whole seed (``setup.py`` runs ``write``; the trees and grammar tables it writes are
read by ``scanner.lang.seed``).

The index is the one ``scanner.policyset.deferred`` stores for a set that compiled cleanly,
for the library's files with no ``--param``. Its key is computed as if the library were at
``LIBRARY`` and every path in it is relative to the library, so it matches wherever the
package is installed; reading it puts each path back under the installed library.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from scanner.lang import seed
from scanner.lang.sources import PolicySource
from scanner.model import PolicyInfo

LIBRARY = "<library>"  # where a seeded index key places the built-in library


def seeded_index(
    sources: Sequence[PolicySource], params: Mapping[str, Any]
) -> list[tuple[str, PolicyInfo]] | None:
    """The stored metadata of the built-in library's policies, when ``sources`` are exactly
    its files as built (and ``params`` what the seed was compiled with: none)."""
    key = _index_key(sources, params) if seed.seed_dir() is not None else None
    if key is None:
        return None
    from scanner.policyset.index import decode_index, index_name

    library = seed.library_dir()
    assert library is not None  # _index_key found every source inside it

    def absolute(relative: str) -> str:
        return os.path.join(library, *relative.split("/"))

    return decode_index(seed.read_seed(f"{seed.INDEX}/{index_name(key)}"), key, absolute)


def _index_key(sources: Sequence[PolicySource], params: Mapping[str, Any]) -> str | None:
    """The index key of a set of built-in policy files as if the library were at
    ``LIBRARY``; None when a file is not one of the library's."""
    library = seed.library_dir()
    if library is None:
        return None
    moved = []
    for source in sources:
        relative = seed.library_path(source.path)
        if relative is None or str(source.root) != library:
            return None
        moved.append(PolicySource(relative, source.text, source.error, LIBRARY, source.module))
    from scanner.policyset.index import index_key

    return index_key(moved, params)


def _relative(path: str) -> str:
    relative = seed.library_path(path)
    if relative is None:
        raise ValueError(f"{path} is not a file of the built-in library")
    return relative


def write(target: str) -> int:
    """Write the seed of this package's library and grammar into the directory ``target``
    (``build/lib/scanner/_seed`` when a wheel is built); return how many trees it holds."""
    from scanner.lang import grammar_cache, parser
    from scanner.lang.ast_cache import dump_tree
    from scanner.lang.sources import builtin_policy_dir, find_policy_files

    os.makedirs(os.path.join(target, seed.TREES), exist_ok=True)
    _write(target, *grammar_cache.built_entry(*parser.grammar_spec()))
    sources = [entry.read() for entry in find_policy_files([builtin_policy_dir()])]
    count = 0
    for source in sources:
        relative = seed.library_path(source.path)
        if source.error is not None or relative is None:
            continue
        key = seed.tree_key(relative, source.text)
        data = dump_tree(key, parser.parse_file(relative, source.text))
        if data is not None:
            _write(target, seed.tree_name(key), data)
            count += 1
    _write_index(target, sources)
    return count


def _write_index(target: str, sources: list[PolicySource]) -> None:
    """The index of the library compiled with no ``--param``, as ``deferred`` stores one."""
    from scanner.policyset.compiler import compile_sources
    from scanner.policyset.index import encode_index, index_name

    compiled = compile_sources(sources, {}, warn=False)
    infos = [policy.info for policy in compiled.program.policies]
    if compiled.diagnostics or not all(info.source for info in infos):
        raise ValueError("the built-in library does not compile cleanly")
    key = _index_key(sources, {})
    if key is None:
        raise ValueError("a policy file found is not a file of the built-in library")
    policies = ((info.source.file, info) for info in infos if info.source)
    data = encode_index(key, policies, _relative)
    if data is None:
        raise ValueError("the built-in library's index cannot be written as JSON")
    os.makedirs(os.path.join(target, seed.INDEX), exist_ok=True)
    _write(target, f"{seed.INDEX}/{index_name(key)}", data)


def _write(target: str, name: str, data: bytes) -> None:
    with open(os.path.join(target, name), "wb") as handle:
        handle.write(data)


if __name__ == "__main__":  # python -m scanner.policyset.seed DIRECTORY
    print(f"{write(sys.argv[1])} policy files seeded in {sys.argv[1]}")
