"""Every trail that logs this account, seen together (a global collector).

Some CIS recommendations hold when *some* trail does something (S3 object-level logging,
3.8 and 3.9), which no single ``AWS::CloudTrail::Trail`` can answer. This collector lists
the trails from the home region with shadow trails (every multi-Region trail and
organization trail shows there), reads each one's status and selectors in the trail's
own home region, and writes one ``Pacscan::CloudTrail::AccountTrails``
record per account: ``Trails[]`` with ``TrailArn``, ``HomeRegion``, ``IsMultiRegionTrail``,
``IsOrganizationTrail``, ``IsLogging``, ``EventSelectors``, ``AdvancedEventSelectors``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import GLOBAL, CollectContext, Collector, fill

TYPE = "Pacscan::CloudTrail::AccountTrails"
TYPES = (TYPE,)


def collect(ctx: CollectContext) -> None:
    pseudo_arn = f"arn:{ctx.partition}:cloudtrail::{ctx.account}:account-trails"
    answer = ctx.call("DescribeTrails", includeShadowTrails=True)
    if answer.failed:
        ctx.add(TYPE, pseudo_arn, ctx.account, {"Trails": answer.unknown()})
        return
    trails: dict[str, dict[str, Any]] = {}
    homes: dict[str, CollectContext] = {}
    for trail in (answer.data or {}).get("trailList") or []:
        trail_arn = trail.get("TrailARN")
        if trail_arn and trail_arn not in trails:
            region = str(trail.get("HomeRegion") or ctx.api_region)
            home = homes.setdefault(region, in_region(ctx, region))
            trails[trail_arn] = _trail(home, trail)
    for home in homes.values():
        ctx.errors.extend(home.errors)
    ctx.add(TYPE, pseudo_arn, ctx.account, {"Trails": list(trails.values())})


def in_region(ctx: CollectContext, region: str) -> CollectContext:
    """A context of the same task whose calls go to ``region``; its errors are its own."""
    return CollectContext(
        ctx.account, region, ctx.service, ctx.clients, ctx.home_region, items=ctx.items
    )


def _trail(ctx: CollectContext, trail: dict[str, Any]) -> dict[str, Any]:
    """The trail's status and selectors, read in its home region (``ctx``)."""
    trail_arn = trail["TrailARN"]
    props: dict[str, Any] = {
        "TrailArn": trail_arn,
        "HomeRegion": trail.get("HomeRegion"),
        "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail")),
        "IsOrganizationTrail": bool(trail.get("IsOrganizationTrail")),
    }
    status = ctx.call("GetTrailStatus", Name=trail_arn)
    fill(props, "IsLogging", status, lambda data: bool(data.get("IsLogging")))
    selectors = ctx.call("GetEventSelectors", TrailName=trail_arn)
    fill(props, "EventSelectors", selectors, lambda data: data.get("EventSelectors") or [])
    fill(
        props,
        "AdvancedEventSelectors",
        selectors,
        lambda data: data.get("AdvancedEventSelectors") or [],
    )
    return props


COLLECTORS = (Collector("cloudtrail.account_trails", "cloudtrail", GLOBAL, collect, TYPES),)
