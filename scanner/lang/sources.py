"""Where policies come from: the built-in library and ``*.policy`` files under paths."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING or sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # Python 3.10
    from importlib.abc import Traversable

from scanner.errors import UsageError
from scanner.lang.compiler import PolicySource

SUFFIX = ".policy"
PathLike = Union[str, "os.PathLike[str]", Traversable]


def builtin_policy_dir() -> Traversable:
    """The policy library shipped in the package (``scanner.policies``)."""
    return files("scanner.policies")


def discover_policy_files(paths: Iterable[PathLike]) -> list[PolicySource]:
    """Every ``*.policy`` file named or found under ``paths``, sorted by path.

    A missing path is a usage error. A file that cannot be read or is not UTF-8 yields a
    source with ``error`` set; ``compile_sources`` reports it (P003) with the rest.
    """
    found: dict[str, PolicySource] = {}
    for root in paths:
        for name, entry in _walk(root):
            found.setdefault(name, _read(name, entry))
    return [found[name] for name in sorted(found)]


def _walk(root: PathLike) -> list[tuple[str, Traversable | Path]]:
    if isinstance(root, (str, os.PathLike)):
        path = Path(root)
        if path.is_file():
            return [(str(path), path)]
        if not path.is_dir():
            raise UsageError(f"policy path {str(path)!r} does not exist")
        return [(str(p), p) for p in sorted(path.rglob(f"*{SUFFIX}")) if p.is_file()]
    return _walk_traversable(root, str(root))


def _walk_traversable(node: Traversable, prefix: str) -> list[tuple[str, Traversable | Path]]:
    if node.is_file():
        return [(prefix, node)] if node.name.endswith(SUFFIX) else []
    out: list[tuple[str, Traversable | Path]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith((".", "__")):
            continue
        out.extend(_walk_traversable(child, f"{prefix}/{child.name}"))
    return out


def _read(name: str, entry: Traversable | Path) -> PolicySource:
    try:
        return PolicySource(name, entry.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return PolicySource(name, "", error=f"not UTF-8 text (bad byte at offset {exc.start})")
    except OSError as exc:
        return PolicySource(name, "", error=f"cannot be read: {exc.strerror or exc}")
