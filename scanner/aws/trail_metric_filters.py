"""CloudWatch alarms on CloudTrail's log groups (a global collector): CIS AWS section 4.

The account's trails (``DescribeTrails`` with shadow trails, so every multi-Region trail
is seen from the home region; each one's status is asked in its own home region) name
the CloudWatch Logs log groups they write to. For each
log group of this account, its metric filters are read, each with the alarms on the
filter's metric and the SNS topics those alarms notify, with their confirmed subscribers.
The result is one ``Pacscan::CloudWatch::TrailMetricFilters`` record per account; the
policies decide which filter counts (see docs/aws.md):

``MetricFilters[]``: ``LogGroupName``, ``Region``, ``FilterName``, ``FilterPattern``,
``Alternatives`` (see ``filter_patterns``), ``Trails[]`` (``TrailArn``,
``IsMultiRegionTrail``, ``IsLogging``: the trails writing to the log group), ``Alarms[]``
(``AlarmName``, ``AlarmArn``, ``ActionsEnabled``, ``Topics[]`` (``TopicArn``,
``Subscribers``: confirmed subscriptions)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.aws.account_trails import in_region
from scanner.aws.context import GLOBAL, Answer, CollectContext, Collector
from scanner.aws.filter_patterns import alternatives

TYPE = "Pacscan::CloudWatch::TrailMetricFilters"
TYPES = (TYPE,)
NOT_FOUND = ("ResourceNotFoundException",)
MAX_PAGES = 1000


@dataclass
class _LogGroup:
    region: str
    name: str
    trails: list[dict[str, Any]] = field(default_factory=list)


def collect(ctx: CollectContext) -> None:
    pseudo_arn = f"arn:{ctx.partition}:logs::{ctx.account}:trail-metric-filters"
    answer = ctx.call("DescribeTrails", service="cloudtrail", includeShadowTrails=True)
    if answer.failed:
        ctx.add(TYPE, pseudo_arn, ctx.account, {"MetricFilters": answer.unknown()})
        return
    regions: dict[str, _Region] = {}
    groups = _log_groups(ctx, (answer.data or {}).get("trailList") or [], regions)
    filters: list[dict[str, Any]] = []
    for group in groups.values():
        filters.extend(_regional(ctx, regions, group.region).filters(group))
    for region in regions.values():
        ctx.errors.extend(region.ctx.errors)
    ctx.add(TYPE, pseudo_arn, ctx.account, {"MetricFilters": filters})


def _log_groups(
    ctx: CollectContext, trails: list[dict[str, Any]], regions: dict[str, _Region]
) -> dict[str, _LogGroup]:
    """This account's log groups that trails write to, each with those trails."""
    groups: dict[str, _LogGroup] = {}
    seen: set[str] = set()
    for trail in trails:
        trail_arn = trail.get("TrailARN")
        parts = str(trail.get("CloudWatchLogsLogGroupArn") or "").split(":")
        if not trail_arn or trail_arn in seen or len(parts) < 7 or parts[5] != "log-group":
            continue
        seen.add(trail_arn)
        if parts[4] != ctx.account:
            continue  # an organization trail's log group lives in the management account
        group = groups.setdefault(f"{parts[3]}:{parts[6]}", _LogGroup(parts[3], parts[6]))
        home = _regional(ctx, regions, str(trail.get("HomeRegion") or ctx.api_region))
        group.trails.append(_trail(home.ctx, trail))
    return groups


def _trail(ctx: CollectContext, trail: dict[str, Any]) -> dict[str, Any]:
    """The trail's logging status, asked in its home region (``ctx``)."""
    status = ctx.call("GetTrailStatus", service="cloudtrail", Name=trail["TrailARN"])
    logging: Any = status.unknown() if status.failed else bool((status.data or {}).get("IsLogging"))
    return {
        "TrailArn": trail["TrailARN"],
        "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail")),
        "IsLogging": logging,
    }


