"""``pacscan fix`` as a user runs it: the installed command on copies of fixtures/fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "fix"
NAMES = ["layout.yaml", "branches.yaml", "two_spaces.json", "four_spaces.json"]
POLICIES = [
    *("--policy", "PAC-S3-00[1349]", "--policy", "PAC-EKS-004", "--policy", "PAC-SQS-001"),
    *("--policy", "PAC-KMS-001", "--policy", "PAC-DYNAMODB-*"),
]


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    found = str(beside) if beside.exists() else shutil.which("pacscan")
    if found is None:
        pytest.fail("the pacscan command is not installed (pip install -e '.[test]')")
    return found


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_pacscan(), "fix", "--no-config", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for name in NAMES:
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    return tmp_path


def test_fix_writes_exact_bytes_and_reports_what_it_left(work: Path) -> None:
    (work / "four_spaces.json").chmod(0o640)
    done = _run(work, *NAMES, *POLICIES)
    for name in NAMES:
        expected = (FIXTURES / "expected" / f"{name}.txt").read_bytes()
        assert (work / name).read_bytes() == expected, name
    assert (work / "four_spaces.json").stat().st_mode & 0o777 == 0o640
    assert done.returncode == 1, done.stderr  # the parameter-driven value still fails
    assert (
        "not fixed  branches.yaml:20:9 PAC-S3-009 Archive Properties.VersioningConfiguration"
        ".Status: the value comes from parameter VersioningStatus" in done.stdout
    )
    for policy in ("PAC-DYNAMODB-006", "PAC-DYNAMODB-007"):  # key choices are left to the author
        assert f"{policy} Table Properties.SSESpecification: the policy has no fix" in done.stdout
    assert done.stdout.endswith("16 findings fixed in 4 files; 3 not fixed\n")
    assert sorted(os.listdir(work)) == sorted(NAMES)  # no temporary file left behind


def test_a_second_run_changes_nothing(work: Path) -> None:
    _run(work, *NAMES, *POLICIES)
    before = {name: (work / name).read_bytes() for name in NAMES}
    done = _run(work, *NAMES, *POLICIES)
    assert {name: (work / name).read_bytes() for name in NAMES} == before
    assert done.stdout.endswith("0 findings fixed in 0 files; 3 not fixed\n")


def test_diff_prints_the_change_and_writes_nothing(work: Path) -> None:
    done = _run(work, "--diff", "layout.yaml", "--policy", "PAC-S3-009")
    assert done.returncode == 0, done.stderr  # nothing would be left failing
    assert (work / "layout.yaml").read_bytes() == (FIXTURES / "layout.yaml").read_bytes()
    assert done.stdout == (
        "--- a/layout.yaml\n"
        "+++ b/layout.yaml\n"
        "@@ -5,7 +5,7 @@\n"
        "     Type: AWS::S3::Bucket\n"
        "     Properties:\n"
        '       BucketName: !Sub "${AWS::StackName}-logs"\n'
        "-      VersioningConfiguration: {Status: 'Suspended'}   # flow style stays\n"
        "+      VersioningConfiguration: {Status: 'Enabled'}   # flow style stays\n"
        "       Tags: &tags\n"
        "         - Key: team\n"
        "           Value: platform\n"
        "@@ -15,7 +15,7 @@\n"
        "       AccessControl: PublicRead\n"
        "       Tags: *tags\n"
        "       VersioningConfiguration:\n"
        '-        Status: "Suspended"\n'
        '+        Status: "Enabled"\n'
        "   Cluster:\n"
        "     Type: AWS::EKS::Cluster\n"
        "     Properties:\n"
    )
    assert "2 findings would be fixed in 1 file; 0 not fixed" in done.stderr


def test_crlf_stays_crlf_and_only_changed_lines_differ(tmp_path: Path) -> None:
    lines = [
        "Resources:",
        "  # keep me",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
        "    Properties:",
        "      BucketName: data",
        "",
    ]
    (tmp_path / "crlf.yaml").write_bytes("\r\n".join(lines).encode())
    done = _run(tmp_path, "crlf.yaml", "--policy", "PAC-S3-009")
    assert done.returncode == 0, done.stderr
    expected = [*lines[:-1], "      VersioningConfiguration:", "        Status: Enabled", ""]
    assert (tmp_path / "crlf.yaml").read_bytes() == "\r\n".join(expected).encode()


def test_fail_on_is_the_lowest_severity_fixed(work: Path) -> None:
    done = _run(work, "layout.yaml", "--policy", "PAC-S3-00[39]", "--fail-on", "high")
    assert done.returncode == 0, done.stderr  # PAC-S3-009 is low: left, and not failing
    text = (work / "layout.yaml").read_text()
    assert "Status: 'Suspended'" in text and "AccessControl" not in text


def test_exit_codes_for_a_policy_error_and_an_input_error(work: Path) -> None:
    bad = work / "bad.policy"
    bad.write_text("policy {\n")
    done = _run(work, "layout.yaml", "--policies", str(bad))
    assert done.returncode == 2
    assert "bad.policy:" in done.stderr and "Traceback" not in done.stderr
    (work / "broken.yaml").write_text("Resources: {Bucket: [\n")
    done = _run(work, "broken.yaml", "layout.yaml", "--policy", "PAC-S3-009")
    assert done.returncode == 3, done.stderr  # layout.yaml fixed, the broken file reported
    assert "broken.yaml:" in done.stderr
    assert "Status: 'Enabled'" in (work / "layout.yaml").read_text()


def test_the_literal_branch_of_an_fn_if_is_fixed_when_the_other_is_a_parameter(
    tmp_path: Path,
) -> None:
    template = (
        "Parameters:\n  Env: {Type: String}\n  Wanted: {Type: String, Default: Suspended}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      VersioningConfiguration:\n"
        "        Status: !If [IsProd, !Ref Wanted, Suspended]\n"
    )
    (tmp_path / "t.yaml").write_text(template)
    done = _run(tmp_path, "t.yaml", "--policy", "PAC-S3-009")
    assert (tmp_path / "t.yaml").read_text() == template.replace(
        "Wanted, Suspended]", "Wanted, Enabled]"
    )
    assert done.returncode == 1  # the parameter's branch still fails
    assert "the value comes from parameter Wanted" in done.stdout
    assert done.stdout.endswith("1 finding fixed in 1 file; 1 not fixed\n")
