"""Which files a scan reads.

``discover(paths, include, exclude)`` expands files and directories into a sorted,
deduplicated list of files, and the input errors met on the way:

- a file named explicitly is always taken, whatever its extension; a path that exists
  but is not a regular file (a FIFO, a socket, a device) is an input error;
- under a directory, regular files with a candidate extension (``.yaml .yml .json
  .template .cfn``, Terraform's ``.tf``, and ``.json.gz`` snapshots) are taken,
  narrowed by ``include`` and ``exclude`` globs; FIFOs, sockets and devices are passed
  over, whatever their name;
- ``.git``, ``.terraform``, ``node_modules``, virtual environments and caches are skipped;
- a directory that cannot be read is an input error (the rest is still scanned);
- a symbolic link is followed only when its target is inside the directory being
  scanned; directory loops are visited once; a file reached twice is read once.

Globs are gitignore-like and match the path relative to the directory given: ``*``,
``?`` and ``[...]`` stay within one path segment, a ``**`` segment spans any number of
segments (``a/**/b``: zero or more; a trailing ``a/**``: everything inside ``a``), a
pattern without a ``/`` matches a name at any depth, a pattern with one is anchored at the
directory, and a trailing ``/`` matches directories only (everything below them). A
pattern is matched segment by segment, each segment with a regular expression that does
not backtrack, so matching takes time linear in the pattern times the path. Patterns
longer than ``MAX_GLOB_LENGTH`` characters or with more than ``MAX_GLOB_WILDCARDS``
wildcards are usage errors.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import field
from fnmatch import translate

from scanner.errors import Diagnostic, UsageError
from scanner.loaders.source import NOT_REGULAR, UNREADABLE, file_kind
from scanner.records import record

CANDIDATE_SUFFIXES = frozenset((".yaml", ".yml", ".json", ".template", ".cfn", ".tf"))
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


MAX_GLOB_LENGTH = 1024  # characters of one --include/--exclude or suppression file pattern
MAX_GLOB_WILDCARDS = 64  # *, ? and [ in one pattern

_ANY_SEGMENTS = None  # a ** segment: zero or more path segments


@record
class Glob:
    """One gitignore-like pattern, compiled to one matcher per path segment."""

    pattern: str
    segments: tuple[re.Pattern[str] | None, ...]  # None: any number of segments
    dirs_only: bool

    @classmethod
    def compile(cls, pattern: str) -> Glob:
        """Compile ``pattern``; raises ``UsageError`` for one that is too long or malformed."""
        _check(pattern)
        text = pattern.strip().replace(os.sep, "/")
        dirs_only = text.endswith("/")
        text = text.strip("/") if dirs_only else text
        anchored = "/" in text.rstrip("/")
        parts = [part for part in text.lstrip("/").split("/") if part]
        segments: list[re.Pattern[str] | None] = [] if anchored else [_ANY_SEGMENTS]
        for index, part in enumerate(parts):
            if part != "**":
                segments.append(_segment(pattern, part))
            elif index == len(parts) - 1 and index > 0:  # "a/**": what is inside a
                segments.append(_segment(pattern, "*"))
                segments.append(_ANY_SEGMENTS)
            elif segments[-1:] != [_ANY_SEGMENTS]:
                segments.append(_ANY_SEGMENTS)
        return cls(pattern, tuple(segments), dirs_only)

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the pattern matches ``relative`` or one of its parent directories."""
        parts = relative.split("/")
        if self.dirs_only and not is_dir:  # a file matches only through its directories
            parts.pop()
        if not parts:
            return False
        return _match((*self.segments, _ANY_SEGMENTS), parts)


def _check(pattern: str) -> None:
    shown = repr(pattern if len(pattern) <= 60 else pattern[:60] + "...")
    if len(pattern) > MAX_GLOB_LENGTH:
        message = f"glob {shown} is {len(pattern)} characters long, over {MAX_GLOB_LENGTH}"
        raise UsageError(message)
    wildcards = sum(pattern.count(char) for char in "*?[")
    if wildcards > MAX_GLOB_WILDCARDS:
        message = f"glob {shown} has {wildcards} wildcards, over {MAX_GLOB_WILDCARDS}"
        raise UsageError(message)