def _regional(ctx: CollectContext, regions: dict[str, _Region], region: str) -> _Region:
    if region not in regions:
        regions[region] = _Region(in_region(ctx, region))
    return regions[region]


class _Region:
    """One region's alarms and topics, read once and shared by its log groups."""

    def __init__(self, ctx: CollectContext) -> None:
        self.ctx = ctx
        self._alarms: Answer | None = None
        self._topics: dict[str, Any] = {}

    def filters(self, group: _LogGroup) -> list[dict[str, Any]]:
        base = {"LogGroupName": group.name, "Region": group.region, "Trails": group.trails}
        answer = _metric_filters(self.ctx, group.name)
        if answer.failed:
            unknown = answer.unknown()
            return [{**base, "FilterName": unknown, "Alternatives": unknown, "Alarms": unknown}]
        return [{**base, **self._filter(f)} for f in answer.items()]

    def _filter(self, metric_filter: dict[str, Any]) -> dict[str, Any]:
        pattern = str(metric_filter.get("filterPattern") or "")
        metrics = {
            (t.get("metricNamespace"), t.get("metricName"))
            for t in metric_filter.get("metricTransformations") or []
        }
        return {
            "FilterName": metric_filter.get("filterName"),
            "FilterPattern": pattern,
            "Alternatives": alternatives(pattern),
            "Alarms": self._alarms_on(metrics),
        }

    def _alarms_on(self, metrics: set[tuple[Any, Any]]) -> Any:
        if self._alarms is None:
            self._alarms = self.ctx.pages(
                "DescribeAlarms", "MetricAlarms", service="cloudwatch", AlarmTypes=["MetricAlarm"]
            )
        if self._alarms.failed:
            return self._alarms.unknown()
        return [
            self._alarm(alarm)
            for alarm in self._alarms.items()
            if (alarm.get("Namespace"), alarm.get("MetricName")) in metrics
        ]

    def _alarm(self, alarm: dict[str, Any]) -> dict[str, Any]:
        topics = [a for a in alarm.get("AlarmActions") or [] if str(a).split(":")[2:3] == ["sns"]]
        return {
            "AlarmName": alarm.get("AlarmName"),
            "AlarmArn": alarm.get("AlarmArn"),
            "ActionsEnabled": bool(alarm.get("ActionsEnabled")),
            "Topics": [{"TopicArn": t, "Subscribers": self._subscribers(t)} for t in topics],
        }

    def _subscribers(self, topic_arn: str) -> Any:
        if topic_arn not in self._topics:
            answer = self.ctx.pages(
                "ListSubscriptionsByTopic", "Subscriptions", service="sns", TopicArn=topic_arn
            )
            self._topics[topic_arn] = _count(answer, _confirmed)
        return self._topics[topic_arn]


def _confirmed(subscription: dict[str, Any]) -> bool:
    """A subscription that delivers: its ARN is set once the endpoint confirmed it."""
    return str(subscription.get("SubscriptionArn") or "").startswith("arn:")


def _count(answer: Answer, keep: Callable[[dict[str, Any]], bool]) -> Any:
    if answer.failed:
        return answer.unknown()
    return sum(1 for item in answer.items() if keep(item))


def _metric_filters(ctx: CollectContext, log_group: str) -> Answer:
    """The log group's metric filters; none when the log group no longer exists."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"logGroupName": log_group}
        if token:
            kw["nextToken"] = token
        answer = ctx.call("DescribeMetricFilters", service="logs", absent=NOT_FOUND, **kw)
        if answer.failed:
            return answer
        found.extend((answer.data or {}).get("metricFilters") or [])
        token = (answer.data or {}).get("nextToken")
        if not token:
            break
    return Answer(data=found)


COLLECTORS = (Collector("cloudwatch.trail_metric_filters", "cloudwatch", GLOBAL, collect, TYPES),)
