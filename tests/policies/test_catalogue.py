"""The catalogue: ids, controls, frameworks and the compliance summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.catalogue import (
    Catalogue,
    Control,
    Framework,
    Verdict,
    compliance_summary,
    framework_names,
    framework_policy_ids,
    load_framework,
    parse_framework,
    render_summary,
)
from scanner.errors import PolicyError, UsageError
from scanner.model import Finding, PolicyInfo, Resource, Severity, Status

IDS_FILE = Path(__file__).with_name("policy_ids.txt")
ID_FORMAT = re.compile(r"^PAC-[A-Z0-9]+-\d{3}$")
KNOWN_PREFIXES = ("aws-fsbp:", "cis-aws-3.0:", "aws-securityhub:", "nist-800-53-r5:")


def test_policy_ids_are_unique_and_well_formed(catalogue: Catalogue) -> None:
    ids = [p.id for p in catalogue.policies]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not ID_FORMAT.match(i)] == []


def test_policy_ids_are_locked(catalogue: Catalogue) -> None:
    locked = set(IDS_FILE.read_text(encoding="utf-8").split())
    current = {p.id for p in catalogue.policies}
    removed, added = sorted(locked - current), sorted(current - locked)
    assert (removed, added) == ([], []), (
        f"policy ids changed (removed {removed}, added {added}). Ids are stable: users "
        "suppress and baseline findings by id, so restore a removed or renamed id; for a "
        f"new policy, add its id to {IDS_FILE.name}."
    )


def test_every_policy_names_a_known_control(catalogue: Catalogue) -> None:
    assert [p.id for p in catalogue.policies if not p.controls] == []
    unknown = [
        c for p in catalogue.policies for c in p.controls if not c.startswith(KNOWN_PREFIXES)
    ]
    assert unknown == []


def test_every_policy_has_help_with_cloudformation_and_cli_fixes(catalogue: Catalogue) -> None:
    lacking = [
        p.id
        for p in catalogue.policies
        if not (p.help_url and "**CloudFormation**" in p.help and "**AWS CLI**" in p.help)
    ]
    assert lacking == []


def test_fix_clauses_edit_resource_properties(catalogue: Catalogue) -> None:
    fixes = [(p.id, op) for p in catalogue.policies for op in p.fixes]
    assert len({pid for pid, _ in fixes}) >= 30
    assert [pid for pid, op in fixes if op.path[:1] != ("Properties",)] == []


def test_both_frameworks_ship() -> None:
    assert framework_names() == ["aws-fsbp", "cis-aws-3.0"]


@pytest.mark.parametrize("name", ["aws-fsbp", "cis-aws-3.0"])
def test_framework_mappings_match_policy_controls(catalogue: Catalogue, name: str) -> None:
    framework = catalogue.frameworks[name]
    from_policies: dict[str, set[str]] = {}
    for policy in catalogue.policies:
        for control in policy.controls:
            prefix, _, control_id = control.partition(":")
            if prefix == name:
                from_policies.setdefault(control_id, set()).add(policy.id)
    listed = {c.id: set(c.policies) for c in framework.controls}
    assert sorted(set(from_policies) - set(listed)) == [], (
        "controls missing from the framework file"
    )
    mismatched = {
        cid: (sorted(pols), sorted(from_policies.get(cid, set())))
        for cid, pols in listed.items()
        if pols != from_policies.get(cid, set())
    }
    assert mismatched == {}


def test_framework_policy_ids_select_the_covering_policies() -> None:
    cis = framework_policy_ids("cis-aws-3.0")
    assert {"PAC-S3-006", "PAC-KMS-001", "PAC-EC2-001", "PAC-EC2-002"} <= cis
    assert "PAC-S3-001" not in cis


def test_unknown_framework_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        load_framework("cis-aws-9")
    assert info.value.hint == "known frameworks: aws-fsbp, cis-aws-3.0"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the file must be a mapping"),
        ({"framework": "x", "title": "t", "version": "1", "url": "u"}, "`controls` must be"),
        (
            {
                "framework": "x",
                "title": "t",
                "version": "1",
                "url": "u",
                "controls": [{"id": 1.1, "title": "t"}],
            },
            "`id` must be a non-empty string",
        ),
        (
            {
                "framework": "x",
                "title": "t",
                "version": "1",
                "url": "u",
                "controls": [{"id": "1", "title": "t", "level": "org"}],
            },
            "level must be one of",
        ),
        (
            {
                "framework": "x",
                "title": "t",
                "version": "1",
                "url": "u",
                "controls": [{"id": "1", "title": "t"}, {"id": "1", "title": "u"}],
            },
            "control 1 is listed twice",
        ),
    ],
)
def test_malformed_framework_files_are_reported(data: object, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_framework(data, "frameworks/x.yaml")
    assert message in str(info.value.message)
    assert info.value.message.startswith("frameworks/x.yaml")


def _policy(pid: str) -> PolicyInfo:
    return PolicyInfo(pid, pid, pid, Severity.HIGH, ("AWS::S3::Bucket",))


def _finding(pid: str, status: Status) -> Finding:
    return Finding(_policy(pid), Resource("AWS::S3::Bucket", "B", {}), status, "")


FRAMEWORK = Framework(
    "demo",
    "Demo",
    "1",
    "https://example.com",
    "",
    (
        Control("1", "both policies", "resource", ("P-A-001", "P-B-001")),
        Control("2", "one policy", "resource", ("P-C-001",)),
        Control("3", "undecided", "resource", ("P-D-001",)),
        Control("4", "nothing to check", "resource", ("P-E-001",)),
        Control("5", "uncovered", "account"),
        Control("6", "suppressed", "resource", ("P-F-001",)),
    ),
)


def test_compliance_summary_gives_one_verdict_per_control() -> None:
    findings = [
        _finding("P-A-001", Status.PASS),
        _finding("P-B-001", Status.FAIL),
        _finding("P-C-001", Status.PASS),
        _finding("P-C-001", Status.SKIP),
        _finding("P-D-001", Status.PASS),
        _finding("P-D-001", Status.UNKNOWN),
        _finding("P-F-001", Status.SUPPRESSED),
        _finding("P-Z-001", Status.FAIL),
    ]
    summary = compliance_summary(FRAMEWORK, findings)
    verdicts = {r.control.id: r.verdict for r in summary.results}
    assert verdicts == {
        "1": Verdict.FAILED,
        "2": Verdict.PASSED,
        "3": Verdict.UNKNOWN,
        "4": Verdict.NOT_APPLICABLE,
        "5": Verdict.NOT_COVERED,
        "6": Verdict.PASSED,
    }
    assert summary.as_dict()["totals"] == {
        "passed": 2,
        "failed": 1,
        "unknown": 1,
        "not applicable": 1,
        "not covered": 1,
    }


def test_summary_text_lists_failed_then_unknown_controls() -> None:
    findings = [_finding("P-B-001", Status.FAIL), _finding("P-D-001", Status.ERROR)]
    text = render_summary(compliance_summary(FRAMEWORK, findings))
    lines = text.splitlines()
    assert lines[0] == "Demo: 0 passed, 1 failed, 1 unknown, 3 not applicable, 1 not covered"
    assert lines[1].split() == ["failed", "1", "both", "policies", "(1", "finding)"]
    assert lines[2].split()[:2] == ["unknown", "3"]


def test_summary_of_a_named_framework_uses_the_shipped_file() -> None:
    summary = compliance_summary("cis-aws-3.0", [])
    assert summary.count(Verdict.NOT_COVERED) + summary.count(Verdict.NOT_APPLICABLE) == len(
        summary.results
    )
