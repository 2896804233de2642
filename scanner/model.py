"""The data model every pipeline stage shares.

Everything here is a frozen, slotted dataclass or a plain value. Positions are 1-based and
are converted once, by the parser or loader that produced them.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from scanner.records import record

PathKey = str | int
Path = tuple[PathKey, ...]


class Unknown:
    """A value that cannot be known statically, and why.

    ``cause`` says why in words a user can act on (empty when nothing more is known).
    ``external`` marks a value fixed outside the input before its resources exist (a
    template parameter, a pseudo parameter, another stack's output): it can spell a name
    the input declares, never an id AWS generates for one of its resources. ``name`` is
    what the input calls the value (a parameter's name), when it has one: within one
    input, parts of partial strings with the same name have the same value.

    ``UNKNOWN`` is the one without a cause (three-valued logic's unknown truth value, too).
    Every Unknown is tested with ``is_unknown`` (a type check), never by identity. Two
    Unknowns compare equal with ``==``: that is equality of Python structures (tests of
    what a loader produced); the policy language's ``==`` on an unknown is unknown.
    """

    __slots__ = ("cause", "external", "name")

    def __init__(self, cause: str = "", *, external: bool = False, name: str | None = None):
        self.cause = cause
        self.external = external
        self.name = name

    def __repr__(self) -> str:
        return f"Unknown({self.cause!r})" if self.cause else "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; use three-valued logic")

    def __eq__(self, other: object) -> bool:
        return type(other) is Unknown

    def __hash__(self) -> int:
        return 0x5EED

    def __reduce__(self) -> str | tuple[Any, ...]:
        if self is UNKNOWN:  # pickles (multiprocessing) back to the singleton
            return "UNKNOWN"
        return (_unknown, (self.cause, self.external, self.name))

    def __copy__(self) -> Unknown:
        return self

    def __deepcopy__(self, memo: object) -> Unknown:
        return self


def _unknown(cause: str, external: bool, name: str | None) -> Unknown:
    return Unknown(cause, external=external, name=name)


UNKNOWN: Final = Unknown()


def is_unknown(value: object) -> bool:
    return type(value) is Unknown


@record
class Reference:
    """Another resource of the same input, or one of its attributes.

    It exists, but its value is known only once deployed. ``target`` is the resource's id
    in the input (a logical id), ``attribute`` the attribute read (None: the resource's
    default value), ``text`` how the input wrote it, for messages (``!Ref Bucket``).
    """

    target: str
    attribute: str | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or (f"{self.target}.{self.attribute}" if self.attribute else self.target)


@record
class Partial:
    """A string with known text around parts not known statically.

    ``parts`` are the pieces in order: known text, references to resources, unknown
    values (``arn:`` + unknown partition + ``:s3:::`` + a reference to a bucket + ``/*``).
    ``text`` is how the input wrote it, for messages. The known text still settles some
    questions: such a string is not ``"*"``, it starts with ``arn:``.
    """

    parts: tuple[str | Reference | Unknown, ...]
    text: str = ""

    def __str__(self) -> str:
        return self.text

    def chunks(self) -> tuple[str, ...]:
        """The known text between the unknown parts: one more than there are such parts
        (``a`` ? ``b`` ? -> ``("a", "b", "")``)."""
        out = [""]
        for part in self.parts:
            if type(part) is str:
                out[-1] += part
            else:
                out.append("")
        return tuple(out)

    def could_equal(self, text: str) -> bool:
        """Whether some value of the unknown parts makes the string equal ``text``."""
        return _chunk_pattern(self.chunks()).fullmatch(text) is not None

    def starts_with(self, part: str) -> bool | None:
        """True or False when the known text settles it, None when it does not."""
        return _affix(self.chunks()[0], part, str.startswith)

    def ends_with(self, part: str) -> bool | None:
        return _affix(self.chunks()[-1], part, str.endswith)

    def contains(self, part: str) -> bool | None:
        """True when the known text holds ``part``; otherwise the unknown parts might."""
        return True if any(part in chunk for chunk in self.chunks()) else None

    def references(self) -> tuple[Reference, ...]:
        return tuple(part for part in self.parts if type(part) is Reference)

    def identity(self) -> tuple[Any, ...] | None:
        """What makes two partial strings of one input the same value: the same known text
        and the same named parts. None when a part has no name (two may differ)."""
        out: list[Any] = []
        for part in self.parts:
            if type(part) is Unknown:
                if part.name is None:
                    return None
                out.append(("?", part.name))
            elif type(part) is Reference:
                out.append(("ref", part.target, part.attribute))
            else:
                out.append(part)
        return tuple(out)


@functools.lru_cache(maxsize=4096)
def _chunk_pattern(chunks: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(chunk) for chunk in chunks), re.DOTALL)


def _affix(known: str, part: str, test: Callable[[str, str], bool]) -> bool | None:
    if len(known) >= len(part):
        return test(known, part)
    return None if test(part, known) else False


def name_key(value: object) -> tuple[Any, ...] | None:
    """How a value that may spell a resource's name is compared with the names resources
    declare: a non-empty string as itself, a partial string by its ``identity``."""
    if type(value) is str and value:
        return ("text", value)
    if type(value) is Partial:
        identity = value.identity()
        return None if identity is None else ("partial", identity)
    return None


def is_opaque(value: object) -> bool:
    """An Unknown, a reference or a partial string: its exact value is not known."""
    kind = type(value)
    return kind is Unknown or kind is Reference or kind is Partial


def is_reference(value: object) -> bool:
    """A reference to a resource or a partial string (values an input computes)."""
    kind = type(value)
    return kind is Reference or kind is Partial


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


@record
class Location:
    """A 1-based span in a file. ``end_*`` are inclusive line / exclusive column."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record
class Span:
    """Where one node of a document sits: its key (if it has one) and its value."""

    key: Location | None
    value: Location


@functools.lru_cache(maxsize=4096)
def path_text(path: FixPath) -> str:
    """A path as messages, reports and docs write it: ``Properties.Rules[1]."aws:Key"``.

    Keys that are not identifiers are quoted, so the text reads back to one path.
    """
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif not isinstance(key, str):  # a fix path's Keyed or Each step
            out += str(key)
        elif key.isidentifier():
            out += f".{key}" if out else key
        else:
            out += f'."{key}"' if out else f'"{key}"'
    return out


def line_at(lines: Sequence[str], number: int) -> str | None:
    """Line ``number`` (1-based) of ``lines``; None when there is no such line."""
    return lines[number - 1] if 0 < number <= len(lines) else None


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
        if self.text is None:
            return None
        lines = self._lines
        if lines is None:  # split once: reports quote a line per finding
            lines = self.text.splitlines()
            object.__setattr__(self, "_lines", lines)
        return line_at(lines, line)


QUOTED_CHARS = 1024  # characters of a line a ``QuotedDocument`` keeps (reports quote fewer)


@dataclass(frozen=True, slots=True, eq=False)
class QuotedDocument(Document):
    """What reports still read of a document once its file is done.

    No text and no positions: ``lines`` holds the lines its findings point at (line
    number -> the first ``QUOTED_CHARS`` characters), ``secrets`` the defaults of its
    ``NoEcho`` parameters, which ``scanner.redact`` masks wherever a quoted line shows them.
    """

    lines: Mapping[int, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()

    def source_line(self, line: int) -> str | None:
        return self.lines.get(line)


_NO_PATHS: Mapping[Path, Path] = MappingProxyType({})  # read-only: nothing is stored in it


@record
class TemplateOrigin:
    """How a loader read a resource out of a template.

    ``conditions``: the conditions assumed for this variant of the resource (one branch
    of each undecided condition). ``path_map``: resolved body path -> source path, where
    resolution moved a value (a branch of a conditional, a list item after a removed one).
    ``written_at``: body path -> document path for values written outside the resource
    (shared defaults such as SAM ``Globals``). ``not_created``: why the resource does not
    exist (its condition is false). ``names``: the forms of the name the resource declares
    for itself (its name property as text, or a partial string's ``identity``): a value
    equal to one of them in the same template refers to it. ``nameable``: a value fixed
    outside the template (a parameter) could name it, since it declares a name (or its
    properties are unknown) rather than leaving AWS to generate one. ``scope``: the input
    the resource belongs to when that input spans several documents (a Terraform module
    written in several files); None: its document.
    """

    conditions: Mapping[str, bool] = field(default_factory=dict)
    path_map: Mapping[Path, Path] = field(default_factory=dict)
    written_at: Mapping[Path, Path] = field(default_factory=dict)
    not_created: str | None = None
    names: tuple[Any, ...] = ()
    nameable: bool = False
    scope: str | None = None


@record
class LiveOrigin:
    """Where a resource collected from a live account lives.

    ``gap`` is set on the stand-in for resources a failed call left unlisted: which call
    failed and why (every policy over it is unknown).
    """

    arn: str
    account: str
    region: str
    name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    gap: str | None = None


Origin = TemplateOrigin | LiveOrigin


@record(eq=False)
class Resource:
    """One resource as policies see it.

    ``body`` is the whole resource node that policy paths start from; for
    CloudFormation and live snapshots it is ``{"Type": ..., "Properties": {...}, ...}``.
    Values in it are plain data, ``Unknown``, ``Reference`` or ``Partial``. ``path`` is
    where that node sits in ``document``; ``origin`` says how it was read (a template, or
    a live account).
    """

    type: str
    id: str
    body: Mapping[str, Any]
    document: Document | None = None
    path: Path = ()
    origin: Origin = TemplateOrigin()

    @property
    def properties(self) -> Any:
        return self.body.get("Properties", {})

    @property
    def live(self) -> LiveOrigin | None:
        origin = self.origin
        return origin if type(origin) is LiveOrigin else None

    @property
    def template(self) -> TemplateOrigin | None:
        origin = self.origin
        return origin if type(origin) is TemplateOrigin else None


@record
class Keyed:
    """A fix path step ``[Name = "X", ...]``: the list elements whose ``fields`` equal
    these values (a ``set`` adds one when none does)."""

    fields: tuple[tuple[str, Any], ...]

    def __str__(self) -> str:
        return "[" + ", ".join(f"{k} = {_json_text(v)}" for k, v in self.fields) + "]"


@record
class Each:
    """A fix path step ``[? condition]``: every list element ``test`` holds for.

    ``test(ctx, element)`` is the compiled condition (True, False or UNKNOWN); ``text``
    is its source, which is what two steps are compared by."""

    text: str
    test: Callable[[Any, Any], Any] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"[? {self.text}]"


FixStep = PathKey | Keyed | Each
FixPath = tuple[FixStep, ...]


@record
class FixOp:
    """One edit a policy's ``fix`` clause asks for, relative to the resource body.

    The path of a policy's op may hold ``Keyed`` and ``Each`` steps; ``scanner.fix.select``
    turns it, for one resource, into ops on plain paths."""

    kind: str  # "set" | "remove" | "append"
    path: FixPath
    value: Any = None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@record
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


class BaselineState(str, enum.Enum):
    """How a finding compares with the same finding in the baseline (SARIF's baselineState)."""

    NEW = "new"
    UNCHANGED = "unchanged"
    UPDATED = "updated"  # same fingerprint, another status or message
    ABSENT = "absent"  # in the baseline, not in this scan


@record
class Suppressed:
    """Why a finding is suppressed, in SARIF's terms.

    ``kind`` is ``inSource`` (a comment or ``Metadata`` in the template) or ``external``
    (the config, a baseline); ``was`` is the status the finding had before it was
    suppressed, unknown (None) for a suppressed result read back from a baseline.
    """

    kind: str
    justification: str | None = None
    was: Status | None = None


@record
class Triage:
    """What triage decided about a finding; evaluation leaves it empty.

    ``fingerprint`` is kept only for a result read back from a baseline (absent or
    carried), whose resource this scan does not have; ``carried`` says why a previous
    result is carried forward unchanged (the collection gap that hid its resource).
    """

    suppression: Suppressed | None = None
    baseline: BaselineState | None = None
    fingerprint: str | None = None
    carried: str | None = None


NOT_TRIAGED: Final = Triage()


@record
class Finding:
    """The verdict of one policy on one resource."""

    policy: PolicyInfo
    resource: Resource
    status: Status
    message: str
    path: Path = ()
    location: Location | None = None
    fix: tuple[FixOp, ...] = ()
    triage: Triage = NOT_TRIAGED


def locate(resource: Resource, path: Path) -> Location | None:
    """The location of the deepest node of ``resource.path + path`` that exists.

    ``path`` is relative to the resource body. Paths that resolution moved (conditional
    branches) are translated through the origin's ``path_map`` first, then values written
    outside the resource through its ``written_at``. When the node
    itself is missing the nearest existing ancestor is used, pointing at its key where
    it has one (the parent key of a missing property).
    """
    doc = resource.document
    if doc is None or not doc.positions:  # a snapshot read as data has no positions
        return None
    full = document_path(resource, path)
    positions = doc.positions
    fast = getattr(positions, "locate_path", None)  # a loader's PositionIndex
    if fast is not None:
        located: Location | None = fast(full)
        return located
    return locate_in(positions, full)


def locate_in(positions: Mapping[Path, Span], full: Path) -> Location | None:
    """``locate`` in a mapping of spans, ``full`` a path from the document's root."""
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


def document_path(resource: Resource, path: Path) -> Path:
    """Where the body path ``path`` of ``resource`` is written in its document: through
    the origin's ``path_map`` (values resolution moved), then its ``written_at`` (values
    written outside the resource)."""
    return _written_at(resource, _source_path(resource, path))


def _written_at(resource: Resource, source: Path) -> Path:
    """``source`` (below the resource's node) in the document, through the origin's
    ``written_at`` where a value is written elsewhere (SAM ``Globals``)."""
    template = resource.template
    origins = template.written_at if template is not None else _NO_PATHS
    if origins:
        for end in range(len(source), 0, -1):
            origin = origins.get(source[:end])
            if origin is not None:
                return origin + source[end:]
    return resource.path + source


def _source_path(resource: Resource, path: Path) -> Path:
    origin = resource.template
    path_map = origin.path_map if origin is not None else _NO_PATHS
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
