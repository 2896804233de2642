"""Untrusted text made safe for a terminal, a CI log and a line-based report.

A file name, a resource id, a template value in a message: any of them can hold a
newline (a forged line such as ``::warning file=...::`` that GitHub Actions obeys), a
carriage return or backspace (text that overwrites what came before), an ESC or CSI
sequence (terminal control), a bidirectional override (text that reads differently from
what it is) or a byte that is not UTF-8. ``printable`` shows each of them as an escape,
so what is printed is one line that says what the value really is.
"""

from __future__ import annotations

import functools
import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


# Each pattern is compiled on first use: a scan that prints no name needs none of them.
@functools.cache
def _unsafe() -> re.Pattern[str]:
    """C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and
    isolates, and the lone surrogates that stand for bytes that are not UTF-8."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python decoded with surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or deceptive character shown as an escape."""
    return _unsafe().sub(_escape, text)


def printable_lines(text: str) -> str:
    """Like ``printable`` but keeping line breaks: for text meant to span lines."""
    return "\n".join(printable(line) for line in text.split("\n"))


@functools.cache
def _raw_in_json() -> re.Pattern[str]:
    """What ``json.dumps(..., ensure_ascii=False)`` leaves raw: DEL, C1 controls (U+009B is
    a one-character CSI to some terminals), separators, bidi controls, lone surrogates."""
    return re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_escaped(text: str) -> str:
    """JSON text with those characters written as ``\\uXXXX`` escapes.

    They can only occur inside JSON strings, so the document means the same; printed on a
    terminal or a log, it shows the escape instead of acting on it.
    """
    if text.isascii() and "\x7f" not in text:  # the common case, with no regex pass
        return text
    return _raw_in_json().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@functools.cache
def _raw_in_xml() -> re.Pattern[str]:
    return re.compile("[\r\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def xml_escaped(text: str) -> str:
    """XML text with the same characters (and CR) written as character references."""
    return _raw_in_xml().sub(lambda m: f"&#x{ord(m.group()):x};", text)
