"""The data model every pipeline stage shares.

Everything here is a frozen, slotted dataclass or a plain value. Positions are 1-based and
are converted once, by the parser or loader that produced them.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

PathKey = str | int
Path = tuple[PathKey, ...]


class _Unknown:
    """The one value that stands for "cannot be resolved statically"."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; use three-valued logic")

    def __reduce__(self) -> str:  # pickles (multiprocessing) back to the singleton
        return "UNKNOWN"

    def __copy__(self) -> _Unknown:
        return self

    def __deepcopy__(self, memo: object) -> _Unknown:
        return self


UNKNOWN: Final = _Unknown()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIP = "skip"
    SUPPRESSED = "suppressed"
    ERROR = "error"


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: info=0 … critical=4."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based span in a file. ``end_*`` are inclusive line / exclusive column."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Span:
    """Where one node of a document sits: its key (if it has one) and its value."""

    key: Location | None
    value: Location


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """One loaded input file (or snapshot).

    ``positions`` maps a source path (tuple of keys and indexes from the document root)
    to the span of that node. ``text`` is the decoded source when the loader kept it
    (reports quote the offending line from it).
    """

    path: str
    format: str
    positions: Mapping[Path, Span] = field(default_factory=dict)
    text: str | None = None
    _lines: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def source_line(self, line: int) -> str | None:
        if self.text is None or line < 1:
            return None
        lines = self._lines
        if lines is None:  # split once: reports quote a line per finding
            lines = self.text.splitlines()
            object.__setattr__(self, "_lines", lines)
        return lines[line - 1] if line <= len(lines) else None


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """One resource as policies see it.

    ``body`` is the whole resource node that policy paths start from; for
    CloudFormation and live snapshots it is ``{"Type": ..., "Properties": {...}, ...}``.
    ``path`` is where that node sits in ``document``. ``metadata`` holds loader facts a
    policy does not query directly: ``arn``, ``account``, ``region``, ``name`` for live
    resources; ``conditions`` (condition name → assumed bool) for one branch of an
    ``Fn::If``; ``path_map`` (resolved body path → source path) where resolution moved
    a value (``Fn::If`` branches); ``origins`` (path in the resource's node → document
    path) for values written outside the resource (SAM ``Globals``); ``unknowns`` (body
    path → why that value is UNKNOWN, e.g. a parameter without a default);
    ``not_created`` (why a template resource does not exist: its ``Condition`` is false).
    """

    type: str
    id: str
    body: Mapping[str, Any]
    document: Document | None = None
    path: Path = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def properties(self) -> Any:
        return self.body.get("Properties", {})


@dataclass(frozen=True, slots=True)
class FixOp:
    """One edit a policy's ``fix`` clause asks for, relative to the resource body."""

    kind: str  # "set" | "remove" | "append"
    path: Path
    value: Any = None


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """A policy's metadata, independent of how its assertions are compiled."""

    id: str
    name: str
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    description: str = ""
    controls: tuple[str, ...] = ()
    equivalents: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    help: str = ""
    help_url: str | None = None
    fixes: tuple[FixOp, ...] = ()
    source: Location | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict of one policy on one resource."""

    policy: PolicyInfo
    resource: Resource
    status: Status
    message: str
    path: Path = ()
    location: Location | None = None
    fix: tuple[FixOp, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)


def locate(resource: Resource, path: Path) -> Location | None:
    """The location of the deepest node of ``resource.path + path`` that exists.

    ``path`` is relative to the resource body. Paths that resolution moved (``Fn::If``
    branches) are translated through ``metadata["path_map"]`` first, then values written
    outside the resource through ``metadata["origins"]``. When the node
    itself is missing the nearest existing ancestor is used, pointing at its key where
    it has one (the parent key of a missing property).
    """
    doc = resource.document
    if doc is None:
        return None
    full = _document_path(resource, _source_path(resource, path))
    positions = doc.positions
    for end in range(len(full), -1, -1):
        span = positions.get(full[:end])
        if span is None:
            continue
        if end < len(full):  # a missing node: point at the parent's key
            return span.key or span.value
        return _whole(span)
    return None


def _whole(span: Span) -> Location:
    """The key and its value as one region (``Key: value``)."""
    if span.key is None:
        return span.value
    return Location(
        span.key.file,
        span.key.line,
        span.key.column,
        span.value.end_line,
        span.value.end_column,
    )


def _document_path(resource: Resource, source: Path) -> Path:
    """``source`` (below the resource's node) in the document, through
    ``metadata["origins"]`` where a value is written elsewhere (SAM ``Globals``)."""
    origins: Mapping[Path, Path] = resource.metadata.get("origins") or {}
    if origins:
        for end in range(len(source), 0, -1):
            origin = origins.get(source[:end])
            if origin is not None:
                return origin + source[end:]
    return resource.path + source


def _source_path(resource: Resource, path: Path) -> Path:
    path_map: Mapping[Path, Path] = resource.metadata.get("path_map") or {}
    if not path_map:
        return path
    for end in range(len(path), 0, -1):
        mapped = path_map.get(path[:end])
        if mapped is not None:
            return mapped + path[end:]
    return path


def fast_pickling(cls: type) -> None:
    """Make a frozen slotted dataclass unpickle through its constructor.

    Parallel loading sends every value's location from the worker processes back to the
    scanning process (they trust each other: nothing pickled is ever read from disk). The
    ``__setstate__`` dataclasses gives slotted classes walks ``fields()`` for every object.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def __reduce__(self: object) -> tuple[type, tuple[object, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]


fast_pickling(Location)
