"""An error in a long line quotes a bounded window of it, with the caret in place."""

from __future__ import annotations

import pytest

from scanner.errors import EXCERPT, render_diagnostic
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load

LONG = 1_000_000


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("min.json", '{"Resources": {"X": "' + "a" * LONG + '" ,, ', "}}"),
        ("min.yaml", "Resources: {A: {X: " + "b" * LONG + ", Y: [", "}}}\n"),
        ("start.json", '{"Resources": ,, {"X": "', "c" * LONG + '"}}'),
        ("middle.json", '{"Resources": {"X": "' + "d" * LONG + '" ,, ', "e" * LONG + "}}"),
    ],
)
def test_a_syntax_error_in_a_long_line_quotes_a_window(name: str, before: str, after: str) -> None:
    (error,) = load(name, (before + after).encode(), LoadOptions()).errors
    assert error.location is not None and error.location.column > 10
    text = render_diagnostic(error)
    assert len(text) < 3 * EXCERPT + 200
    _, quoted, caret = text.splitlines()[:3]
    pointed = quoted[caret.index("^")]
    line = before + after
    assert pointed == line[error.location.column - 1]
    assert (quoted.startswith("  ...") or len(before) < EXCERPT) and len(quoted) <= EXCERPT + 8


def test_control_characters_in_the_window_are_escaped() -> None:
    text = "Resources: {X: " + "x" * 500 + "\x1b[2J" * 100 + ", ,, }"
    (error,) = load("t.yaml", text.encode(), LoadOptions()).errors
    assert error.location is not None and error.location.column == 516  # the first ESC
    rendered = render_diagnostic(error)
    assert "\x1b" not in rendered and len(rendered) < 3 * EXCERPT + 200
    _, quoted, caret = rendered.splitlines()[:3]
    at = caret.index("^")
    assert quoted[at - 3 : at + 4] == "xxx\\x1b"
