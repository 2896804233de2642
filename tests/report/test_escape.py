from __future__ import annotations

import pytest

from scanner.report.escape import printable, printable_lines


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain.yaml", "plain.yaml"),
        ("x\n::warning::y", "x\\n::warning::y"),
        ("a\r\tb", "a\\r\\tb"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("csi\x9b2J", "csi\\x9b2J"),  # the one-byte C1 form of ESC [
        ("rlo\u202eevil", "rlo\\u202eevil"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("line\u2028sep", "line\\u2028sep"),
        ("not-utf8-\udcff", "not-utf8-\\xff"),  # a byte decoded with surrogateescape
        ("lone\ud800", "lone\\ud800"),
        ("café ✓ 日本", "café ✓ 日本"),  # printable text is left alone
    ],
)
def test_control_and_deceptive_characters_are_shown_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text).isprintable()


def test_printable_lines_keeps_line_breaks_only() -> None:
    assert printable_lines("one\ntwo\x1b[2J\r") == "one\ntwo\\x1b[2J\\r"
