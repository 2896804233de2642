"""Values computed from the contents of files, remembered by the status of those files.

The cache keys of a scan hash the text of every built-in policy file (~290 files, 0.7 MB)
and the sources of the code that parses and compiles them (~70 modules): reading and
hashing them took ~10 ms of each run, a twentieth of a scan of one small template. A
``stamp`` of the same files costs a ``stat`` each, and ``remembered`` keeps, in the user's
cache directory, what such a computation gave for files with that stamp.

A stamp hashes each file's path, device, inode, size, and modification and status-change
times (ns). Two files with the same stamp have the same content, because:

- any write to a file sets both its times to the current time, and nobody can set the
  status-change time (``touch -d``, ``cp -p``, ``tar`` and ``rsync -t`` set only the
  modification time, which changes the status-change time); a file replaced by another
  (an editor's rename, ``git checkout``) is another inode;
- a file changed less than ``RECENT`` before it is stamped has no stamp (``stamp`` gives
  None and the value is computed from the contents, every time until the file is older):
  two writes within one tick of the file system's clock (up to 2 s on FAT) may leave the
  same times, but a write after that tick gives a later time than the one stamped.

It fails only if the clock is set back, or a file system reports times it never changes.
(Python itself reuses a module's bytecode while the source's size and modification time,
in seconds, are unchanged.) A computed value is the same whatever the stamp: on a fresh
machine, or after ``pip install`` writes the same files again, it is computed once and the
entries keyed by it (parsed policies, the policy index) are found as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.cache import enabled, read_entry, write_entry

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

RECENT = 2_000_000_000  # ns: a file changed more recently than this is read, not stamped
SUBDIR = "stamps"


def stamp(paths: Iterable[str | None], salt: str = "") -> str | None:
    """The stamp of these files (and ``salt``: what else the value depends on), or None
    when one of them is not a regular file on the file system, or was changed recently."""
    limit = time.time_ns() - RECENT
    parts = [salt]
    for path in paths:
        if path is None:
            return None
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or max(info.st_mtime_ns, info.st_ctime_ns) > limit:
            return None
        parts.append(
            f"{path}\0{info.st_dev} {info.st_ino} {info.st_size} "
            f"{info.st_mtime_ns} {info.st_ctime_ns}"
        )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def remembered(kind: str, key: str | None, compute: Callable[[], str]) -> str:
    """``compute()``, or what it gave before for the same stamp ``key`` (None: compute).

    ``kind`` names the computation; an entry (``*.stamp``) is JSON ``{"kind", "key",
    "value"}`` and is used only when both match."""
    if key is None or not enabled():
        return compute()
    name = f"{kind}-{key[:40]}.stamp"  # not a name discovery takes for a template
    data = read_entry(SUBDIR, name)
    if data is not None:
        try:
            entry = json.loads(data)
            if type(entry) is dict and entry.get("kind") == kind and entry.get("key") == key:
                value = entry.get("value")
                if type(value) is str:
                    return value
        except (ValueError, RecursionError):
            pass  # not what this version wrote: computed again, and rewritten
    value = compute()
    entry = {"kind": kind, "key": key, "value": value}
    write_entry(SUBDIR, name, json.dumps(entry, separators=(",", ":")).encode())
    return value


def contents_digest(kind: str, files: Sequence[Traversable]) -> str:
    """The hash of the bytes of ``files`` (joined by NUL), remembered by their stamp; a file
    that is not on the file system (inside a zip) is read every time."""

    def compute() -> str:
        return hashlib.sha256(b"\0".join(f.read_bytes() for f in files)).hexdigest()

    paths = (str(f) if isinstance(f, Path) else None for f in files)
    return remembered(kind, stamp(paths), compute)
