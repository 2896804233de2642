"""The per-user cache directory (built grammar tables, parsed policy files).

Only the user's own directory is used (``$XDG_CACHE_HOME/pacscan`` or
``~/.cache/pacscan``, mode 0700), never a shared temp directory: cached files are loaded
back as Python objects, so nobody else may be able to plant one. ``PACSCAN_NO_CACHE=1``
turns caching off.
"""

from __future__ import annotations

import functools
import os


def user_cache_dir(*parts: str) -> str | None:
    """The cache directory (created if needed), or None when caching is off or impossible."""
    if os.environ.get("PACSCAN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return _usable(os.path.join(base, "pacscan", *parts))


@functools.lru_cache(maxsize=16)
def _usable(directory: str) -> str | None:
    """``directory`` once created and checked; asked once per process, not per file."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(directory, os.W_OK) or _shared(directory):
        return None
    return directory


def _shared(directory: str) -> bool:
    """True when someone else owns the directory or may write to it."""
    try:
        info = os.stat(directory)
    except OSError:
        return True
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return True
    return bool(info.st_mode & 0o022)
