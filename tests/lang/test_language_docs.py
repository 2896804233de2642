"""docs/language.md documents every error code and every built-in function."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.lang import codes
from scanner.lang.builtins import FAMILIES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text("utf-8")


def test_every_error_code_is_in_the_table() -> None:
    rows = set(re.findall(r"^\| (P\d{3}) \|", DOC, flags=re.MULTILINE))
    assert rows == set(codes.DESCRIPTIONS)


def test_every_builtin_is_documented_in_its_family() -> None:
    for family, functions in FAMILIES.items():
        rows = [line for line in DOC.splitlines() if line.startswith(f"| {family} | ")]
        for fn in functions:
            assert any(f"`{fn.name}(" in row for row in rows), fn.name
