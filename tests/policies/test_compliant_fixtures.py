"""False positives: the compliant fixtures satisfy every built-in policy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from scanner.catalogue import Verdict, compliance_summary
from scanner.discovery import discover
from scanner.engine.evaluate import evaluate
from scanner.engine.program import Program
from scanner.loaders import LoadOptions, load_inputs
from scanner.model import Finding, Status

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "compliant"
PIPELINE = {"AWS::AccountId": "111122223333", "AWS::Region": "eu-west-1", "AWS::Partition": "aws"}
NOW = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)


def _scan(program: Program, parameters: Mapping[str, Any]) -> list[Finding]:
    found = discover([str(FIXTURES)])
    assert found.errors == []
    loaded = load_inputs(found.files, LoadOptions(parameters=parameters, jobs=1))
    assert loaded.errors == []
    assert loaded.skipped == 0
    return evaluate(program, loaded.resources, now=NOW)


@pytest.fixture(scope="module")
def findings(program: Program) -> list[Finding]:
    return _scan(program, PIPELINE)


def _bad(findings: list[Finding], *statuses: Status) -> list[str]:
    return [
        f"{f.status.value} {f.policy.id} {f.resource.id}: {f.message}"
        for f in findings
        if f.status in statuses
    ]


def test_compliant_fixtures_have_no_failed_or_unknown_findings(findings: list[Finding]) -> None:
    assert _bad(findings, Status.FAIL, Status.UNKNOWN, Status.ERROR) == []


def test_every_builtin_policy_passes_somewhere_in_the_fixtures(
    program: Program, findings: list[Finding]
) -> None:
    passing = {f.policy.id for f in findings if f.status is Status.PASS}
    assert sorted(p.info.id for p in program.policies if p.info.id not in passing) == []


def test_without_pseudo_parameters_nothing_fails(program: Program) -> None:
    findings = _scan(program, {})
    # Key policies whose principal is !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
    # stay partial strings, which are known not to be "*": nothing is unknown either.
    assert _bad(findings, Status.FAIL, Status.UNKNOWN, Status.ERROR) == []


@pytest.mark.parametrize("framework", ["aws-fsbp", "cis-aws-3.0"])
def test_no_framework_control_fails_on_the_fixtures(
    framework: str, findings: list[Finding]
) -> None:
    summary = compliance_summary(framework, findings)
    assert summary.count(Verdict.FAILED) == summary.count(Verdict.UNKNOWN) == 0
    assert summary.count(Verdict.PASSED) > 20
