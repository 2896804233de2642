"""Where policies come from: the built-in library and ``*.policy`` files under paths."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from scanner.errors import UsageError
from scanner.lang.limits import MAX_POLICY_FILE
from scanner.package_files import package_dir
from scanner.records import record

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

SUFFIX = ".policy"
_MAX_BYTES = 4 * MAX_POLICY_FILE  # UTF-8: at most four bytes a character
# Control characters no policy text holds (tab, line feed, form feed and CR are text).
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The bytes that are not those: deleting them from a file's bytes leaves its control
# characters (ASCII, so never part of a longer UTF-8 sequence), 10x faster than the search.
_NOT_BINARY = bytes(set(range(256)) - {*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F})
PathLike: TypeAlias = "str | os.PathLike[str] | Traversable"


@record
class PolicySource:
    """A policy file's path and text; ``error`` says why a file could not be read."""

    path: str
    text: str
    error: str | None = None
    root: Any = None  # the policy directory it was found in (its lib/ holds the modules)
    module: str | None = None  # the module name, for lib/NAME.policy under ``root``


def builtin_policy_dir() -> Traversable:
    """The policy library shipped in the package (``scanner.policies``)."""
    return package_dir("scanner.policies")


@record
class PolicyEntry:
    """A policy file found and not read yet (``read`` reads it): ``place`` is where to read
    it (a path, or a ``Traversable`` inside a package); ``error`` says why it is not read
    (a symbolic link out of its directory)."""

    path: str
    place: Any
    root: Any = None
    module: str | None = None
    error: str | None = None

    def read(self) -> PolicySource:
        """Its ``PolicySource`` (``error`` set when it cannot be read, see
        ``discover_policy_files``)."""
        if self.error is not None:
            return PolicySource(self.path, "", self.error, self.root, self.module)
        read = read_source(self.path, self.place)
        return PolicySource(read.path, read.text, read.error, self.root, self.module)

    def file_path(self) -> str | None:
        """The path the file system knows it by, when it has one and can be read."""
        if self.error is None and isinstance(self.place, (str, Path)):
            return str(self.place)
        return None


def discover_policy_files(paths: Iterable[PathLike]) -> list[PolicySource]:
    """Every ``*.policy`` file named or found under ``paths``, sorted by path.

    A missing path is a usage error. A file that cannot be read, is not UTF-8, holds
    binary data, is not named ``*.policy``, or is reached through a symbolic link that
    leads out of the directory being searched yields a source with ``error`` set (and no
    text: nothing of a file that is not a policy is ever quoted); ``compile_sources``
    reports it (P003) with the rest. Each source knows its policy directory (``root``)
    and, for a module (``lib/NAME.policy`` directly under it), its module name.
    """
    return [entry.read() for entry in find_policy_files(paths)]


def find_policy_files(paths: Iterable[PathLike]) -> list[PolicyEntry]:
    """The files ``discover_policy_files`` reads, found and not read yet, sorted by path."""
    found: dict[str, PolicyEntry] = {}
    for root in paths:
        directory = _directory_of(root)
        modules = _module_paths(directory)
        for name, entry in _walk(root):
            if name in found:
                continue
            if isinstance(entry, PolicySource):  # not to be read
                found[name] = PolicyEntry(name, None, directory, modules.get(name), entry.error)
            else:
                found[name] = PolicyEntry(name, entry, directory, modules.get(name))
    return [found[name] for name in sorted(found)]


def _directory_of(root: PathLike) -> PathLike:
    """The policy directory of a path given: itself, or a file's parent directory; its
    ``lib/`` folder holds the modules that ``use`` names."""
    if isinstance(root, (str, os.PathLike)) and Path(root).is_file():
        return Path(root).parent
    return root


def _module_paths(directory: PathLike) -> dict[str, str]:
    """The discovery name of each module file of ``directory`` -> its module name."""
    from scanner.lang.modules import ModuleLibrary

    library = ModuleLibrary(directory)
    return {library.path_of(name): name for name in library.own()}


Entry: TypeAlias = "Traversable | Path | str | PolicySource"


def _walk(root: PathLike) -> list[tuple[str, Entry]]:
    if isinstance(root, (str, os.PathLike)):
        path = Path(root)
        if path.is_file():
            return [(str(path), path)]
        if not path.is_dir():
            raise UsageError(f"policy path {str(path)!r} does not exist")
        return _walk_directory(path)
    return _walk_traversable(root, str(root))


def _walk_directory(root: Path) -> list[tuple[str, Entry]]:
    """``*.policy`` files under ``root``. A symbolic link is followed only to a file inside
    ``root``; one that leads out of it (to a file or a directory) is an error entry. A
    directory that cannot be listed is passed over (as ``os.walk`` does)."""
    real_root = os.path.realpath(root)
    out: list[tuple[str, Entry]] = []
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            path = entry.name if directory == "." else os.path.join(directory, entry.name)
            linked = entry.is_symlink()
            is_dir = _is_dir(entry)
            if is_dir and not linked:
                pending.append(path)
            elif not (is_dir or entry.name.endswith(SUFFIX)):
                continue
            elif linked and not _inside(os.path.realpath(path), real_root):
                error = f"not followed: a symbolic link out of {str(root)!r}"
                out.append((path, PolicySource(path, "", error=error)))
            elif not is_dir:
                out.append((path, path))
    return sorted(out, key=lambda item: item[0])


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a directory or a symbolic link to one (``os.walk``'s test)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk_traversable(node: Traversable, prefix: str) -> list[tuple[str, Traversable | Path]]:
    if node.is_file():
        return [(prefix, node)] if node.name.endswith(SUFFIX) else []
    out: list[tuple[str, Traversable | Path]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith((".", "__")):
            continue
        out.extend(_walk_traversable(child, f"{prefix}/{child.name}"))
    return out


def read_source(name: str, entry: Traversable | Path | str) -> PolicySource:
    """The text of one policy file, or a source with ``error`` saying why it has none."""
    if not name.endswith(SUFFIX):
        return PolicySource(name, "", error=f"not a policy file (policy files are named *{SUFFIX})")
    try:
        data = entry.read_bytes() if not isinstance(entry, (str, Path)) else _read_regular(entry)
    except _NotRegular:
        return PolicySource(name, "", error="not a regular file")
    except OSError as exc:
        return PolicySource(name, "", error=f"cannot be read: {exc.strerror or exc}")
    if data is None:
        return PolicySource(name, "", error=f"larger than {_MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return PolicySource(name, "", error=f"not UTF-8 text (bad byte at offset {exc.start})")
    binary = _BINARY.search(text) if data.translate(None, _NOT_BINARY) else None
    if binary is not None:
        return PolicySource(
            name, "", error=f"binary data (a control character at offset {binary.start()})"
        )
    return PolicySource(name, text)


class _NotRegular(Exception):
    """A FIFO, device or socket: reading it could block forever."""


def _read_regular(path: Path | str) -> bytes | None:
    """The bytes of a regular file (None when larger than ``_MAX_BYTES``).

    Read with ``os.read`` in pieces the size ``fstat`` gives (the file may still grow or
    shrink meanwhile): a buffered ``read(_MAX_BYTES + 1)`` allocates those 4 MiB for each
    file, and took four fifths of reading the built-in library."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular
        chunks: list[bytes] = []
        left = _MAX_BYTES + 1
        want = min(info.st_size + 1, left)
        while left > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = min(max(len(chunk), 1 << 16), left)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return None if len(data) > _MAX_BYTES else data
