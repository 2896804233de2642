"""Turning the bytes of a YAML or JSON file into text, values and a position index.

The readers (``yaml_source``, ``json_source``) record positions as character offsets
into the decoded text; :class:`PositionIndex` converts an offset pair to a 1-based
``Location`` only when someone asks for it, so loading stays cheap and the index is small
to pickle between processes.
"""

from __future__ import annotations

import codecs
import re
import stat
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from scanner.errors import InputError
from scanner.model import Location, Path, Span, line_at

# Error codes of the input readers (stable: reports and baselines carry them).
FILE_TOO_LARGE = "I001"
EMPTY_FILE = "I002"
BINARY_DATA = "I003"
BAD_ENCODING = "I004"
YAML_SYNTAX = "I005"
JSON_SYNTAX = "I006"
DUPLICATE_KEY = "I007"
TOO_DEEP = "I008"
TOO_MANY_NODES = "I009"
UNREADABLE = "I010"
BAD_RESOURCE = "I011"
UNSUPPORTED = "I012"  # a warning: valid input pacscan cannot read (yet)
INTRINSIC_BUDGET = "I013"  # intrinsic functions or loops take too much work or memory
NOT_REGULAR = "I014"  # a FIFO, socket or device where a file was expected
BAD_CONDITION = "I015"  # conditions that refer to themselves
MULTIPLE_DOCUMENTS = "I016"  # a template file with more than one YAML document
INTERNAL = "I099"

# Line breaks as YAML counts them (also what ``str.splitlines`` splits valid input on).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BREAK_CHARS = "\r\n\x85\u2028\u2029"
# What ``str.splitlines`` also breaks at: vertical tab, form feed, file/group/record separators.
_OTHER_BREAK = re.compile("[\x0b\x0c\x1c-\x1e]")
_TRAILING_SPACE = " \t\r\n\x85\u2028\u2029"
_NOT_SPACE = re.compile(r"\S")

# Raw span: (key start, key end, value start, value end) offsets; key start -1 = no key.
RawSpan = tuple[int, int, int, int]


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from exhausting memory or the stack."""

    max_depth: int = 500
    max_nodes: int = 2_000_000
    max_alias_nodes: int = 100_000


@dataclass
class ParsedSource:
    """A parsed file: its root value, where every node came from, and the text.

    ``dynamic`` holds the ``id()`` of every mapping or list that contains an intrinsic
    function (a ``Ref`` or ``Fn::*`` key) at any depth, so resolution can hand every
    other subtree through untouched. It is only meaningful while ``value`` is alive.
    """

    value: Any
    positions: PositionIndex
    text: str
    dynamic: set[int] = field(default_factory=set)
    documents: int = 1
    second_document: int = -1  # where a second YAML document starts (offset), if any


class LineTable:
    """Offsets of line starts, for converting a character offset to line and column."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0]  # the offset where each line starts
        if _OTHER_BREAK.search(text) is None:
            # no break str.splitlines knows and YAML does not: the same lines, counted in C
            self.starts.extend(accumulate(map(len, text.splitlines(keepends=True))))
            if self.starts[-1] == len(text) and text and text[-1] not in _BREAK_CHARS:
                self.starts.pop()  # the end of a last line without a break starts nothing
        else:
            self.starts.extend(m.end() for m in _LINE_BREAK.finditer(text))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        index = bisect_right(self.starts, offset)
        return index, offset - self.starts[index - 1] + 1


def location_at(file: str, text: str, offset: int, end: int | None = None) -> Location:
    """A ``Location`` for ``text[offset:end]`` (one-off use, e.g. for an error)."""
    table = LineTable(text)
    line, col = table.line_col(offset)
    if end is None or end <= offset:
        return Location(file, line, col, line, col + 1)
    end_line, end_col = table.line_col(end)
    return Location(file, line, col, end_line, end_col)


def source_line(text: str, line: int) -> str | None:
    return line_at(text.splitlines(), line)


def input_error(code: str, message: str, file: str, text: str, offset: int) -> InputError:
    """An ``InputError`` located at ``offset`` of ``text``, quoting its line."""
    loc = location_at(file, text, offset)
    return InputError(message, code=code, location=loc, source_line=source_line(text, loc.line))


