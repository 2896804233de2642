"""docs/cli.md is the rendered ``--help`` of every command; a stale copy fails here."""

from __future__ import annotations

from pathlib import Path

from scanner.cli import COMMANDS
from scanner.cli_docs import render_cli_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_cli_reference(), (
        "docs/cli.md is stale; regenerate it with `python -m scanner.cli_docs > docs/cli.md`"
    )


def test_cli_reference_covers_every_command() -> None:
    text = render_cli_reference()
    assert set(COMMANDS) >= {"scan", "audit", "fix", "remediate"}
    for command in COMMANDS:
        assert f"## `pacscan {command}`" in text
