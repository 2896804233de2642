"""AWS Transfer Family: servers with their endpoint type and Elastic IP addresses."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::Transfer::Server",)


def collect(ctx: CollectContext) -> None:
    for summary in ctx.pages("ListServers", "Servers", lists=TYPES).items():
        server_id = summary["ServerId"]
        answer = ctx.call("DescribeServer", ServerId=server_id,
                          absent=("ResourceNotFoundException",), lists=TYPES)  # fmt: skip
        server = (answer.data or {}).get("Server")
        if answer.failed or not server:
            continue  # recorded, or deleted between the listing and now
        tags = tag_map(server.get("Tags"))
        ctx.add("AWS::Transfer::Server", server["Arn"], server_id,
                with_tags(server_properties(server), tags), tags=tags)  # fmt: skip


def server_properties(server: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeServer`` answer in the shape of ``AWS::Transfer::Server`` properties."""
    details = server.get("EndpointDetails") or {}
    return drop_none(
        {
            "EndpointType": server.get("EndpointType"),
            "EndpointDetails": drop_none(
                {
                    "AddressAllocationIds": details.get("AddressAllocationIds"),
                    "SubnetIds": details.get("SubnetIds"),
                    "VpcEndpointId": details.get("VpcEndpointId"),
                    "VpcId": details.get("VpcId"),
                    "SecurityGroupIds": details.get("SecurityGroupIds"),
                }
            )
            or None,
            "Domain": server.get("Domain"),
            "IdentityProviderType": server.get("IdentityProviderType"),
            "Protocols": server.get("Protocols"),
            "SecurityPolicyName": server.get("SecurityPolicyName"),
            "LoggingRole": server.get("LoggingRole"),
            "Certificate": server.get("Certificate"),
        }
    )


COLLECTORS = (Collector("transfer.servers", "transfer", REGIONAL, collect, TYPES),)
