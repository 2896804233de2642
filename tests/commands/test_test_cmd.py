from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli

POLICY = """policy VERSIONING {
  id = "PAC-S3-014"
  title = "S3 buckets keep object versions"
  severity = medium
  resource AWS::S3::Bucket
  let cfg = Properties.VersioningConfiguration
  assert cfg.Status == "Enabled"
  example pass { Properties: { VersioningConfiguration: { Status: "Enabled" } } }
  example fail at Properties.VersioningConfiguration { Properties: { BucketName: "logs" } }
  example unknown { Properties: { VersioningConfiguration: { Status: unknown } } }
%s
}
"""


def _run(tmp_path: Path, extra: str = "", *args: str) -> tuple[int, str]:
    (tmp_path / "v.policy").write_text(POLICY % extra, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(tmp_path), *args])
    return result.exit_code, result.output


def test_all_examples_pass(tmp_path: Path) -> None:
    code, output = _run(tmp_path)
    assert code == 0, output
    assert output.splitlines()[-1] == "3 passed, 0 failed"


def test_verbose_lists_passing_examples(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "", "-v")
    assert code == 0
    assert "v.policy:8: ok PAC-S3-014 (pass)" in output


def test_wrong_status_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    code, output = _run(tmp_path, '  example pass { Properties: { BucketName: "x" } }')
    assert code == 1
    failures = [line for line in output.splitlines() if ": FAIL " in line]
    assert len(failures) == 1
    assert failures[0].endswith(
        "v.policy:11: FAIL PAC-S3-014: expected pass, got fail: "
        'Subject: `cfg.Status == "Enabled"` does not hold at Properties.VersioningConfiguration'
    )
    assert output.splitlines()[-1] == "3 passed, 1 failed"


def test_wrong_failing_path_is_reported(tmp_path: Path) -> None:
    code, output = _run(tmp_path, '  example fail at Properties.Tags { Properties: { A: "x" } }')
    assert code == 1
    assert (
        "FAIL PAC-S3-014: expected the failure at or under Properties.Tags, "
        "got Properties.VersioningConfiguration"
    ) in output


def test_compile_errors_exit_two(tmp_path: Path) -> None:
    (tmp_path / "broken.policy").write_text("policy X {", encoding="utf-8")
    code, output = _run(tmp_path)
    assert code == 2
    assert "error[P001]" in output
    assert output.splitlines()[-1] == "3 passed, 0 failed, 1 compile errors"


def test_policies_without_examples_are_named(tmp_path: Path) -> None:
    (tmp_path / "bare.policy").write_text(
        'policy BARE { id = "PAC-X-9" title = "t" severity = low resource AWS::S3::Bucket }',
        encoding="utf-8",
    )
    code, output = _run(tmp_path)
    assert code == 0
    assert "policies without examples: PAC-X-9" in output


def test_default_runs_the_built_in_policies() -> None:
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code in (0, 1), result.output
    assert " passed, " in result.output.splitlines()[-1]
