from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import __version__
from scanner.cli import cli, main
from scanner.outcome import (
    EXIT_FINDINGS,
    EXIT_FINDINGS_AND_ERRORS,
    EXIT_INPUT_ERRORS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
)


def test_version_prints_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"pacscan, version {__version__}"


def test_help_lists_the_scan_command_and_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "scan" in result.output
    assert "3  input errors" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["scna"])
    assert result.exit_code == 2


def test_bad_parameter_renders_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", "--parameter", "novalue", "."])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error[USAGE]: --parameter expects NAME=VALUE" in err
    assert "Traceback" not in err


def test_help_does_not_import_boto3() -> None:
    code = (
        "import sys; from scanner.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('boto3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")


def _listed_codes(text: str) -> set[int]:
    """The codes an ``Exit codes:`` block lists (a number at the start of a line)."""
    block = text.split("Exit codes", 1)[1]
    return {int(code) for code in re.findall(r"^\s*(\d+)  \S", block, re.M)}


def test_every_exit_code_shown_is_the_one_definition() -> None:
    """cli.py, each command's help and the composite action list the codes of scanner.outcome."""
    defined = {EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT_ERRORS, EXIT_FINDINGS_AND_ERRORS}
    assert _listed_codes(CliRunner().invoke(cli, ["--help"]).output) == {*defined, EXIT_INTERNAL}
    for command in ("scan", "audit"):
        shown = CliRunner().invoke(cli, [command, "--help"]).output
        assert _listed_codes(shown) == {*defined, EXIT_INTERNAL}, command
    assert _listed_codes(CliRunner().invoke(cli, ["fix", "--help"]).output) == defined
    action = (Path(__file__).resolve().parents[2] / "action.yml").read_text(encoding="utf-8")
    described = re.search(r"pacscan's exit code: (.*)\"", action)
    assert described is not None
    assert {int(n) for n in re.findall(r"(\d+) [a-z]", described.group(1))} == defined
