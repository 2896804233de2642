from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.catalogue import framework_policy_ids
from scanner.cli import cli

EXAMPLE = str(Path(__file__).resolve().parents[2] / "fixtures" / "example")


def _scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["scan", "--no-config", EXAMPLE, *args])
    return result.exit_code, result.stdout, result.stderr


def test_framework_runs_only_its_policies() -> None:
    code, out, _ = _scan("--framework", "cis-aws-3.0", "--format", "json")
    ids = {f["policy_id"] for f in json.loads(out)["findings"]}
    assert ids, "the example has CIS findings"
    assert ids <= framework_policy_ids("cis-aws-3.0")
    assert code == 1


def test_framework_summary_follows_text_output() -> None:
    _, out, _ = _scan("--framework", "cis-aws-3.0")
    summary = out[out.index("CIS AWS Foundations Benchmark") :]
    assert "failed   3.6 " in summary  # the example's KMS key does not rotate


def test_framework_summary_goes_to_stderr_for_machine_formats() -> None:
    _, out, err = _scan("--framework", "cis-aws-3.0", "--format", "json")
    json.loads(out)
    assert "CIS AWS Foundations Benchmark" in err


@pytest.mark.parametrize("name", ["nope", "CIS"])
def test_unknown_framework_is_a_usage_error(name: str) -> None:
    code, _, err = _scan("--framework", name)
    assert code == 2
    assert "unknown framework" in err
