"""Evaluation work per (policy, resource): def results are reused, and a step budget ends
work that would otherwise run for hours."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.engine.context import MAX_STEPS
from scanner.engine.evaluate import GIVE_UP_AFTER, evaluate
from scanner.model import UNKNOWN, Finding, Resource, Status
from scanner.policyset.compiler import PolicySource, compile_sources

THING = "Custom::Thing"  # a type without a schema: policies may read any property
HEADER = '  id = "PAC-T-{n}"  title = "t"  severity = low\n  resource ' + THING + "\n"


def _run(source: str, *bodies: dict[str, Any]) -> list[Finding]:
    result = compile_sources([PolicySource("t.policy", source)])
    assert result.ok, result.diagnostics
    resources = [
        Resource(THING, f"T{n}", {"Type": THING, "Properties": body})
        for n, body in enumerate(bodies)
    ]
    return evaluate(result.program, resources)


def _policy(body: str, n: int = 1) -> str:
    return "policy P" + str(n) + " {\n" + HEADER.format(n=n) + body + "\n}\n"


def test_a_def_called_with_different_arguments_gives_each_its_own_result() -> None:
    source = "def big(x) = x > 10\n" + _policy(
        "  assert big(Properties.A) and not big(Properties.B)"
    )
    statuses = [f.status for f in _run(source, {"A": 11, "B": 3}, {"A": 11, "B": 12})]
    assert statuses == [Status.PASS, Status.FAIL]


def test_def_results_are_not_carried_from_one_resource_to_the_next() -> None:
    source = 'def named(x) = x.BucketName == "logs"\n' + _policy("  assert named(Properties)")
    findings = _run(source, {"BucketName": "logs"}, {"BucketName": "data"}, {"BucketName": "logs"})
    assert [f.status for f in findings] == [Status.PASS, Status.FAIL, Status.PASS]


@pytest.mark.parametrize("levels", [10, 31])
def test_chained_defs_cost_one_call_per_def(levels: int) -> None:
    defs = ["def d0(x) = x.A == 1"]
    defs += [f"def d{n}(x) = d{n - 1}(x) and d{n - 1}(x)" for n in range(1, levels)]
    source = "\n".join(defs) + "\n" + _policy(f"  assert d{levels - 1}(Properties)")
    assert [f.status for f in _run(source, {"A": 1}, {"A": 2})] == [Status.PASS, Status.FAIL]


def test_the_budget_is_per_policy_and_resource() -> None:
    # 600 x 600 bodies is over the budget; 300 x 300 is under it, and the budget of one
    # pair does not run down the next.
    nested = "  assert all Properties.L[*] as a: all Properties.L[*] as b: a >= 0 and b >= 0"
    source = _policy(nested, 1) + _policy(nested, 2)
    findings = _run(source, {"L": list(range(600))}, {"L": list(range(300))})
    assert [f.status for f in findings] == [Status.ERROR, Status.ERROR, Status.PASS, Status.PASS]
    assert f"evaluation stopped after {MAX_STEPS:,} steps" in findings[0].message


def test_a_policy_that_keeps_running_out_is_not_run_on_the_rest() -> None:
    nested = "  assert all Properties.L[*] as a: all Properties.L[*] as b: a >= 0 and b >= 0"
    cheap = "  assert Properties.L is not empty"
    bodies = [{"L": list(range(600))}] * (GIVE_UP_AFTER + 5)
    findings = _run(_policy(nested, 1) + _policy(cheap, 2), *bodies)
    heavy = [f for f in findings if f.policy.id == "PAC-T-1"]
    assert all(f.status is Status.ERROR for f in heavy)
    assert sum("evaluation stopped" in f.message for f in heavy) == GIVE_UP_AFTER
    assert sum("not evaluated" in f.message for f in heavy) == 5
    assert all(f.status is Status.PASS for f in findings if f.policy.id == "PAC-T-2")


def test_membership_in_a_large_list_counts_its_elements() -> None:
    body = "  assert all Properties.L[*] as a: a in Properties.L"
    findings = _run(_policy(body), {"L": list(range(1000))}, {"L": list(range(100))})
    assert [f.status for f in findings] == [Status.ERROR, Status.PASS]


def test_unique_counts_its_comparisons() -> None:
    body = "  assert len(unique(Properties.L)) > 0"
    findings = _run(_policy(body), {"L": list(range(1000))}, {"L": list(range(100))})
    assert [f.status for f in findings] == [Status.ERROR, Status.PASS]


def test_related_calls_inside_defs_still_explain_an_unknown() -> None:
    source = (
        "def covered(b) = any related(AWS::S3::BucketPolicy, Properties.Bucket) as p: "
        'p.Properties.PolicyDocument.Version == "2012-10-17"\n'
        + _policy("  assert covered(Properties) and covered(Properties)").replace(
            THING, "AWS::S3::Bucket"
        )
    )
    result = compile_sources([PolicySource("t.policy", source)])
    assert result.ok, result.diagnostics
    bucket = Resource(
        "AWS::S3::Bucket",
        "Logs",
        {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}},
    )
    policy = Resource(
        "AWS::S3::BucketPolicy",
        "Pol",
        {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": UNKNOWN, "PolicyDocument": {}},
        },
    )
    finding = evaluate(result.program, [bucket, policy])[0]
    assert finding.status is Status.UNKNOWN
    assert "Properties.Bucket of AWS::S3::BucketPolicy Pol is unknown" in finding.message
