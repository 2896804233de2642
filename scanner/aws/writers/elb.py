"""Classic Load Balancer writers: cross-zone balancing, connection draining
(``scanner.aws.elb``), both through ``ModifyLoadBalancerAttributes``."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting

BALANCER = "AWS::ElasticLoadBalancing::LoadBalancer"
PERMISSIONS = (
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
)


def _cross_zone(target: Target, new: Any) -> dict[str, Any]:
    attributes = {"CrossZoneLoadBalancing": {"Enabled": bool(new)}}
    return {"LoadBalancerName": target.name, "LoadBalancerAttributes": attributes}


def _draining(target: Target, new: Any) -> dict[str, Any]:
    policy = new or {}
    draining: dict[str, Any] = {"Enabled": bool(policy.get("Enabled"))}
    if policy.get("Timeout") is not None:
        draining["Timeout"] = policy["Timeout"]
    attributes = {"ConnectionDraining": draining}
    return {"LoadBalancerName": target.name, "LoadBalancerAttributes": attributes}


WRITERS = (
    setting(BALANCER, "CrossZone", "elb", "ModifyLoadBalancerAttributes", _cross_zone,
            PERMISSIONS),
    setting(BALANCER, "ConnectionDrainingPolicy", "elb", "ModifyLoadBalancerAttributes",
            _draining, PERMISSIONS),
)  # fmt: skip
