"""Security group writer: ingress rules (``scanner.aws.vpc``), revoked or authorized one
rule at a time, in the API shape the collector flattened them from.

The remedy, for every security group policy without a fix clause, revokes only
world-open rules (``0.0.0.0/0``, ``::/0``), and of those only the ones the policy needs
gone: each world-open rule is kept when the policy still passes with it (a world-open
HTTPS rule stays when the policy is about SSH). Every other rule stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.aws.writers.base import Call, Edit, Judge, PropertyWriter, Remedy, Target, target_of
from scanner.model import Resource

GROUP_TYPE = "AWS::EC2::SecurityGroup"
WORLD = ("0.0.0.0/0", "::/0")
MAX_RULES = 250  # more rules than a group can hold: the remedy is not tried


def _permission(rule: Mapping[str, Any]) -> dict[str, Any]:
    """One CloudFormation rule as an API ``IpPermissions`` entry."""
    permission: dict[str, Any] = {"IpProtocol": str(rule.get("IpProtocol", "-1"))}
    if permission["IpProtocol"] != "-1":
        permission["FromPort"] = rule.get("FromPort")
        permission["ToPort"] = rule.get("ToPort")
    item: dict[str, Any] = {}
    if rule.get("Description"):
        item["Description"] = rule["Description"]
    if rule.get("CidrIp"):
        permission["IpRanges"] = [{"CidrIp": rule["CidrIp"], **item}]
    elif rule.get("CidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"], **item}]
    elif rule.get("SourcePrefixListId"):
        permission["PrefixListIds"] = [{"PrefixListId": rule["SourcePrefixListId"], **item}]
    elif rule.get("SourceSecurityGroupId"):
        pair = {"GroupId": rule["SourceSecurityGroupId"], **item}
        if rule.get("SourceSecurityGroupOwnerId"):
            pair["UserId"] = rule["SourceSecurityGroupOwnerId"]
        permission["UserIdGroupPairs"] = [pair]
    return permission


def _ingress(target: Target, old: Any, new: Any) -> list[Call]:
    before, after = list(old or []), list(new or [])
    group = target.name or target.id.rsplit("/", 1)[-1]
    gone = [_permission(r) for r in before if r not in after]
    added = [_permission(r) for r in after if r not in before]
    calls = []
    if gone:
        calls.append(Call("ec2", "RevokeSecurityGroupIngress",
                          {"GroupId": group, "IpPermissions": gone}, dry_run=True))  # fmt: skip
    if added:
        calls.append(Call("ec2", "AuthorizeSecurityGroupIngress",
                          {"GroupId": group, "IpPermissions": added}, dry_run=True))  # fmt: skip
    return calls


def _world_open(rule: Any) -> bool:
    return type(rule) is dict and (rule.get("CidrIp") in WORLD or rule.get("CidrIpv6") in WORLD)


def close_world_open(
    resource: Resource, _: Mapping[str, Resource], judge: Judge
) -> list[Edit] | str:
    props = dict(resource.properties)
    rules = props.get("SecurityGroupIngress")
    if type(rules) is not list or len(rules) > MAX_RULES:
        return "value would be guessed: the group's ingress rules could not be read"
    open_rules = [n for n, rule in enumerate(rules) if _world_open(rule)]

    def passes(dropped: set[int]) -> bool:
        kept = [rule for n, rule in enumerate(rules) if n not in dropped]
        return judge({**props, "SecurityGroupIngress": kept}) == "pass"

    dropped = set(open_rules)
    if not open_rules or not passes(dropped):
        return "value would be guessed: revoking world-open rules does not make the policy pass"
    for number in open_rules:  # keep each world-open rule the policy does not object to
        if passes(dropped - {number}):
            dropped.discard(number)
    after = [rule for n, rule in enumerate(rules) if n not in dropped]
    return [Edit(target_of(resource), "SecurityGroupIngress", rules, after)]


WRITERS = (
    PropertyWriter(GROUP_TYPE, "SecurityGroupIngress", _ingress,
                   ("ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress",
                    "ec2:AuthorizeSecurityGroupIngress"), unordered=True),
)  # fmt: skip

REMEDIES = (
    Remedy(GROUP_TYPE, close_world_open,
           "revokes the world-open ingress rules (0.0.0.0/0, ::/0) the policy objects to; "
           "every other rule is kept"),
)  # fmt: skip
