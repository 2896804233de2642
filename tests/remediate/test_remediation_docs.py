"""docs/remediation.md names every writer with its permissions, and every remedy."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.aws.writers import all_remedies, all_writers
from scanner.aws.writers.base import PropertyWriter, Remedy

DOC = (Path(__file__).resolve().parents[2] / "docs" / "remediation.md").read_text("utf-8")
ROWS = [line for line in DOC.splitlines() if line.startswith("| `")]


@pytest.mark.parametrize("writer", all_writers(), ids=lambda w: f"{w.type}.{w.key}")
def test_every_writer_has_a_row_with_its_permissions(writer: PropertyWriter) -> None:
    key = f"`{writer.key}`" if writer.key else "every property"
    row = next(
        (r for r in ROWS if r.startswith(f"| `{writer.type}` | {key} |")),
        None,
    )
    assert row is not None
    for permission in writer.permissions:
        assert f"`{permission}`" in row


@pytest.mark.parametrize("remedy", all_remedies(), ids=lambda r: r.applies_to)
def test_every_remedy_is_described(remedy: Remedy) -> None:
    assert any(r.startswith(f"| `{remedy.applies_to}`") for r in ROWS)
