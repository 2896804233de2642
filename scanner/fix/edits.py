"""Exact text edits: offsets into a file's text and the text that replaces them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scanner.model import Location

# Line breaks as the loaders count them (scanner.loaders.source).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


class Text:
    """A file's text with line starts, to turn 1-based positions into offsets."""

    __slots__ = ("text", "newline", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        first = _LINE_BREAK.search(text)
        self.newline = first.group() if first is not None else "\n"
        self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column - 1

    def start(self, location: Location) -> int:
        return self.offset(location.line, location.column)

    def end(self, location: Location) -> int:
        if location.end_line is None or location.end_column is None:
            return self.start(location)
        return self.offset(location.end_line, location.end_column)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset`` (the inverse of ``offset``)."""
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def line_start(self, offset: int) -> int:
        return self._starts[bisect_right(self._starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line of ``offset`` (or the text's end)."""
        found = _LINE_BREAK.search(self.text, offset)
        return found.start() if found is not None else len(self.text)

    def next_line(self, offset: int) -> int:
        """The offset just past the line break ending the line of ``offset``."""
        found = _LINE_BREAK.search(self.text, offset)
        return found.end() if found is not None else len(self.text)

    def indent_of(self, offset: int) -> str:
        """The leading spaces of the line holding ``offset``."""
        start = self.line_start(offset)
        line = self.text[start : self.line_end(start)]
        return line[: len(line) - len(line.lstrip(" "))]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with every edit made; edits must not overlap."""
    out: list[str] = []
    last = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < last:
            raise ValueError("overlapping edits")
        out.append(text[last : edit.start])
        out.append(edit.new)
        last = edit.end
    out.append(text[last:])
    return "".join(out)


def changed_span(old: str, new: str) -> Edit:
    """One edit of ``old`` that makes ``new``: the span between their common start and end."""
    limit = min(len(old), len(new))
    start = _common(limit, lambda n: old[:n] == new[:n])
    tail = _common(limit - start, lambda n: old[len(old) - n :] == new[len(new) - n :])
    return Edit(start, len(old) - tail, new[start : len(new) - tail])


def _common(limit: int, same: Callable[[int], bool]) -> int:
    """The largest n <= ``limit`` with ``same(n)`` (a binary search: slices compare in C)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if same(middle):
            low = middle
        else:
            high = middle - 1
    return low