def _segment(pattern: str, part: str) -> re.Pattern[str]:
    """One segment's matcher. ``fnmatch`` translates runs of ``*`` so that they do not
    backtrack into each other (atomic groups), so a match is linear in the segment."""
    translated = translate(part)
    if "(?!)" in translated:  # how fnmatch spells a range that holds nothing, like [z-a]
        raise UsageError(f"glob {pattern!r} is malformed: a character range holds nothing")
    try:
        return re.compile(translated)
    except re.error as exc:
        raise UsageError(f"glob {pattern!r} is malformed: {exc}") from exc


def _match(segments: Sequence[re.Pattern[str] | None], parts: Sequence[str]) -> bool:
    """Whether ``parts`` match ``segments`` (None: any number of parts).

    The classic wildcard match with ``None`` as the star and a path segment as a
    character: on a mismatch only the latest star takes one more part, which is enough
    because a later star can absorb whatever an earlier one could. At most
    ``len(segments) * len(parts)`` segment matches.
    """
    s = p = 0
    star, star_p = -1, 0
    while p < len(parts):
        if s < len(segments) and segments[s] is _ANY_SEGMENTS:
            star, star_p = s, p
            s += 1
            continue
        matcher = segments[s] if s < len(segments) else None
        if matcher is not None and matcher.match(parts[p]):
            s += 1
            p += 1
        elif star >= 0:
            s, star_p = star + 1, star_p + 1
            p = star_p
        else:
            return False
    while s < len(segments) and segments[s] is _ANY_SEGMENTS:
        s += 1
    return s == len(segments)


@record(frozen=False)
class Discovered:
    """The files to scan (sorted, deduplicated) and the input errors met finding them."""

    files: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def discover(
    paths: Iterable[str],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> Discovered:
    """The files to scan under ``paths``; raises ``UsageError`` for a missing path or bad glob."""
    includes = [Glob.compile(p) for p in include or () if p.strip()]
    excludes = [Glob.compile(p) for p in exclude or () if p.strip()]
    found: dict[str, str] = {}  # real path -> the path to report
    result = Discovered()
    for path in paths:
        if os.path.isdir(path):
            files: Iterable[str] = _walk(path, includes, excludes, result.errors)
        elif os.path.isfile(path):
            files = [path]
        elif os.path.exists(path):
            result.errors.append(_not_regular(path))
            continue
        else:
            raise UsageError(f"no such file or directory: {path}")
        for file in map(os.path.normpath, files):  # "./a.yaml" and "a.yaml" alike
            real = os.path.realpath(file)
            if real not in found or file < found[real]:
                found[real] = file
    result.files = sorted(set(found.values()))
    return result


def _not_regular(path: str) -> Diagnostic:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    return Diagnostic(
        code=NOT_REGULAR,
        message=f"not a regular file ({file_kind(mode)}); only regular files are read",
        file=path,
    )


def _walk(
    root: str, includes: list[Glob], excludes: list[Glob], errors: list[Diagnostic]
) -> Iterator[str]:
    real_root = os.path.realpath(root)
    seen_dirs = {real_root}
    pending = [(root, "", real_root)]
    while pending:
        directory, relative_dir, real_dir = pending.pop()
        for entry, relative in _entries(directory, relative_dir, errors):
            real = _target(entry, real_dir, real_root)
            if real is None:
                continue
            if _is_dir(entry):
                if entry.name in SKIPPED_DIRS or real in seen_dirs:
                    continue
                seen_dirs.add(real)
                if not _any(excludes, relative, True):
                    pending.append((entry.path, relative, real))
            elif _is_file(entry) and _wanted(entry.name, relative, includes, excludes):
                yield entry.path


def _entries(
    directory: str, relative_dir: str, errors: list[Diagnostic]
) -> list[tuple[os.DirEntry[str], str]]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        message = f"cannot read directory: {exc.strerror or exc}; the files in it are not scanned"
        errors.append(Diagnostic(code=UNREADABLE, message=message, file=directory))
        return []
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


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file (through a link): never a FIFO, socket or device."""
    try:
        return entry.is_file()
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
