"""CloudTrail: trails, collected in their home region, with logging status and selectors."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::CloudTrail::Trail",)


def collect(ctx: CollectContext) -> None:
    answer = ctx.call("DescribeTrails", includeShadowTrails=False, lists=TYPES)
    for trail in (answer.data or {}).get("trailList") or []:
        if trail.get("HomeRegion", ctx.region) == ctx.region:
            _collect_trail(ctx, trail)


def _collect_trail(ctx: CollectContext, trail: dict[str, Any]) -> None:
    trail_arn = trail["TrailARN"]
    props: dict[str, Any] = drop_none(
        {
            "TrailName": trail.get("Name"),
            "S3BucketName": trail.get("S3BucketName"),
            "S3KeyPrefix": trail.get("S3KeyPrefix"),
            "SnsTopicName": trail.get("SnsTopicName"),
            "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents"),
            "IsMultiRegionTrail": trail.get("IsMultiRegionTrail"),
            "EnableLogFileValidation": trail.get("LogFileValidationEnabled"),
            "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
            "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
            "KMSKeyId": trail.get("KmsKeyId"),
            "IsOrganizationTrail": trail.get("IsOrganizationTrail"),
        }
    )
    fill(
        props,
        "IsLogging",
        ctx.call("GetTrailStatus", Name=trail_arn),
        lambda data: bool(data.get("IsLogging")),
    )
    selectors = ctx.call("GetEventSelectors", TrailName=trail_arn)
    fill(props, "EventSelectors", selectors, lambda data: data.get("EventSelectors") or None)
    fill(
        props,
        "AdvancedEventSelectors",
        selectors,
        lambda data: data.get("AdvancedEventSelectors") or None,
    )
    tagging = ctx.call("ListTags", ResourceIdList=[trail_arn])
    tag_lists = (tagging.data or {}).get("ResourceTagList") or [{}]
    tags = tag_map(tag_lists[0].get("TagsList"))
    ctx.add(
        "AWS::CloudTrail::Trail", trail_arn, trail.get("Name"), with_tags(props, tags), tags=tags
    )


COLLECTORS = (Collector("cloudtrail.trails", "cloudtrail", REGIONAL, collect, TYPES),)
