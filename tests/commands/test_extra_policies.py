"""``--extra-policies`` (and the config's ``policies.extra``) adds to the built-in library;
``--policies`` still replaces it; ``pacscan policies params`` lists every param."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "fixtures" / "example")

TEAM_POLICY = """\
param required_owner: string = "platform"

policy TEAM_BUCKET_OWNER {
  id       = "TEAM-S3-001"
  title    = "Team buckets name their owner"
  severity = medium
  resource AWS::S3::Bucket

  assert any Properties.Tags[? @.Key == "owner"] as t: t.Value == required_owner
    else "bucket {id} is not owned by the owner team"

  example pass { Properties: { Tags: [{ Key: "owner", Value: "platform" }] } }
  example fail at Properties { Properties: { } }
}
"""

CLASH = """\
policy MY_ENCRYPTION {
  id       = "PAC-S3-001"
  title    = "A second policy with a built-in id"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName exists else "bucket {id} has no name"
}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def policy_ids(report: str) -> set[str]:
    return {f["policy_id"] for f in json.loads(report)["findings"]}


@pytest.fixture
def team(tmp_path: Path) -> Path:
    directory = tmp_path / "team"
    directory.mkdir()
    (directory / "owner.policy").write_text(TEAM_POLICY, encoding="utf-8")
    return directory


def test_extra_policies_add_to_the_built_in_library(team: Path) -> None:
    _, builtin, _ = run("scan", "--no-config", EXAMPLE, "--format", "json")
    code, added, err = run(
        "scan", "--no-config", EXAMPLE, "--format", "json", "--extra-policies", str(team)
    )
    assert code == 1, err
    assert policy_ids(added) == policy_ids(builtin) | {"TEAM-S3-001"}


def test_policies_still_replace_the_library(team: Path) -> None:
    code, out, err = run(
        "scan", "--no-config", EXAMPLE, "--format", "json", "--policies", str(team)
    )
    assert code == 1, err
    assert policy_ids(out) == {"TEAM-S3-001"}


def test_an_extra_policy_with_a_built_in_id_is_an_error_and_the_rest_runs(
    team: Path,
) -> None:
    (team / "clash.policy").write_text(CLASH, encoding="utf-8")
    code, out, err = run(
        "scan", "--no-config", EXAMPLE, "--format", "json", "--extra-policies", str(team)
    )
    assert code == 2
    where = f"{team / 'clash.policy'}:2:14"
    assert f"{where}: error[P024]: policy id PAC-S3-001 is already used by" in err
    assert "S3_BUCKET_DEFAULT_ENCRYPTION" in err
    assert "hint: --extra-policies adds to the library, which keeps its own ids" in err
    ids = policy_ids(out)
    assert {"TEAM-S3-001", "PAC-S3-001"} <= ids  # the built-in kept its id and ran
    findings = json.loads(out)["findings"]
    assert not [f for f in findings if f["title"] == "A second policy with a built-in id"]


def test_the_config_file_adds_extra_policies(team: Path, tmp_path: Path) -> None:
    config = tmp_path / ".pacscan.yaml"
    config.write_text("version: 1\npolicies:\n  extra: [team/]\n", encoding="utf-8")
    code, out, err = run("scan", "--config", str(config), EXAMPLE, "--format", "json")
    assert code == 1, err
    assert "TEAM-S3-001" in policy_ids(out) and "PAC-KMS-001" in policy_ids(out)


def test_a_config_found_upward_keeps_extra_policies_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".pacscan.yaml").write_text(
        "version: 1\npolicies:\n  extra: [../elsewhere/]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = run("scan", EXAMPLE)
    assert code == 2
    assert "error[C005]: policies.extra[0]: extra policy path '../elsewhere/' leads out" in err


def test_params_lists_defaults_and_the_policies_that_use_them(team: Path) -> None:
    code, out, err = run("policies", "params", "--format", "json", "--extra-policies", str(team))
    assert code == 0, err
    by_name = {(p["name"], p["default"].__repr__()): p for p in json.loads(out)}
    team_param = by_name[("required_owner", "'platform'")]
    assert team_param["policies"] == ["TEAM-S3-001"] and team_param["type"] == "string"
    age = by_name[("maximum_access_key_age_days", "90")]
    assert age["policies"] == ["PAC-IAM-013"] and age["type"] == "number"
    assert all(p["policies"] for p in by_name.values())  # every built-in param is used


def test_params_table_shows_each_param_once_per_file() -> None:
    code, out, _ = run("policies", "params")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["PARAM", "TYPE", "DEFAULT", "POLICIES"]
    row = next(line for line in lines if line.startswith("maximum_access_key_age_days "))
    assert row.split() == ["maximum_access_key_age_days", "number", "90", "PAC-IAM-013"]
