from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli, main

GOOD = """
param max_age: number = 90
policy KEY_AGE {
  id = "PAC-IAM-001"
  title = "Keys are rotated"
  severity = medium
  resource Test::Spec::AccessKey
  assert days_since(Properties.Created) <= max_age
}
"""

BAD = """policy TYPO {
  id = "PAC-S3-001"
  title = "t"
  severty = high
  resource AWS::S3::Bucket
  assert lowr(Properties.BucketName) == "x"
}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_policies_exit_zero(tmp_path: Path) -> None:
    _write(tmp_path, "good.policy", GOOD)
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 policy in 1 file: no errors" in result.output


def test_every_error_is_reported_with_caret_and_suggestion(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.policy", BAD)
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert (
        f"{bad}:4:3: error[P020]: unknown metadata key `severty`; did you mean `severity`?" in lines
    )
    assert f"{bad}:6:10: error[P012]: unknown function `lowr`; did you mean `lower`?" in lines
    assert "           ^^^^" in lines  # caret under `lowr`
    assert f"{bad}:1:8: error[P021]: policy TYPO has no `severity`" in lines
    assert lines[-1] == "3 errors in 1 file (0 policies compiled)"
    assert "Traceback" not in result.output


def test_errors_in_one_file_do_not_hide_the_other(tmp_path: Path) -> None:
    _write(tmp_path, "a_bad.policy", "policy P {\n")
    _write(tmp_path, "b_good.policy", GOOD)
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "error[P001]: missing `}` after policy body" in result.output
    assert "1 error in 2 files (1 policy compiled)" in result.output


def test_param_override_of_the_wrong_type(tmp_path: Path) -> None:
    _write(tmp_path, "good.policy", GOOD)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--param", 'max_age="old"'])
    assert result.exit_code == 2
    assert "error[P041]: --param max_age: value must be a number, got string 'old'" in result.output


def test_unknown_param_override_suggests_the_declared_one(tmp_path: Path) -> None:
    _write(tmp_path, "good.policy", GOOD)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--param", "max_ag=3"])
    assert result.exit_code == 2
    assert "did you mean `max_age`?" in result.output


def test_undecodable_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "binary.policy").write_bytes(b"policy \xff\xfe {")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "binary.policy: error[P003]: not UTF-8 text" in result.output


def test_missing_path_is_a_usage_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(tmp_path / "nope")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "Traceback" not in err
