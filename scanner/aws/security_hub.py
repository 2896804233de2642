"""Security Hub: whether it is enabled, in each region (CIS AWS 4.16).

An account-wide setting per region with no CloudFormation counterpart for its state, so
it comes out as ``Pacscan::SecurityHub::Hub``, one per region, enabled or not.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPE = "Pacscan::SecurityHub::Hub"
TYPES = (TYPE,)
# What DescribeHub answers in a region where the account has not enabled Security Hub.
NOT_ENABLED = ("InvalidAccessException", "ResourceNotFoundException")


def collect(ctx: CollectContext) -> None:
    answer = ctx.call("DescribeHub", absent=NOT_ENABLED)
    hub_arn = arn(ctx.partition, "securityhub", ctx.region, ctx.account, "hub/default")
    props: dict[str, Any]
    if answer.failed:
        props = {"Enabled": answer.unknown()}
    elif answer.data is None:
        props = {"Enabled": False}
    else:
        hub_arn = answer.data.get("HubArn") or hub_arn
        props = drop_none(
            {
                "Enabled": True,
                "SubscribedAt": answer.data.get("SubscribedAt"),
                "AutoEnableControls": answer.data.get("AutoEnableControls"),
                "ControlFindingGenerator": answer.data.get("ControlFindingGenerator"),
            }
        )
    ctx.add(TYPE, hub_arn, ctx.region, props)


COLLECTORS = (Collector("securityhub.hub", "securityhub", REGIONAL, collect, TYPES),)
