"""Elastic Load Balancing v2 writer: a load balancer's attributes (``scanner.aws.elbv2``),
the ``LoadBalancerAttributes`` key/value list, through ``ModifyLoadBalancerAttributes``.

Only the attributes whose value changes are sent. An attribute the new list no longer
holds (an undo of one a fix added) goes back to the default AWS documents for it; one
without a documented default here is left as it is. Two lists are the same setting when
they agree on every attribute, one that only one of them lists being at its default.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Call, PropertyWriter, Target

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
PERMISSIONS = (
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
)
# The defaults AWS documents for the attributes the built-in fixes set.
DEFAULTS = {
    "deletion_protection.enabled": "false",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.desync_mitigation_mode": "defensive",
}


def _values(attributes: Any) -> dict[str, Any]:
    if type(attributes) is not list:
        return {}
    return {
        a["Key"]: a.get("Value")
        for a in attributes
        if type(a) is dict and isinstance(a.get("Key"), str)
    }


def _write(target: Target, old: Any, new: Any) -> list[Call]:
    before, after = _values(old), _values(new)
    changed = [{"Key": k, "Value": str(v)} for k, v in after.items() if before.get(k) != v]
    changed += [
        {"Key": k, "Value": DEFAULTS[k]}
        for k, v in before.items()
        if k not in after and k in DEFAULTS and v != DEFAULTS[k]
    ]
    if not changed:
        return []
    parameters = {"LoadBalancerArn": target.id, "Attributes": changed}
    return [Call("elbv2", "ModifyLoadBalancerAttributes", parameters)]


def _same(a: Any, b: Any) -> bool:
    """Two attribute lists set the same values, in any order; an attribute only one of
    them lists is at its documented default there."""
    first, second = _values(a), _values(b)
    for key in first.keys() | second.keys():
        missing = DEFAULTS.get(key)
        if first.get(key, missing) != second.get(key, missing):
            return False
    return True


WRITERS = (
    PropertyWriter(
        LOAD_BALANCER,
        "LoadBalancerAttributes",
        _write,
        PERMISSIONS,
        undo_note="an attribute the change added goes back to its documented default",
        approximate_undo=True,
        equal=_same,
    ),
)
