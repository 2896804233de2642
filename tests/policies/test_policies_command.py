"""`pacscan policies list|show|frameworks`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scanner.cli import cli, main


def test_list_json_has_one_entry_per_policy_with_the_documented_fields() -> None:
    result = CliRunner().invoke(cli, ["policies", "list", "--format", "json"])
    assert result.exit_code == 0
    entries = json.loads(result.output)
    first = next(e for e in entries if e["id"] == "PAC-S3-001")
    assert first == {
        "id": "PAC-S3-001",
        "title": "S3 buckets encrypt new objects with a KMS key by default",
        "severity": "low",
        "resource_types": ["AWS::S3::Bucket"],
        "controls": ["aws-securityhub:S3.17", "nist-800-53-r5:SC-28(1)"],
        "equivalents": ["checkov:CKV_AWS_145", "cfn-guard:S3_DEFAULT_ENCRYPTION_KMS"],
        "has_fix": True,
        "live": True,
        "terraform": True,
        "source": "aws/s3/bucket_default_encryption.policy",
    }
    assert len(entries) == len({e["id"] for e in entries})


def test_list_framework_keeps_only_the_policies_that_cover_it() -> None:
    result = CliRunner().invoke(
        cli, ["policies", "list", "--framework", "cis-aws-3.0", "--format", "json"]
    )
    ids = {e["id"] for e in json.loads(result.output)}
    assert "PAC-S3-006" in ids and "PAC-S3-001" not in ids
    assert all(
        any(c.startswith("cis-aws-3.0:") for c in e["controls"]) for e in json.loads(result.output)
    )


def test_list_table_shows_id_severity_fix_live_and_title() -> None:
    result = CliRunner().invoke(cli, ["policies", "list"])
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "FIX", "LIVE", "TITLE"]
    row = next(line for line in lines if line.startswith("PAC-KMS-001 "))
    assert row.split()[1:5] == ["medium", "yes", "yes", "KMS"]


def test_list_of_a_custom_policy_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "own.policy").write_text(
        'policy OWN { id = "ACME-S3-001" title = "own" severity = low controls = ["own:1"]\n'
        "  resource AWS::S3::Bucket\n  assert Properties exists }\n"
    )
    result = CliRunner().invoke(
        cli, ["policies", "list", "--policies", str(tmp_path), "--format", "json"]
    )
    assert [e["id"] for e in json.loads(result.output)] == ["ACME-S3-001"]
    assert json.loads(result.output)[0]["source"] == "own.policy"


def test_show_prints_metadata_fix_and_help() -> None:
    result = CliRunner().invoke(cli, ["policies", "show", "pac-kms-001"])
    assert result.exit_code == 0
    assert result.output.startswith(
        "PAC-KMS-001  KMS keys rotate their key material automatically\n"
    )
    assert "Controls:    cis-aws-3.0:3.6, aws-securityhub:KMS.4\n" in result.output
    assert "Fix:         sets Properties.EnableKeyRotation to true\n" in result.output
    assert "aws kms enable-key-rotation" in result.output


def test_show_unknown_id_is_one_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["policies", "show", "PAC-KMS-01"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error[USAGE]: no policy with id 'PAC-KMS-01'; did you mean `PAC-KMS-001`?"
    )
    assert "Traceback" not in err


def test_frameworks_prints_coverage_per_level() -> None:
    result = CliRunner().invoke(cli, ["policies", "frameworks"])
    assert result.exit_code == 0
    assert "cis-aws-3.0: CIS AWS Foundations Benchmark v3.0.0" in result.output
    assert "resource-level" in result.output and "manual-level" in result.output


def test_frameworks_name_lists_controls_and_their_policies() -> None:
    result = CliRunner().invoke(cli, ["policies", "frameworks", "cis-aws-3.0"])
    assert "  2.1.1  resource  PAC-S3-006" in result.output
    assert "  5.5    manual    not covered" in result.output
