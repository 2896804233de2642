"""Decoding of literal tokens: strings (with escapes), triple-quoted strings, numbers."""

from __future__ import annotations

import textwrap

_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
}


class EscapeError(ValueError):
    """A backslash sequence the language does not define; ``offset`` is in the raw text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def decode_string(raw: str) -> str:
    """The value of a double-quoted token (quotes included in ``raw``)."""
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt == "u":
            digits = body[i + 2 : i + 6]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise EscapeError("\\u must be followed by four hex digits", i + 1)
            out.append(chr(int(digits, 16)))
            i += 6
            continue
        if nxt not in _ESCAPES:
            raise EscapeError(f"unknown escape sequence \\{nxt}", i + 1)
        out.append(_ESCAPES[nxt])
        i += 2
    return "".join(out)


def decode_long_string(raw: str) -> str:
    """A triple-quoted token: no escapes, first newline dropped, common indent removed."""
    body = raw[3:-3]
    if body.startswith("\r\n"):
        body = body[2:]
    elif body.startswith("\n"):
        body = body[1:]
    return textwrap.dedent(body).rstrip()


def decode_number(raw: str) -> int | float:
    if any(c in raw for c in ".eE"):
        return float(raw)
    return int(raw)
