"""The README's first command scans the bundled example; keep what it shows true."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)\n```", text, re.DOTALL)
    assert block is not None, "README.md must start with a sh block of two commands"
    return block.group(1).splitlines()


def test_readme_starts_with_exactly_two_commands() -> None:
    first, second = _commands()
    assert "pip install ." in first and "pacscan scan fixtures/example" in first
    assert "pip install -e '.[test]'" in second and "pytest" in second


def test_first_command_scans_the_example_and_exits_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scan = _commands()[0].split("&& ")[-1]
    args = shlex.split(scan)[1:]  # drop the .venv/bin/pacscan program name
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, [*args, "--no-config"], env={"NO_COLOR": "1", **os.environ})
    assert result.exit_code == 0, result.output
    assert re.search(r"1 file, 5 resources: \d+ failed", result.output)
