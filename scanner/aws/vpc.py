"""EC2 networking: VPCs, their flow logs, and security groups.

Security group permissions are flattened the way a template writes them: one
``SecurityGroupIngress``/``SecurityGroupEgress`` entry per source (IPv4 range, IPv6
range, prefix list or security group). A resource's name is its id (``vpc-…``,
``sg-…``), so ``SecurityGroupIds`` and a flow log's ``ResourceId`` relate to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import arn, drop_none, tag_map, with_tags

FLOW_LOG_RESOURCE_TYPES = (
    ("tgw-attach-", "TransitGatewayAttachment"),
    ("tgw-", "TransitGateway"),
    ("vpc-", "VPC"),
    ("subnet-", "Subnet"),
    ("eni-", "NetworkInterface"),
)


def collect(ctx: CollectContext) -> None:
    _collect_vpcs(ctx)
    _collect_flow_logs(ctx)
    _collect_security_groups(ctx)


def _collect_vpcs(ctx: CollectContext) -> None:
    for vpc in ctx.pages("DescribeVpcs", "Vpcs", lists=("AWS::EC2::VPC",)).items():
        vpc_id = vpc["VpcId"]
        tags = tag_map(vpc.get("Tags"))
        props = drop_none(
            {"CidrBlock": vpc.get("CidrBlock"), "InstanceTenancy": vpc.get("InstanceTenancy")}
        )
        for attribute, key in (
            ("enableDnsSupport", "EnableDnsSupport"),
            ("enableDnsHostnames", "EnableDnsHostnames"),
        ):
            answer = ctx.call("DescribeVpcAttribute", VpcId=vpc_id, Attribute=attribute)
            fill(props, key, answer, _attribute_value(key))
        vpc_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, f"vpc/{vpc_id}")
        ctx.add("AWS::EC2::VPC", vpc_arn, vpc_id, with_tags(props, tags), tags=tags)


def _attribute_value(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda data: (data.get(key) or {}).get("Value")


def _collect_flow_logs(ctx: CollectContext) -> None:
    for flow in ctx.pages("DescribeFlowLogs", "FlowLogs", lists=("AWS::EC2::FlowLog",)).items():
        flow_id = flow["FlowLogId"]
        resource_id = flow.get("ResourceId", "")
        tags = tag_map(flow.get("Tags"))
        props = drop_none(
            {
                "ResourceId": resource_id,
                "ResourceType": _flow_log_resource_type(resource_id),
                "TrafficType": flow.get("TrafficType"),
                "LogDestinationType": flow.get("LogDestinationType"),
                "LogDestination": flow.get("LogDestination"),
                "LogGroupName": flow.get("LogGroupName"),
                "DeliverLogsPermissionArn": flow.get("DeliverLogsPermissionArn"),
                "LogFormat": flow.get("LogFormat"),
                "MaxAggregationInterval": flow.get("MaxAggregationInterval"),
            }
        )
        flow_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, f"vpc-flow-log/{flow_id}")
        ctx.add("AWS::EC2::FlowLog", flow_arn, flow_id, with_tags(props, tags), tags=tags)


def _flow_log_resource_type(resource_id: str) -> str | None:
    for prefix, kind in FLOW_LOG_RESOURCE_TYPES:
        if resource_id.startswith(prefix):
            return kind
    return None


def _collect_security_groups(ctx: CollectContext) -> None:
    for group in ctx.pages(
        "DescribeSecurityGroups", "SecurityGroups", lists=("AWS::EC2::SecurityGroup",)
    ).items():
        group_id = group["GroupId"]
        tags = tag_map(group.get("Tags"))
        props = drop_none(
            {
                "GroupName": group.get("GroupName"),
                "GroupDescription": group.get("Description"),
                "VpcId": group.get("VpcId"),
            }
        )
        props["SecurityGroupIngress"] = list(
            flatten_permissions(group.get("IpPermissions"), "Source", ctx.account)
        )
        props["SecurityGroupEgress"] = list(
            flatten_permissions(group.get("IpPermissionsEgress"), "Destination", ctx.account)
        )
        group_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, f"security-group/{group_id}")
        ctx.add("AWS::EC2::SecurityGroup", group_arn, group_id, with_tags(props, tags), tags=tags)


def flatten_permissions(
    permissions: list[dict[str, Any]] | None, side: str, account: str
) -> Iterator[dict[str, Any]]:
    """API ``IpPermissions`` → CloudFormation rules, one per source or destination.

    ``side`` is ``Source`` (ingress) or ``Destination`` (egress); it prefixes the
    prefix list and security group fields as CloudFormation names them. Protocol
    ``-1`` (all traffic) without ports gets ``FromPort``/``ToPort`` ``-1``.
    """
    for permission in permissions or []:
        base = _rule_base(permission)
        for item in permission.get("IpRanges") or []:
            yield _rule(base, item, CidrIp=item.get("CidrIp"))
        for item in permission.get("Ipv6Ranges") or []:
            yield _rule(base, item, CidrIpv6=item.get("CidrIpv6"))
        for item in permission.get("PrefixListIds") or []:
            yield _rule(base, item, **{f"{side}PrefixListId": item.get("PrefixListId")})
        for item in permission.get("UserIdGroupPairs") or []:
            fields = {f"{side}SecurityGroupId": item.get("GroupId")}
            owner = item.get("UserId")
            if side == "Source" and owner and owner != account:
                fields["SourceSecurityGroupOwnerId"] = owner
            yield _rule(base, item, **fields)


def _rule_base(permission: dict[str, Any]) -> dict[str, Any]:
    protocol = str(permission.get("IpProtocol", "-1"))
    base: dict[str, Any] = {"IpProtocol": protocol}
    for port in ("FromPort", "ToPort"):
        if port in permission:
            base[port] = permission[port]
        elif protocol == "-1":
            base[port] = -1
    return base


def _rule(base: dict[str, Any], item: dict[str, Any], **fields: Any) -> dict[str, Any]:
    rule = dict(base)
    rule.update(drop_none(fields))
    if item.get("Description"):
        rule["Description"] = item["Description"]
    return rule


TYPES = ("AWS::EC2::VPC", "AWS::EC2::FlowLog", "AWS::EC2::SecurityGroup")
COLLECTORS = (Collector("ec2.network", "ec2", REGIONAL, collect, TYPES),)
