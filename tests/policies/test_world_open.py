"""The one judgement of a world-open range (cidr_is_open) as the security group and
network ACL policies apply it to a template: a /0 block whatever its address part is open,
a value that is not a CIDR block is not (EC2 refuses the rule), and a value not fully
known is unknown, never a pass or a fail."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status
from scanner.pipeline import compile_policies

# (logical id suffix, CidrIp / CidrBlock as YAML, expected status)
CASES = [
    ("Any", '"0.0.0.0/0"', Status.FAIL),
    ("LeadingZeroPrefix", '"0.0.0.0/00"', Status.FAIL),
    ("AddressPartIgnored", '"10.0.0.0/0"', Status.FAIL),
    ("Private", '"10.0.0.0/8"', Status.PASS),
    ("NotACidr", '"nope"', Status.PASS),
    ("PrefixTooLong", '"10.0.0.0/33"', Status.PASS),
    ("Partial", '!Sub "${Cidr}/0"', Status.UNKNOWN),
    ("PartialPrivate", '!Sub "10.${Octet}.0.0/16"', Status.UNKNOWN),
    ("Unknown", "!Ref Cidr", Status.UNKNOWN),
]


def _template() -> bytes:
    lines = ["Parameters:", "  Cidr: {Type: String}", "  Octet: {Type: String}", "Resources:"]
    for name, cidr, _ in CASES:
        lines += [
            f"  Rule{name}:",
            "    Type: AWS::EC2::SecurityGroupIngress",
            "    Properties: {GroupId: sg-1, IpProtocol: tcp, FromPort: 22, ToPort: 22, "
            f"CidrIp: {cidr}}}",
            f"  Entry{name}:",
            "    Type: AWS::EC2::NetworkAclEntry",
            "    Properties: {NetworkAclId: acl-1, RuleNumber: 100, Protocol: 6, "
            f"RuleAction: allow, PortRange: {{From: 22, To: 22}}, CidrBlock: {cidr}}}",
        ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def statuses() -> dict[tuple[str, str], Status]:
    program = compile_policies([], {}, frozenset({"PAC-EC2-001", "PAC-EC2-012"})).program
    loaded = load("t.yaml", _template(), LoadOptions())
    assert loaded.errors == ()
    found = evaluate(program, loaded.resources, now=datetime.now(timezone.utc))
    return {(f.policy.id, f.resource.id): f.status for f in found}


@pytest.mark.parametrize(("name", "cidr", "expected"), CASES, ids=[c[0] for c in CASES])
def test_security_group_rule_open_to_the_world(
    statuses: dict[tuple[str, str], Status], name: str, cidr: str, expected: Status
) -> None:
    assert statuses[("PAC-EC2-001", f"Rule{name}")] is expected


@pytest.mark.parametrize(("name", "cidr", "expected"), CASES, ids=[c[0] for c in CASES])
def test_network_acl_entry_open_to_the_world(
    statuses: dict[tuple[str, str], Status], name: str, cidr: str, expected: Status
) -> None:
    assert statuses[("PAC-EC2-012", f"Entry{name}")] is expected
