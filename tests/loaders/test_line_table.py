from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from scanner.loaders.source import LineTable

# Line breaks as YAML counts them; str.splitlines also breaks at \v, \f and \x1c-\x1e.
YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
TEXT = st.text(alphabet=st.sampled_from(list("a é\t\n\r\x85\u2028\u2029\x0b\x0c\x1c\x1e")))


def _starts(text: str) -> list[int]:
    return [0] + [m.end() for m in YAML_BREAK.finditer(text)]


@given(TEXT)
def test_lines_start_after_yaml_line_breaks_only(text: str) -> None:
    table = LineTable(text)
    starts = _starts(text)
    for offset in range(len(text) + 1):
        line = max(n for n, start in enumerate(starts) if start <= offset) + 1
        assert table.line_col(offset) == (line, offset - starts[line - 1] + 1)


def test_a_form_feed_is_not_a_line_break() -> None:
    assert LineTable("a\x0cb\nc").line_col(4) == (2, 1)
    assert LineTable("a\x0cb\nc").line_col(2) == (1, 3)


def test_a_last_line_without_a_break_is_one_line() -> None:
    assert LineTable("a\nbc").line_col(4) == (2, 3)
    assert LineTable("a\nbc\n").line_col(5) == (3, 1)