class PositionIndex(Mapping[Path, Span]):
    """``Document.positions``: source path -> ``Span``, converted lazily from offsets."""

    __slots__ = ("_file", "_text", "_raw", "_table")

    def __init__(self, file: str, text: str, raw: dict[Path, RawSpan]) -> None:
        self._file = file
        self._text = text
        self._raw = raw
        self._table: LineTable | None = None

    def __getitem__(self, path: Path) -> Span:
        return self._span(self._raw[path])

    def get(self, path: Path, default: Any = None) -> Any:
        raw = self._raw.get(path)
        return default if raw is None else self._span(raw)

    def __contains__(self, path: object) -> bool:
        return path in self._raw

    def __iter__(self) -> Iterator[Path]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __reduce__(self) -> tuple[Any, ...]:  # the line table is rebuilt on demand
        return (PositionIndex, (self._file, self._text, self._raw))

    def locate_path(self, full: Path) -> Location | None:
        """``model.locate`` on the offsets, making only the one location it returns."""
        raws = self._raw
        for end in range(len(full), -1, -1):
            raw = raws.get(full[:end] if end < len(full) else full)
            if raw is None:
                continue
            if raw[0] >= 0 and end == len(full):  # the key and its value as one region
                return self._region(raw[0], self._value_end(raw[2], raw[3]))
            if raw[0] >= 0:  # a missing node: the parent's key
                return self._location(raw[0], raw[1])
            return self._location(raw[2], raw[3])
        return None

    def _value_end(self, start: int, end: int) -> int:
        """Where the value location of ``start:end`` ends (as ``_location`` trims it)."""
        text = self._text
        if end > start and text[end - 1] in _TRAILING_SPACE:
            end = start + len(text[start:end].rstrip(_TRAILING_SPACE))
        return end if end > start else start

    def _region(self, start: int, end: int) -> Location:
        table = self._table
        if table is None:
            table = self._table = LineTable(self._text)
        starts = table.starts
        line = bisect_right(starts, start)
        end_line = bisect_right(starts, end)
        return Location(
            self._file, line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1
        )

    def _span(self, raw: RawSpan) -> Span:
        key = self._location(raw[0], raw[1]) if raw[0] >= 0 else None
        return Span(key, self._location(raw[2], raw[3]))

    def _location(self, start: int, end: int) -> Location:
        table = self._table
        if table is None:
            table = self._table = LineTable(self._text)
        text = self._text
        if end > start and text[end - 1] in _TRAILING_SPACE:
            end = start + len(text[start:end].rstrip(_TRAILING_SPACE))
        starts = table.starts  # LineTable.line_col, inline: a finding locates two offsets
        line = bisect_right(starts, start)
        col = start - starts[line - 1] + 1
        if end <= start:
            return Location(self._file, line, col, line, col)
        end_line = bisect_right(starts, end)
        return Location(self._file, line, col, end_line, end - starts[end_line - 1] + 1)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(file: str, data: bytes) -> str:
    """The text of a YAML/JSON file; raises ``InputError`` for empty, binary or bad bytes."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], name
            break
    if encoding == "utf-8" and b"\x00" in data:
        raise InputError(
            "binary data, not a YAML or JSON text file", code=BINARY_DATA, hint=_EXCLUDE_HINT
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _encoding_error(file, data, exc, encoding) from exc
    if _NOT_SPACE.search(text) is None:
        raise InputError("empty file", code=EMPTY_FILE, hint=_EXCLUDE_HINT)
    return text


_EXCLUDE_HINT = "remove the file or leave it out with --exclude"


def _encoding_error(file: str, data: bytes, exc: UnicodeDecodeError, encoding: str) -> InputError:
    good = data[: exc.start].decode(encoding, errors="replace")
    bad = data[exc.start : exc.start + 1].hex()
    message = f"invalid {encoding.upper()} (byte 0x{bad} at offset {exc.start})"
    line, col = LineTable(good).line_col(len(good))
    location = Location(file, line, col, line, col + 1)
    text = data[: exc.start + 4096].decode(encoding, errors="replace")
    return InputError(
        message,
        code=BAD_ENCODING,
        location=location,
        hint=_EXCLUDE_HINT,
        source_line=source_line(text, line),
    )


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a file"
