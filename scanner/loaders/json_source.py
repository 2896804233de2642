"""Read JSON into plain values and a position index.

A small iterative reader built on three regular expressions (a value, a ``"key":``,
what follows a value); strings with escapes go through the C ``json.decoder.scanstring``.
It keeps pace with libyaml while recording the offsets of every key and value.
Duplicate keys are errors (``json.loads`` silently keeps the last one), and nesting past
the depth limit is an error, not a ``RecursionError``.
"""

from __future__ import annotations

import re
from json import decoder
from json.decoder import JSONDecodeError
from sys import intern
from typing import Any

from scanner.errors import InputError
from scanner.loaders.source import (
    DUPLICATE_KEY,
    JSON_SYNTAX,
    TOO_DEEP,
    TOO_MANY_NODES,
    Limits,
    ParsedSource,
    PositionIndex,
    RawSpan,
    input_error,
    location_at,
)
from scanner.model import Path

_scanstring = decoder.scanstring  # type: ignore[attr-defined]  # the C string scanner

_WS = r"[ \t\n\r]*"
# group 1 a plain string, 2 a string with escapes, 3 an opening bracket, 4 a number
# (5 fraction, 6 exponent), 7 a literal.
_VALUE = re.compile(
    _WS + r'(?:"([^"\\\x00-\x1f]*)"|(")|([{\[])'
    r"|(-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)|(true|false|null))"
)
_KEY = re.compile(_WS + r'(?:"([^"\\\x00-\x1f]*)"|(")|(\}))')
_COLON = re.compile(_WS + ":")
_AFTER = re.compile(_WS + r"([,\]}])")
_END = re.compile(_WS + r"\Z")
_LITERALS = {"true": True, "false": False, "null": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Frame:
    __slots__ = ("value", "path", "start", "is_map", "key_span", "dynamic")

    def __init__(self, value: Any, path: Path, start: int, key_span: RawSpan) -> None:
        self.value = value
        self.path = path
        self.start = start
        self.is_map = type(value) is dict
        self.key_span = key_span  # (key start, key end, -, -) of this container's own key
        self.dynamic = False


class _Reader:
    def __init__(self, file: str, text: str, limits: Limits) -> None:
        self.file = file
        self.text = text
        self.limits = limits
        self.paths: list[Path] = []
        self.raws: list[RawSpan] = []
        self.stack: list[_Frame] = []
        self.dynamic: set[int] = set()
        self.escapes = "\\u" in text

    def error(self, message: str, offset: int, code: str = JSON_SYNTAX) -> InputError:
        return input_error(code, f"invalid JSON: {message}", self.file, self.text, offset)

    def run(self) -> ParsedSource:
        """Read values until the root closes; containers are opened and closed in place."""
        text, stack, paths, raws = self.text, self.stack, self.paths, self.raws
        pos, key_span = 0, (-1, -1, -1, -1)
        path: Path = ()
        while True:
            match = _VALUE.match(text, pos)
            if match is None:
                raise self.error(_expected(text, pos, "a value"), _skip(text, pos))
            group = match.lastindex
            if group == 3:  # { or [
                pos, path, key_span = self.open(match.start(3), path, key_span)
                if pos >= 0:
                    continue
                value, start, pos = self.close_empty(-pos)
            else:
                value, start, pos = self.scalar(match, group)
            while True:  # attach the value; close every container that ends here
                paths.append(path)
                raws.append((key_span[0], key_span[1], start, pos))
                if not stack:
                    return self.finish(value, pos)
                frame = stack[-1]
                if frame.is_map:
                    frame.value[path[-1]] = value
                else:
                    frame.value.append(value)
                after = _AFTER.match(text, pos)
                if after is None:
                    closing = "}" if frame.is_map else "]"
                    raise self.error(_expected(text, pos, f"',' or '{closing}'"), _skip(text, pos))
                pos = after.end()
                if after.group(1) == ",":
                    path, key_span = self.next_place(frame, pos)
                    pos = key_span[3] if frame.is_map else pos
                    break
                value, start, path, key_span = self.close(frame, after.start(1))

    def scalar(self, match: re.Match[str], group: int | None) -> tuple[Any, int, int]:
        if group == 1:
            return match.group(1), match.start(1) - 1, match.end()
        if group == 2:
            start = match.start(2)
            string, end = self.string(start)
            return string, start, end
        if group == 7:
            return _LITERALS[match.group(7)], match.start(7), match.end()
        return _number(match), match.start(4), match.end()

    def string(self, start: int) -> tuple[str, int]:
        try:
            string, end = _scanstring(self.text, start + 1, True)
        except JSONDecodeError as exc:
            message = exc.msg.lower().removesuffix(" at").removesuffix(" starting")
            if message == "invalid control character":
                message += f" {self.text[exc.pos]!r} in a string"
            raise self.error(message, exc.pos) from exc
        if self.escapes and _SURROGATE.search(string):
            raise self.error("a \\u escape is an unpaired surrogate", start)
        return string, end

    def open(self, start: int, path: Path, key_span: RawSpan) -> tuple[int, Path, RawSpan]:
        """Open a container; returns where its first value starts (negative: it is empty)."""
        if len(self.stack) >= self.limits.max_depth:
            message = f"nested too deeply (more than {self.limits.max_depth} levels)"
            raise input_error(TOO_DEEP, message, self.file, self.text, start)
        is_map = self.text[start] == "{"
        frame = _Frame({} if is_map else [], path, start, key_span)
        self.stack.append(frame)
        if not is_map:
            close = _AFTER.match(self.text, start + 1)
            if close is not None and close.group(1) == "]":
                return -close.end(), path, key_span
            return start + 1, path + (0,), (-1, -1, -1, -1)
        key, span = self.key(frame, start + 1)
        if key is None:
            return -span[3], path, key_span
        return span[3], path + (key,), span

    def close_empty(self, end: int) -> tuple[Any, int, int]:
        frame = self.stack.pop()
        return frame.value, frame.start, end

    def next_place(self, frame: _Frame, pos: int) -> tuple[Path, RawSpan]:
        if not frame.is_map:
            return frame.path + (len(frame.value),), (-1, -1, -1, pos)
        key, span = self.key(frame, pos)
        if key is None:
            raise self.error("expected a key after ','", _skip(self.text, pos))
        return frame.path + (key,), span

    def key(self, frame: _Frame, pos: int) -> tuple[str | None, RawSpan]:
        """Read ``"key":`` at ``pos``: the key and (start, end, -, after colon).

        At a ``}`` the key is None and the last offset is after the bracket.
        """
        text = self.text
        match = _KEY.match(text, pos)
        if match is None:
            where = _skip(text, pos)
            raise self.error(_expected(text, pos, "a string key in double quotes"), where)
        if match.lastindex == 3:
            return None, (-1, -1, -1, match.end())
        if match.lastindex == 1:
            key, start, end = intern(match.group(1)), match.start(1) - 1, match.end()
        else:
            start = match.start(2)
            key, end = self.string(start)
            key = intern(key)
        if key in frame.value:
            self.duplicate(frame.path + (key,), key, start)
        if key == "Ref" or key.startswith("Fn::"):
            frame.dynamic = True
        colon = _COLON.match(text, end)
        if colon is None:
            raise self.error(_expected(text, end, "':' after the key"), _skip(text, end))
        return key, (start, end, -1, colon.end())

    def close(self, frame: _Frame, at: int) -> tuple[Any, int, Path, RawSpan]:
        if (self.text[at] == "}") != frame.is_map:
            closing = "}" if frame.is_map else "]"
            raise self.error(f"expected ',' or '{closing}'", at)
        self.stack.pop()
        value = frame.value
        if frame.dynamic:
            self.dynamic.add(id(value))
            if self.stack:
                self.stack[-1].dynamic = True
        if len(self.paths) > self.limits.max_nodes:
            message = f"too many nodes (more than {self.limits.max_nodes})"
            raise input_error(TOO_MANY_NODES, message, self.file, self.text, frame.start)
        return value, frame.start, frame.path, frame.key_span

    def duplicate(self, path: Path, key: str, pos: int) -> None:
        first = next(raw[0] for p, raw in zip(self.paths, self.raws, strict=True) if p == path)
        line = location_at(self.file, self.text, first).line
        message = f"duplicate key {key!r} (first defined at line {line})"
        raise input_error(DUPLICATE_KEY, message, self.file, self.text, pos)

    def finish(self, root: Any, pos: int) -> ParsedSource:
        if _END.match(self.text, pos) is None:
            raise self.error("extra data after the document", _skip(self.text, pos))
        positions = PositionIndex(
            self.file, self.text, dict(zip(self.paths, self.raws, strict=True))
        )
        return ParsedSource(root, positions, self.text, self.dynamic)


def _skip(text: str, pos: int) -> int:
    return len(text) - len(text[pos:].lstrip(" \t\n\r"))


def _expected(text: str, pos: int, what: str) -> str:
    return f"expected {what}" if _skip(text, pos) < len(text) else "unexpected end of file"


def _number(match: re.Match[str]) -> int | float | str:
    text = match.group(4)
    if match.group(5) is None and match.group(6) is None:
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (int_max_str_digits)
            return text
    return float(text)


def read_json(file: str, text: str, limits: Limits) -> ParsedSource:
    """Parse ``text`` as JSON; raises ``InputError`` with the offending position."""
    return _Reader(file, text, limits).run()
