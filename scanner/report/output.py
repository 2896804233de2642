"""Writing reports and snapshots: checked before the work, replaced atomically.

``check_output`` runs before a scan or a collection starts, so a typo in ``-o`` costs
nothing. ``write_output`` writes a temporary file beside the target, flushes it to disk
(``fsync``) and renames it over the target: a full disk or a killed process leaves the
previous file as it was, never a truncated one. A symlink at the target is replaced, not
followed (a symlink planted in a repository cannot redirect a report). A path under
``/dev`` or ``/proc`` (``/dev/stdout``, ``/dev/null``) and a target that is not a regular
file (a named pipe) are written in place, as there is nothing to replace. Both raise
``OutputError`` (exit code 2).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator

from scanner.errors import UsageError
from scanner.escape import printable

STDOUT = "-"
_DEVICES = ("/dev/", "/proc/")


class OutputError(UsageError):
    """A report or snapshot that cannot be written where it was asked for."""

    code = "OUTPUT"


def check_output(path: str, what: str = "report") -> None:
    """Fail now when ``path`` cannot be written: a missing directory, a directory."""
    if path == STDOUT:
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        problem = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise OutputError(
            f"cannot write the {what} to {printable(path)}: {printable(directory)} {problem}",
            hint="create the directory first, or choose another path",
        )
    if os.path.isdir(path):
        raise OutputError(f"cannot write the {what} to {printable(path)}: it is a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write the {what} to {printable(path)}: {printable(directory)} is not writable"
        )


def write_output(path: str, data: str | bytes | Iterable[str], what: str = "report") -> None:
    """Write ``data`` to ``path`` (``-`` is stdout) so it is all there or not at all.

    ``data`` may come in pieces: each is encoded and written as it comes, so a large
    report is never held whole (a piece that fails to come leaves the previous file).
    """
    raw = _encoded(data)
    if path == STDOUT:
        _write_stdout(raw, what)
        return
    check_output(path, what)
    if os.path.abspath(path).startswith(_DEVICES):  # /dev/stdout, /dev/null, named by the user
        _write_in_place(path, raw, what)
        return
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise _failed(path, what, exc) from exc
    mode = current.st_mode if current is not None else stat.S_IFREG
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        _write_in_place(path, raw, what)
        return
    _replace(path, raw, what, current)


def _encoded(data: str | bytes | Iterable[str]) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    elif isinstance(data, str):
        yield data.encode("utf-8", "backslashreplace")
    else:
        for piece in data:
            yield piece.encode("utf-8", "backslashreplace")


def _replace(path: str, raw: Iterable[bytes], what: str, current: os.stat_result | None) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)[:200]  # room for the suffix within a file name's limit
    temp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(temp, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise _failed(path, what, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in raw:
                handle.write(piece)
            handle.flush()
            if current is not None and stat.S_ISREG(current.st_mode):
                os.fchmod(handle.fileno(), stat.S_IMODE(current.st_mode))
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise _failed(path, what, exc) from exc
        raise
    _sync_directory(directory)


def _write_stdout(raw: Iterable[bytes], what: str) -> None:
    try:
        sys.stdout.flush()
        for piece in raw:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # the reader went away (``| head``): not an error of pacscan's
    except OSError as exc:  # ``> /dev/full``, a full disk behind a redirection
        raise OutputError(f"cannot write the {what} to stdout: {exc.strerror or exc}") from exc


def _write_in_place(path: str, raw: Iterable[bytes], what: str) -> None:
    try:
        with open(path, "wb") as handle:
            for piece in raw:
                handle.write(piece)
    except OSError as exc:
        raise _failed(path, what, exc, replacing=False) from exc


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable; a file system that cannot is no error."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _failed(path: str, what: str, exc: OSError, replacing: bool = True) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    kept = " (the previous file is unchanged)" if replacing and os.path.lexists(path) else ""
    return OutputError(f"cannot write the {what} to {printable(path)}: {reason}{kept}")
