"""Elastic Load Balancing v2: application, network and gateway load balancers, listeners.

Each load balancer carries its attributes (``DescribeLoadBalancerAttributes``) as the
``LoadBalancerAttributes`` key/value list CloudFormation uses, values as the strings AWS
answers. Each listener is an ``AWS::ElasticLoadBalancingV2::Listener`` whose
``LoadBalancerArn`` names its load balancer. An OIDC client secret in an authentication
action is never stored.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, tag_map, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
TYPES = (LOAD_BALANCER, LISTENER)
TAG_BATCH = 20  # DescribeTags takes at most 20 ARNs
REDACTED = {UNKNOWN_KEY: "redacted: client secrets are not collected"}


def collect(ctx: CollectContext) -> None:
    balancers = ctx.pages("DescribeLoadBalancers", "LoadBalancers", lists=TYPES).items()
    tags = _tags(ctx, [lb["LoadBalancerArn"] for lb in balancers])
    for balancer in balancers:
        _collect_load_balancer(ctx, balancer, tags.get(balancer["LoadBalancerArn"]))


def _tags(ctx: CollectContext, arns: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), TAG_BATCH):
        answer = ctx.call("DescribeTags", ResourceArns=arns[start : start + TAG_BATCH])
        for description in (answer.data or {}).get("TagDescriptions") or []:
            found[description["ResourceArn"]] = tag_map(description.get("Tags"))
    return found


def _collect_load_balancer(
    ctx: CollectContext, balancer: dict[str, Any], tags: dict[str, str] | None
) -> None:
    balancer_arn = balancer["LoadBalancerArn"]
    props = load_balancer_properties(balancer)
    attributes = ctx.call("DescribeLoadBalancerAttributes", LoadBalancerArn=balancer_arn)
    fill(props, "LoadBalancerAttributes", attributes, _attributes)
    tags = tags or {}
    name = balancer["LoadBalancerName"]
    ctx.add(LOAD_BALANCER, balancer_arn, name, with_tags(props, tags), tags=tags)
    listing = ctx.pages(
        "DescribeListeners", "Listeners", LoadBalancerArn=balancer_arn, lists=(LISTENER,)
    )
    for listener in listing.items():
        listener_arn = listener["ListenerArn"]
        ctx.add(
            LISTENER, listener_arn, listener_arn.rsplit("/", 1)[-1], listener_properties(listener)
        )


def load_balancer_properties(balancer: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeLoadBalancers`` entry in the shape of ``…V2::LoadBalancer``."""
    zones = balancer.get("AvailabilityZones") or []
    props: dict[str, Any] = drop_none(
        {
            "Name": balancer.get("LoadBalancerName"),
            "Type": balancer.get("Type"),
            "Scheme": balancer.get("Scheme"),
            "IpAddressType": balancer.get("IpAddressType"),
            "SecurityGroups": balancer.get("SecurityGroups"),
        }
    )
    props["Subnets"] = [zone["SubnetId"] for zone in zones if zone.get("SubnetId")]
    return props


def _attributes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"Key": a.get("Key"), "Value": a.get("Value")}
        for a in data.get("Attributes") or []
        if a.get("Key")
    ]


def listener_properties(listener: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeListeners`` entry in the shape of ``…V2::Listener``."""
    props: dict[str, Any] = drop_none(
        {
            "LoadBalancerArn": listener.get("LoadBalancerArn"),
            "Port": listener.get("Port"),
            "Protocol": listener.get("Protocol"),
            "SslPolicy": listener.get("SslPolicy"),
            "AlpnPolicy": listener.get("AlpnPolicy"),
        }
    )
    certificates = [
        {"CertificateArn": c["CertificateArn"]}
        for c in listener.get("Certificates") or []
        if c.get("CertificateArn")
    ]
    if certificates:
        props["Certificates"] = certificates
    props["DefaultActions"] = [_action(a) for a in listener.get("DefaultActions") or []]
    return props


def _action(action: dict[str, Any]) -> dict[str, Any]:
    shaped = dict(action)
    oidc = shaped.get("AuthenticateOidcConfig")
    if isinstance(oidc, dict) and "ClientSecret" in oidc:
        shaped["AuthenticateOidcConfig"] = {**oidc, "ClientSecret": dict(REDACTED)}
    return shaped


COLLECTORS = (Collector("elbv2.load_balancers", "elbv2", REGIONAL, collect, TYPES),)
