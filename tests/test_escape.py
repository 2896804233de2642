from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from scanner.escape import json_escaped, printable, printable_lines, xml_escaped


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


RAW = "del\x7f csi\x9b2J rlo\u202e sep\u2028 cr\r esc\x1b nl\n"


def test_json_keeps_its_meaning_and_shows_what_it_escapes() -> None:
    text = json_escaped(json.dumps({"name": RAW}, ensure_ascii=False))
    assert json.loads(text) == {"name": RAW}
    assert text.isascii() and text.isprintable()


def test_xml_keeps_its_meaning_and_shows_what_it_escapes() -> None:
    element = ET.Element("case", name=RAW.replace("\x1b", ""))
    element.text = RAW.replace("\x1b", "")
    text = xml_escaped(ET.tostring(element, "unicode"))
    parsed = ET.fromstring(text)
    assert parsed.text == element.text and parsed.get("name") == element.get("name")
    assert not set(text) & {"\x7f", "\x9b", "\u202e", "\u2028", "\r"}
