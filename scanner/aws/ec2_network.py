"""EC2 networking and launch settings: subnets, network ACL entries, transit gateways and
launch templates.

Each network ACL rule becomes an ``AWS::EC2::NetworkAclEntry`` (its ``Protocol`` a number,
as CloudFormation types it). A launch template is collected as its default version's
``LaunchTemplateData``, whose field names are CloudFormation's; its ``UserData`` is never
stored (it often holds secrets), only an unknown marker in its place.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, cfn_tags, drop_none, tag_map, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY

SUBNET = "AWS::EC2::Subnet"
ACL_ENTRY = "AWS::EC2::NetworkAclEntry"
TRANSIT_GATEWAY = "AWS::EC2::TransitGateway"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
TYPES = (SUBNET, ACL_ENTRY, TRANSIT_GATEWAY, LAUNCH_TEMPLATE)
REDACTED = {UNKNOWN_KEY: "redacted: launch template user data is not collected"}
GONE = ("deleting", "deleted")
TRANSIT_OPTIONS = (
    "AmazonSideAsn",
    "AutoAcceptSharedAttachments",
    "DefaultRouteTableAssociation",
    "DefaultRouteTablePropagation",
    "DnsSupport",
    "VpnEcmpSupport",
    "MulticastSupport",
)


def collect(ctx: CollectContext) -> None:
    _subnets(ctx)
    _network_acls(ctx)
    _transit_gateways(ctx)
    _launch_templates(ctx)


def _subnets(ctx: CollectContext) -> None:
    for subnet in ctx.pages("DescribeSubnets", "Subnets", lists=(SUBNET,)).items():
        tags = tag_map(subnet.get("Tags"))
        props = drop_none(
            {
                "VpcId": subnet.get("VpcId"),
                "CidrBlock": subnet.get("CidrBlock"),
                "AvailabilityZone": subnet.get("AvailabilityZone"),
                "MapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch"),
                "AssignIpv6AddressOnCreation": subnet.get("AssignIpv6AddressOnCreation"),
            }
        )
        subnet_arn = subnet.get("SubnetArn") or arn(
            ctx.partition, "ec2", ctx.region, ctx.account, f"subnet/{subnet['SubnetId']}"
        )
        ctx.add(SUBNET, subnet_arn, subnet["SubnetId"], with_tags(props, tags), tags=tags)


def _network_acls(ctx: CollectContext) -> None:
    for acl in ctx.pages("DescribeNetworkAcls", "NetworkAcls", lists=(ACL_ENTRY,)).items():
        acl_id = acl["NetworkAclId"]
        acl_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, f"network-acl/{acl_id}")
        for entry in acl.get("Entries") or []:
            direction = "egress" if entry.get("Egress") else "ingress"
            rule = entry.get("RuleNumber")
            ctx.add(ACL_ENTRY, f"{acl_arn}#{direction}/{rule}", f"{acl_id}/{direction}/{rule}",
                    acl_entry_properties(acl_id, entry))  # fmt: skip


def acl_entry_properties(acl_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """One ``Entries`` item of ``DescribeNetworkAcls`` as ``AWS::EC2::NetworkAclEntry``."""
    protocol = str(entry.get("Protocol", ""))
    icmp = entry.get("IcmpTypeCode")
    return drop_none(
        {
            "NetworkAclId": acl_id,
            "RuleNumber": entry.get("RuleNumber"),
            "Protocol": int(protocol) if protocol.lstrip("-").isdigit() else protocol or None,
            "RuleAction": entry.get("RuleAction"),
            "Egress": bool(entry.get("Egress")),
            "CidrBlock": entry.get("CidrBlock"),
            "Ipv6CidrBlock": entry.get("Ipv6CidrBlock"),
            "PortRange": entry.get("PortRange"),
            "Icmp": {"Code": icmp.get("Code"), "Type": icmp.get("Type")} if icmp else None,
        }
    )


def _transit_gateways(ctx: CollectContext) -> None:
    listing = ctx.pages("DescribeTransitGateways", "TransitGateways", lists=(TRANSIT_GATEWAY,))
    for gateway in listing.items():
        if gateway.get("State") in GONE:
            continue
        options = gateway.get("Options") or {}
        tags = tag_map(gateway.get("Tags"))
        props: dict[str, Any] = {
            k: options[k] for k in TRANSIT_OPTIONS if options.get(k) is not None
        }
        props.update(drop_none({"Description": gateway.get("Description") or None}))
        ctx.add(TRANSIT_GATEWAY, gateway["TransitGatewayArn"], gateway["TransitGatewayId"],
                with_tags(props, tags), tags=tags)  # fmt: skip


def _launch_templates(ctx: CollectContext) -> None:
    listing = ctx.pages("DescribeLaunchTemplates", "LaunchTemplates", lists=(LAUNCH_TEMPLATE,))
    for template in listing.items():
        template_id = template["LaunchTemplateId"]
        answer = ctx.call(
            "DescribeLaunchTemplateVersions",
            LaunchTemplateId=template_id,
            Versions=["$Default"],
            lists=(LAUNCH_TEMPLATE,),
        )
        versions = (answer.data or {}).get("LaunchTemplateVersions") or []
        if answer.failed or not versions:
            continue
        tags = tag_map(template.get("Tags"))
        props: dict[str, Any] = {
            "LaunchTemplateName": template.get("LaunchTemplateName"),
            "LaunchTemplateData": launch_template_data(versions[0].get("LaunchTemplateData") or {}),
        }
        if tags:  # CloudFormation tags the template itself through TagSpecifications
            props["TagSpecifications"] = [{"ResourceType": "launch-template",
                                           "Tags": cfn_tags(tags)}]  # fmt: skip
        template_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account,
                           f"launch-template/{template_id}")  # fmt: skip
        ctx.add(LAUNCH_TEMPLATE, template_arn, template.get("LaunchTemplateName"), props,
                tags=tags)  # fmt: skip


def launch_template_data(data: dict[str, Any]) -> dict[str, Any]:
    """The API's ``LaunchTemplateData`` (CloudFormation's names), without user data."""
    shaped = dict(data)
    if "UserData" in shaped:
        shaped["UserData"] = dict(REDACTED)
    return shaped


COLLECTORS = (Collector("ec2.network", "ec2", REGIONAL, collect, TYPES),)
