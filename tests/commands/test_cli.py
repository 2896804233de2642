from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from scanner import __version__
from scanner.cli import cli, main


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
