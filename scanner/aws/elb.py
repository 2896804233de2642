"""Classic Load Balancers, named as ``AWS::ElasticLoadBalancing::LoadBalancer`` names them.

Listeners, zones and subnets come from ``DescribeLoadBalancers``; cross-zone balancing,
access logs and connection draining from ``DescribeLoadBalancerAttributes``; the
policies (SSL negotiation policies with their ``Reference-Security-Policy``) from
``DescribeLoadBalancerPolicies``. Ports are strings, as CloudFormation types them.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector, fill
from scanner.aws.shapes import arn, drop_none, tag_map, with_tags

TYPES = ("AWS::ElasticLoadBalancing::LoadBalancer",)
TAG_BATCH = 20  # DescribeTags takes at most 20 names
ATTRIBUTE_PROPERTIES = ("CrossZone", "AccessLoggingPolicy", "ConnectionDrainingPolicy")


def collect(ctx: CollectContext) -> None:
    balancers = ctx.pages("DescribeLoadBalancers", "LoadBalancerDescriptions", lists=TYPES).items()
    tags = _tags(ctx, [b["LoadBalancerName"] for b in balancers])
    for balancer in balancers:
        _collect_load_balancer(ctx, balancer, tags.get(balancer["LoadBalancerName"]) or {})


def _tags(ctx: CollectContext, names: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(names), TAG_BATCH):
        answer = ctx.call("DescribeTags", LoadBalancerNames=names[start : start + TAG_BATCH])
        for description in (answer.data or {}).get("TagDescriptions") or []:
            found[description["LoadBalancerName"]] = tag_map(description.get("Tags"))
    return found


def _collect_load_balancer(
    ctx: CollectContext, balancer: dict[str, Any], tags: dict[str, str]
) -> None:
    name = balancer["LoadBalancerName"]
    props = load_balancer_properties(balancer)
    _attributes(props, ctx.call("DescribeLoadBalancerAttributes", LoadBalancerName=name))
    fill(
        props,
        "Policies",
        ctx.call("DescribeLoadBalancerPolicies", LoadBalancerName=name),
        _policies,
    )
    balancer_arn = arn(ctx.partition, "elasticloadbalancing", ctx.region, ctx.account,
                       f"loadbalancer/{name}")  # fmt: skip
    ctx.add(TYPES[0], balancer_arn, name, with_tags(props, tags), tags=tags)


def load_balancer_properties(balancer: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeLoadBalancers`` entry in the shape of the CloudFormation type."""
    props: dict[str, Any] = drop_none(
        {
            "LoadBalancerName": balancer["LoadBalancerName"],
            "Scheme": balancer.get("Scheme"),
            "AvailabilityZones": balancer.get("AvailabilityZones"),
            "Subnets": balancer.get("Subnets"),
            "SecurityGroups": balancer.get("SecurityGroups"),
        }
    )
    props["Listeners"] = [_listener(d) for d in balancer.get("ListenerDescriptions") or []]
    props["Instances"] = [i["InstanceId"] for i in balancer.get("Instances") or []]
    return props


def _listener(description: dict[str, Any]) -> dict[str, Any]:
    listener = description.get("Listener") or {}
    shaped = drop_none(
        {
            "LoadBalancerPort": _text(listener.get("LoadBalancerPort")),
            "InstancePort": _text(listener.get("InstancePort")),
            "Protocol": listener.get("Protocol"),
            "InstanceProtocol": listener.get("InstanceProtocol"),
            "SSLCertificateId": listener.get("SSLCertificateId"),
        }
    )
    if description.get("PolicyNames"):
        shaped["PolicyNames"] = list(description["PolicyNames"])
    return shaped


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _attributes(props: dict[str, Any], answer: Answer) -> None:
    if answer.failed:
        props.update({key: answer.unknown() for key in ATTRIBUTE_PROPERTIES})
        return
    found = (answer.data or {}).get("LoadBalancerAttributes") or {}
    props["CrossZone"] = bool((found.get("CrossZoneLoadBalancing") or {}).get("Enabled"))
    log = found.get("AccessLog") or {}
    props["AccessLoggingPolicy"] = drop_none(
        {
            "Enabled": bool(log.get("Enabled")),
            "S3BucketName": log.get("S3BucketName"),
            "S3BucketPrefix": log.get("S3BucketPrefix"),
            "EmitInterval": log.get("EmitInterval"),
        }
    )
    draining = found.get("ConnectionDraining") or {}
    props["ConnectionDrainingPolicy"] = drop_none(
        {"Enabled": bool(draining.get("Enabled")), "Timeout": draining.get("Timeout")}
    )
    settings = found.get("ConnectionSettings") or {}
    if settings.get("IdleTimeout") is not None:
        props["ConnectionSettings"] = {"IdleTimeout": settings["IdleTimeout"]}


def _policies(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "PolicyName": policy.get("PolicyName"),
            "PolicyType": policy.get("PolicyTypeName"),
            "Attributes": [
                {"Name": a.get("AttributeName"), "Value": a.get("AttributeValue")}
                for a in policy.get("PolicyAttributeDescriptions") or []
            ],
        }
        for policy in data.get("PolicyDescriptions") or []
    ]


COLLECTORS = (Collector("elb.load_balancers", "elb", REGIONAL, collect, TYPES),)
