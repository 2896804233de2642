"""A framework control counts only the findings that concern it: CIS 5.2 (0.0.0.0/0) and
5.3 (::/0) judge one address family each, so a group open to one family fails one; FSBP
ES.1 and Opensearch.1 share a policy but each judges one resource type."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.catalogue import (
    ControlResult,
    Verdict,
    compliance_summary,
    load_catalogue,
    load_framework,
    parse_framework,
    render_summary,
)
from scanner.errors import PolicyError
from scanner.model import Finding, PolicyInfo, Resource, Severity, Status
from scanner.pipeline import Run, ScanRequest, run_scan, select_policies

TEMPLATE = """\
Resources:
  SshOverIpv4:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere on IPv4
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  RdpOverIpv6:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-0123456789abcdef0
      IpProtocol: tcp
      FromPort: 3389
      ToPort: 3389
      CidrIpv6: ::/0
  Private:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: office only
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: "2001:db8::/32"}
"""


def _results(tmp_path: Path) -> tuple[dict[str, ControlResult], str, dict[str, set[str]]]:
    (tmp_path / "groups.yaml").write_text(TEMPLATE, encoding="utf-8")
    ids = ("PAC-EC2-001", "PAC-EC2-002", "PAC-EC2-021", "PAC-EC2-022")
    policies = select_policies(Run(only=ids))
    result = run_scan(ScanRequest(paths=(str(tmp_path),), root=str(tmp_path)), policies)
    summary = compliance_summary("cis-aws-3.0", result.findings)
    failing: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.status is Status.FAIL:
            failing.setdefault(finding.policy.id, set()).add(finding.resource.id)
    by_id = {r.control.id: r for r in summary.results}
    return by_id, render_summary(summary), failing


def test_each_address_family_fails_only_its_own_control(tmp_path: Path) -> None:
    controls, _, failing = _results(tmp_path)
    assert failing == {"PAC-EC2-001": {"SshOverIpv4"}, "PAC-EC2-022": {"RdpOverIpv6"}}
    ipv4, ipv6 = controls["5.2"], controls["5.3"]
    assert (ipv4.verdict, ipv4.failed) == (Verdict.FAILED, 1)
    assert (ipv6.verdict, ipv6.failed) == (Verdict.FAILED, 1)


def test_the_summary_text_counts_one_finding_per_control(tmp_path: Path) -> None:
    _, text, _ = _results(tmp_path)
    lines = [line.split() for line in text.splitlines()]
    counts = {words[1]: words[-2:] for words in lines if words[:1] == ["failed"]}
    assert counts["5.2"] == ["(1", "finding)"]
    assert counts["5.3"] == ["(1", "finding)"]


def test_cis_controls_for_different_address_families_share_no_policy() -> None:
    controls = {c.id: c for c in load_framework("cis-aws-3.0").controls}
    assert "0.0.0.0/0" in controls["5.2"].title and "::/0" in controls["5.3"].title
    assert not set(controls["5.2"].policies) & set(controls["5.3"].policies)


def _finding(policy: str, kind: str, rid: str, status: Status) -> Finding:
    info = PolicyInfo(policy, policy, policy, Severity.HIGH, (kind,))
    return Finding(info, Resource(kind, rid, {"Type": kind}), status, "")


def test_a_control_about_one_resource_type_counts_only_its_findings() -> None:
    findings = [
        _finding("PAC-OPENSEARCH-001", "AWS::Elasticsearch::Domain", "Old", Status.FAIL),
        _finding("PAC-OPENSEARCH-001", "AWS::OpenSearchService::Domain", "New", Status.PASS),
    ]
    controls = {r.control.id: r for r in compliance_summary("aws-fsbp", findings).results}
    assert (controls["ES.1"].verdict, controls["ES.1"].failed) == (Verdict.FAILED, 1)
    assert (controls["Opensearch.1"].verdict, controls["Opensearch.1"].passed) == (
        Verdict.PASSED,
        1,
    )
    assert controls["Opensearch.1"].failed == 0


@pytest.mark.parametrize("name", ["aws-fsbp", "cis-aws-3.0"])
def test_control_resource_types_are_types_its_policies_check(name: str) -> None:
    targets = {p.id: set(p.resource_types) for p in load_catalogue().policies}
    for control in load_framework(name).controls:
        covered = (
            set().union(*(targets[p] for p in control.policies)) if control.policies else set()
        )
        assert set(control.resource_types) <= covered, control.id


def test_resource_types_must_be_a_list_of_types() -> None:
    data = {
        "framework": "x",
        "title": "X",
        "version": "1",
        "url": "https://example.com",
        "controls": [{"id": "1", "title": "t", "policies": ["P"], "resource_types": "AWS::S3"}],
    }
    with pytest.raises(PolicyError, match="resource_types"):
        parse_framework(data, "x.yaml")
