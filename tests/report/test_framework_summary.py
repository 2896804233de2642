"""A framework control counts only the findings that concern it: CIS 5.2 (0.0.0.0/0) and
5.3 (::/0) judge one address family each, so a group open to one family fails one."""

from __future__ import annotations

from pathlib import Path

from scanner.catalogue import ControlResult, Verdict, compliance_summary, render_summary
from scanner.pipeline import ScanRequest, compile_policies, run_scan

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
    policies = compile_policies([], {}, frozenset(ids))
    result = run_scan(ScanRequest(paths=(str(tmp_path),), root=str(tmp_path)), policies)
    summary = compliance_summary("cis-aws-3.0", result.findings)
    failing: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.status.value == "fail":
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
    from scanner.catalogue import load_framework

    controls = {c.id: c for c in load_framework("cis-aws-3.0").controls}
    assert "0.0.0.0/0" in controls["5.2"].title and "::/0" in controls["5.3"].title
    assert not set(controls["5.2"].policies) & set(controls["5.3"].policies)
