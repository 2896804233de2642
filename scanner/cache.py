"""The per-user cache directory (built grammar tables, parsed policy files).

Only the user's own directory is used (``$XDG_CACHE_HOME/pacscan`` or
``~/.cache/pacscan``, mode 0700), never a shared temp directory. Nothing in it can run
code (entries are JSON that callers rebuild and verify), and nobody else's file is read:

- every directory below the base (``pacscan`` and its subdirectories) is opened with
  ``O_NOFOLLOW | O_DIRECTORY`` relative to its parent's descriptor, and ``fstat`` of the
  opened descriptor must show a directory owned by this user that nobody else can write;
- an entry is opened with ``O_NOFOLLOW | O_NONBLOCK`` relative to that descriptor and must
  be a regular file owned by this user with no permission bits for group or others (0600,
  as ``write_entry`` makes it), with a single link and at most ``MAX_ENTRY`` bytes;
- entries are written to a fresh temporary name in the same directory and renamed over
  the old one, so a reader sees the old file or the new one, never half of one.

Every check happens on each open, on the opened descriptor (no check-then-use race on a
path). Anything that fails makes the entry missing: the caller recomputes it.
``PACSCAN_NO_CACHE=1`` turns caching off.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager

MAX_ENTRY = 16 * 1024 * 1024  # bytes; a cached grammar is ~160 kB, a parsed policy file less

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def enabled() -> bool:
    """Whether this platform and environment allow the cache at all."""
    if os.environ.get("PACSCAN_NO_CACHE"):
        return False
    return (
        hasattr(os, "getuid")
        and hasattr(os, "O_NOFOLLOW")
        and os.open in os.supports_dir_fd
        and os.rename in os.supports_dir_fd
        and os.mkdir in os.supports_dir_fd
    )


def read_entry(subdir: str, name: str) -> bytes | None:
    """The bytes of entry ``name`` of ``subdir`` ("" for the top), or None when missing,
    unsafe or caching is off."""
    with _directory(subdir, create=False) as dir_fd:
        if dir_fd is None:
            return None
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not _private_file(info):
                return None
            return _read_all(fd, info.st_size)
        except OSError:
            return None
        finally:
            os.close(fd)


def write_entry(subdir: str, name: str, data: bytes) -> None:
    """Store ``data`` as entry ``name`` of ``subdir``, atomically; failures are ignored
    (the cache is an optimisation: a read-only or full disk must not fail a scan)."""
    if len(data) > MAX_ENTRY:
        return
    with _directory(subdir, create=True) as dir_fd:
        if dir_fd is None:
            return
        temp = f".{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(temp, _WRITE_FLAGS, 0o600, dir_fd=dir_fd)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)  # renameat
        except OSError:
            try:
                os.unlink(temp, dir_fd=dir_fd)
            except OSError:
                pass


def cache_root() -> str:
    """``$XDG_CACHE_HOME/pacscan`` or ``~/.cache/pacscan`` (not created, not checked)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pacscan")


@contextmanager
def _directory(subdir: str, *, create: bool) -> Iterator[int | None]:
    """A descriptor of ``pacscan/<subdir>`` under the base, each level checked, or None."""
    fd = _open_chain(subdir, create) if enabled() else None
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def _open_chain(subdir: str, create: bool) -> int | None:
    root = cache_root()
    if create:
        try:
            os.makedirs(os.path.dirname(root), mode=0o700, exist_ok=True)
        except OSError:
            return None
    try:
        fd = os.open(os.path.dirname(root), os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    for part in ("pacscan", *[p for p in subdir.split("/") if p]):
        child = _open_child(fd, part, create)
        os.close(fd)
        if child is None:
            return None
        fd = child
    return fd


def _open_child(parent: int, name: str, create: bool) -> int | None:
    """``name`` under ``parent`` if it is a private directory of ours (made if asked)."""
    if create:
        try:
            os.mkdir(name, 0o700, dir_fd=parent)
        except FileExistsError:
            pass
        except OSError:
            return None
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError:
        return None  # missing, or a symlink (O_NOFOLLOW), or not a directory
    try:
        info = os.fstat(fd)
    except OSError:
        info = None
    if info is None or not _private_dir(info):
        os.close(fd)
        return None
    return fd


def _private_dir(info: os.stat_result) -> bool:
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _private_file(info: os.stat_result) -> bool:
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o077
        and info.st_nlink == 1
        and info.st_size <= MAX_ENTRY
    )


def _read_all(fd: int, size: int) -> bytes | None:
    chunks = []
    remaining = size + 1  # one byte more tells a file that grew since fstat
    while remaining > 0:
        chunk = os.read(fd, remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    return data if len(data) == size else None
