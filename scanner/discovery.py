"""Which files a scan reads.

``discover(paths, include, exclude)`` expands files and directories into a sorted,
deduplicated list of files:

- a file named explicitly is always taken, whatever its extension;
- under a directory, files with a candidate extension (``.yaml .yml .json .template
  .cfn``, and ``.json.gz`` snapshots) are taken, narrowed by ``include`` and ``exclude``
  globs;
- ``.git``, ``.terraform``, ``node_modules``, virtual environments and caches are skipped;
- a symbolic link is followed only when its target is inside the directory being
  scanned; directory loops are visited once; a file reached twice is read once.

Globs are gitignore-like and match the path relative to the directory given: ``*`` and
``?`` stay within one path segment, ``**`` spans any number of them, a pattern without a
``/`` matches a name at any depth, a pattern with one is anchored at the directory, and a
trailing ``/`` matches directories only (everything below them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scanner.errors import UsageError

CANDIDATE_SUFFIXES = frozenset((".yaml", ".yml", ".json", ".template", ".cfn"))
SKIPPED_DIRS = frozenset(
    (
        ".git",
        ".hg",
        ".svn",
        ".terraform",
        "node_modules",
        ".venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    )
)


@dataclass(frozen=True)
class Glob:
    """One gitignore-like pattern, compiled."""

    pattern: str
    regex: re.Pattern[str]
    dirs_only: bool

    @classmethod
    def compile(cls, pattern: str) -> Glob:
        text = pattern.strip().replace(os.sep, "/")
        dirs_only = text.endswith("/")
        text = text.strip("/") if dirs_only else text
        anchored = "/" in text.rstrip("/")
        body = _translate(text.lstrip("/"))
        prefix = "" if anchored else "(?:.*/)?"
        return cls(pattern, re.compile(prefix + body + r"\Z"), dirs_only)

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the pattern matches ``relative`` or one of its parent directories."""
        parts = relative.split("/")
        for end in range(1, len(parts) + 1):
            last = end == len(parts)
            if self.dirs_only and last and not is_dir:
                break
            if self.regex.match("/".join(parts[:end])):
                return True
        return False


def _translate(glob: str) -> str:
    """A glob as a regular expression (``**`` spans segments, ``*`` does not)."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            out.append("[" + glob[i + 1 : end].replace("!", "^", 1).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def discover(
    paths: Iterable[str],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> list[str]:
    """The files to scan under ``paths``, sorted and deduplicated."""
    includes = [Glob.compile(p) for p in include or () if p.strip()]
    excludes = [Glob.compile(p) for p in exclude or () if p.strip()]
    found: dict[str, str] = {}  # real path -> the path to report
    for path in paths:
        if os.path.isdir(path):
            files: Iterable[str] = _walk(path, includes, excludes)
        elif os.path.isfile(path):
            files = [path]
        else:
            raise UsageError(f"no such file or directory: {path}")
        for file in map(os.path.normpath, files):  # "./a.yaml" and "a.yaml" alike
            real = os.path.realpath(file)
            if real not in found or file < found[real]:
                found[real] = file
    return sorted(set(found.values()))


def _walk(root: str, includes: list[Glob], excludes: list[Glob]) -> Iterator[str]:
    real_root = os.path.realpath(root)
    seen_dirs = {real_root}
    pending = [(root, "", real_root)]
    while pending:
        directory, relative_dir, real_dir = pending.pop()
        for entry, relative in _entries(directory, relative_dir):
            real = _target(entry, real_dir, real_root)
            if real is None:
                continue
            if _is_dir(entry):
                if entry.name in SKIPPED_DIRS or real in seen_dirs:
                    continue
                seen_dirs.add(real)
                if not _any(excludes, relative, True):
                    pending.append((entry.path, relative, real))
            elif _wanted(entry.name, relative, includes, excludes):
                yield entry.path


def _entries(directory: str, relative_dir: str) -> list[tuple[os.DirEntry[str], str]]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return []  # an unreadable directory: nothing to scan in it
    prefix = relative_dir + "/" if relative_dir else ""
    return [(entry, prefix + entry.name) for entry in entries]


def _target(entry: os.DirEntry[str], real_dir: str, real_root: str) -> str | None:
    """The real path of ``entry``; None for a link out of the root or to nothing."""
    if not entry.is_symlink():
        return os.path.join(real_dir, entry.name)
    real = os.path.realpath(entry.path)
    inside = real == real_root or real.startswith(_with_sep(real_root))
    return real if inside and os.path.exists(real) else None


def _with_sep(path: str) -> str:
    return path if path.endswith(os.sep) else path + os.sep


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _wanted(name: str, relative: str, includes: list[Glob], excludes: list[Glob]) -> bool:
    stem, suffix = os.path.splitext(name.lower())
    if suffix == ".gz":  # only gzip-compressed snapshots: x.json.gz
        if os.path.splitext(stem)[1] != ".json":
            return False
    elif suffix not in CANDIDATE_SUFFIXES:
        return False
    if includes and not _any(includes, relative, False):
        return False
    return not _any(excludes, relative, False)


def _any(globs: list[Glob], relative: str, is_dir: bool) -> bool:
    return any(glob.matches(relative, is_dir) for glob in globs)
