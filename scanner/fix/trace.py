"""Which finding wrote which part of an edited text, in the offsets of the original text.

``pacscan fix`` edits a file in rounds, each round at the offsets of the text the round
before made. ``Trace`` follows every edit back to the original text, so that the whole
change can be given as replacements of the original bytes (SARIF ``fixes``), each one
owned by the finding whose edit wrote it.

The text is kept as segments: runs of original text (with their original offset), runs
of new text (with their owner) and deletions of original text (with their owner).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.fix.edits import Edit


@dataclass(frozen=True, slots=True)
class Piece:
    """Replace ``original[start:end]`` with ``new``, written by ``owner``'s edit."""

    owner: Any
    start: int
    end: int
    new: str


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str = ""  # text in the current version
    origin: int | None = None  # offset in the original text (original text, or a deletion)
    owner: Any = None  # who wrote it (new text) or deleted it (a deletion)
    deleted: int = 0  # how many original characters a deletion removed


class Trace:
    """The original text and every edit made to it since, with its owner."""

    def __init__(self, text: str) -> None:
        self.original = text
        self._segments = [_Segment(text, 0)] if text else []

    def record(self, edits: Iterable[tuple[Edit, Any]], current: str) -> None:
        """Note one round's edits (at offsets of ``current``, the text before the round)."""
        made = sorted(
            ((e, o) for e, o in edits if current[e.start : e.end] != e.new),
            key=lambda item: (item[0].start, item[0].end),
        )
        if not made:
            return
        bounds = sorted({b for e, _ in made for b in (e.start, e.end)})
        out: list[_Segment] = []
        pending = iter(made)
        edit = next(pending, None)
        end, owner = -1, None  # the edit whose deleted range is being walked
        position = 0
        for segment in self._cut(bounds):
            size = len(segment.text)
            while size and edit is not None and edit[0].start <= position:
                if edit[0].new:
                    out.append(_Segment(edit[0].new, None, edit[1]))
                end, owner = edit[0].end, edit[1]
                edit = next(pending, None)
            if size and position < end:
                if segment.origin is not None:
                    out.append(_Segment("", segment.origin, owner, size))
            else:
                out.append(segment)
            position += size
        while edit is not None:
            if edit[0].new:
                out.append(_Segment(edit[0].new, None, edit[1]))
            edit = next(pending, None)
        self._segments = out

    def _cut(self, bounds: Sequence[int]) -> list[_Segment]:
        """The segments, split so that every offset of ``bounds`` starts one."""
        out: list[_Segment] = []
        position = 0
        index = 0
        for segment in self._segments:
            size = len(segment.text)
            while index < len(bounds) and bounds[index] <= position:
                index += 1
            cuts = [0]
            while index < len(bounds) and bounds[index] < position + size:
                cuts.append(bounds[index] - position)
                index += 1
            cuts.append(size)
            for a, b in zip(cuts, cuts[1:], strict=False):
                if a == b and size:
                    continue
                origin = None if segment.origin is None else segment.origin + a
                if segment.deleted:
                    out.append(segment)
                else:
                    out.append(_Segment(segment.text[a:b], origin, segment.owner))
            position += size
        return out

    def text(self) -> str:
        return "".join(s.text for s in self._segments)

    def hunks(self) -> list[list[Piece]]:
        """The change as hunks: runs of changed original text (or insertion points), each
        kept apart from the next by unchanged text. A hunk is a list of pieces that, made
        one after the other at their original offsets, give the new text; consecutive
        parts of one owner make one piece."""
        hunks: list[list[Piece]] = []
        current: list[Piece] = []
        cursor = 0
        for segment in self._segments:
            if segment.deleted and segment.origin is not None:
                cursor = segment.origin + segment.deleted
                piece = Piece(segment.owner, segment.origin, cursor, "")
            elif segment.origin is None:
                piece = Piece(segment.owner, cursor, cursor, segment.text)
            else:
                if current:
                    hunks.append(current)
                    current = []
                cursor = segment.origin + len(segment.text)
                continue
            last = current[-1] if current else None
            if last is not None and last.owner is piece.owner:
                piece = Piece(last.owner, last.start, piece.end, last.new + piece.new)
                current[-1] = piece
            else:
                current.append(piece)
        if current:
            hunks.append(current)
        return hunks
