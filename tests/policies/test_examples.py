"""The built-in policies' own examples, run as `pacscan test` runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.engine.program import Program
from scanner.lang.sources import builtin_policy_dir
from scanner.model import Status
from scanner.policyset.examples import run_examples

# Policies whose only inputs are relations: related() does not report an UNKNOWN
# reference as unknown, so no example can produce that status for them.
NO_UNKNOWN_EXAMPLE = {
    "PAC-APIGATEWAY-005": "judges only whether a WebACLAssociation refers to the stage",
    "PAC-SECRETSMANAGER-001": "judges only whether a RotationSchedule refers to the secret",
}


def test_pacscan_test_passes_on_the_builtin_policies() -> None:
    result = CliRunner().invoke(cli, ["test", str(builtin_policy_dir())])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(" passed, 0 failed")
    assert "policies without examples" not in result.output


def test_every_example_gives_its_expected_result(program: Program) -> None:
    failures = [
        f"{r.location}: {r.policy.id}: {r.explain()}" for r in run_examples(program) if not r.ok
    ]
    assert failures == []


def _statuses(program: Program) -> dict[str, set[Status]]:
    return {cp.info.id: {example.status for example in cp.examples} for cp in program.policies}


def test_every_policy_has_passing_and_failing_examples(program: Program) -> None:
    missing = {
        pid: sorted(s.value for s in {Status.PASS, Status.FAIL} - statuses)
        for pid, statuses in _statuses(program).items()
        if not {Status.PASS, Status.FAIL} <= statuses
    }
    assert missing == {}


def test_every_policy_has_an_unknown_example(program: Program) -> None:
    without = {pid for pid, s in _statuses(program).items() if Status.UNKNOWN not in s}
    assert without == set(NO_UNKNOWN_EXAMPLE)


@pytest.mark.parametrize("policy_id", sorted(NO_UNKNOWN_EXAMPLE))
def test_policies_excused_from_unknown_examples_exist(program: Program, policy_id: str) -> None:
    assert program.get(policy_id) is not None


def test_policy_files_hold_one_policy_each(program: Program) -> None:
    files = [cp.info.source.file for cp in program.policies if cp.info.source is not None]
    assert len(files) == len(set(files)) == len(program.policies)
    assert all(Path(f).suffix == ".policy" for f in files)
