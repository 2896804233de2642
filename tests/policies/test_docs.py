"""docs/policies.md is the rendered catalogue; a stale copy fails here."""

from __future__ import annotations

from pathlib import Path

from scanner.catalogue import Catalogue
from scanner.catalogue_docs import REGENERATE, render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_policy_reference_is_up_to_date(catalogue: Catalogue) -> None:
    expected = render_reference(catalogue)
    actual = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert actual == expected, f"docs/policies.md is stale; regenerate it with `{REGENERATE}`"


def test_reference_names_every_policy_and_framework(catalogue: Catalogue) -> None:
    text = render_reference(catalogue)
    assert all(f"### {p.id}\n" in text for p in catalogue.policies)
    assert "## CIS AWS Foundations Benchmark v3.0.0" in text
    assert "| 2.1.1 | Ensure S3 Bucket Policy is set to deny HTTP requests | resource |" in text
