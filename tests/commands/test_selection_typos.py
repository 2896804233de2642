"""A policy selection that names nothing is an error (exit 2) with a did-you-mean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli

EXAMPLE = str(Path(__file__).resolve().parents[2] / "fixtures" / "example")


def _scan(*args: str, config: Path | None = None) -> tuple[int, dict, str]:
    where = ["--config", str(config)] if config else ["--no-config"]
    result = CliRunner().invoke(cli, ["scan", *where, EXAMPLE, "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout or "{}"), result.stderr


def _ran(report: dict) -> set[str]:
    return {f["policy_id"] for f in report["findings"]}


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["--policy", "PAC-S3-01"],
            "error[USAGE]: --policy PAC-S3-01: no policy has this id or name",
            "hint: did you mean PAC-S3-001?",
        ),
        (
            ["--policy", "pac-kms-001"],
            "error[USAGE]: --policy pac-kms-001: no policy has this id or name",
            "hint: did you mean PAC-KMS-001?",
        ),
        (
            ["--skip", "PAC-S4-*"],
            "error[USAGE]: --skip PAC-S4-*: the pattern matches no policy",
            "hint: did you mean PAC-S3-*?",
        ),
        (
            ["--skip", "S3_BUCKET_VERSIONNG"],
            "error[USAGE]: --skip S3_BUCKET_VERSIONNG: no policy has this id or name",
            "hint: did you mean S3_BUCKET_VERSIONING?",
        ),
    ],
)
def test_unknown_policy_option_is_a_usage_error(args: list[str], message: str, hint: str) -> None:
    code, _, err = _scan(*args)
    assert code == 2
    assert f"{message}\n  {hint}" in err


def test_the_rest_of_the_selection_still_runs() -> None:
    code, report, err = _scan("--policy", "PAC-KMS-*", "--policy", "PAC-KMS-0O1")
    assert code == 2
    assert "--policy PAC-KMS-0O1: no policy has this id or name" in err
    assert _ran(report) and all(p.startswith("PAC-KMS-") for p in _ran(report))


def test_a_selection_that_names_policies_is_no_error() -> None:
    code, report, err = _scan("--policy", "PAC-S3-*", "--skip", "S3_BUCKET_VERSIONING")
    assert code in (0, 1), err
    assert "error[" not in err
    assert "PAC-S3-014" not in _ran(report)


@pytest.mark.parametrize(
    ("name", "close"), [("cis-aws-3", "cis-aws-3.0"), ("aws-fbsp", "aws-fsbp")]
)
def test_unknown_framework_suggests_the_closest(name: str, close: str) -> None:
    code, _, err = _scan("--framework", name)
    assert code == 2
    assert f"unknown framework '{name}'; did you mean `{close}`?" in err


def test_config_enable_and_disable_typos_point_at_the_entry(tmp_path: Path) -> None:
    config = tmp_path / ".pacscan.yaml"
    config.write_text(
        "version: 1\n"
        "policies:\n"
        "  enable: [PAC-S3-014, PAC-S3-0144]\n"
        "  disable:\n"
        "    - PAC-EC2-03   # typo\n"
        "    - PAC-S3-001\n",
        encoding="utf-8",
    )
    code, report, err = _scan(config=config)
    assert code == 2
    assert (
        f"{config}:3:24: error[C004]: policies.enable: PAC-S3-0144: no policy has this id or name\n"
        "    enable: [PAC-S3-014, PAC-S3-0144]\n"
        "                         ^^^^^^^^^^^\n"
        "  hint: did you mean PAC-S3-014?"
    ) in err
    assert (
        f"{config}:5:7: error[C004]: policies.disable: PAC-EC2-03: no policy has this id or name\n"
        "      - PAC-EC2-03   # typo\n"
        "        ^^^^^^^^^^\n"
        "  hint: did you mean PAC-EC2-003?"
    ) in err
    assert "PAC-S3-001:" not in err  # an id that exists is fine
    assert _ran(report) <= {"PAC-S3-014"}


def test_config_enable_is_not_checked_when_policy_replaces_it(tmp_path: Path) -> None:
    config = tmp_path / ".pacscan.yaml"
    config.write_text("version: 1\npolicies:\n  enable: [PAC-NOPE-001]\n", encoding="utf-8")
    code, _, err = _scan("--policy", "PAC-KMS-*", config=config)
    assert code in (0, 1), err


def test_the_config_example_in_the_ci_docs_names_real_policies_and_params(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text("utf-8")
    start = doc.index("```yaml\nversion: 1\npolicies:")
    example = doc[start + len("```yaml\n") : doc.index("```", start + 8)]
    (tmp_path / ".pacscan.yaml").write_text(example, encoding="utf-8")
    code, _, err = _scan("-o", str(tmp_path / "out.json"), config=tmp_path / ".pacscan.yaml")
    assert code != 2, err
    assert "error[" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--param", "maximum_access_key_age_dayz=30"],
            "error[P042]: --param maximum_access_key_age_dayz: no selected policy declares a "
            "param `maximum_access_key_age_dayz`; did you mean `maximum_access_key_age_days`?",
        ),
        (
            ["--policy", "PAC-S3-*", "--param", "maximum_access_key_age_days=30"],
            "error[P042]: --param maximum_access_key_age_days: no selected policy declares a "
            "param `maximum_access_key_age_days` (only policies that are not selected declare it)",
        ),
    ],
)
def test_a_param_no_selected_policy_declares_is_an_error(args: list[str], message: str) -> None:
    code, _, err = _scan(*args)
    assert code == 2
    assert message in err
    assert err.count("[P042]") == 1


def test_a_config_param_no_selected_policy_declares_points_at_its_key(tmp_path: Path) -> None:
    config = tmp_path / ".pacscan.yaml"
    config.write_text(
        "version: 1\npolicies:\n  enable: [PAC-S3-014]\n  params:\n    unused_days: 30\n",
        encoding="utf-8",
    )
    code, _, err = _scan(config=config)
    assert code == 2
    assert (
        f"{config}:5:5: error[P042]: policies.params: no selected policy declares a param "
        "`unused_days` (only policies that are not selected declare it)\n"
        "      unused_days: 30\n"
        "      ^^^^^^^^^^^"
    ) in err


def test_a_param_a_selected_policy_declares_is_no_error() -> None:
    code, _, err = _scan("--policy", "PAC-IAM-013", "--param", "maximum_access_key_age_days=30")
    assert code in (0, 1), err
    assert "error[" not in err
