"""AWS Config: each region's configuration recorders and what they record."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPES = ("AWS::Config::ConfigurationRecorder",)


def collect(ctx: CollectContext) -> None:
    answer = ctx.call("DescribeConfigurationRecorders", lists=TYPES)
    for recorder in (answer.data or {}).get("ConfigurationRecorders") or []:
        name = recorder.get("name") or "default"
        recorder_arn = recorder.get("arn") or arn(
            ctx.partition, "config", ctx.region, ctx.account, f"configuration-recorder/{name}"
        )
        ctx.add(TYPES[0], recorder_arn, name, recorder_properties(recorder))


def recorder_properties(recorder: dict[str, Any]) -> dict[str, Any]:
    """A recorder in the shape of ``AWS::Config::ConfigurationRecorder`` properties."""
    group = recorder.get("recordingGroup") or {}
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes")
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    return drop_none(
        {
            "Name": recorder.get("name"),
            "RoleARN": recorder.get("roleARN"),
            "RecordingGroup": drop_none(
                {
                    "AllSupported": group.get("allSupported"),
                    "IncludeGlobalResourceTypes": group.get("includeGlobalResourceTypes"),
                    "ResourceTypes": group.get("resourceTypes") or None,
                    "ExclusionByResourceTypes": {"ResourceTypes": excluded} if excluded else None,
                    "RecordingStrategy": {"UseOnly": strategy} if strategy else None,
                }
            ),
        }
    )


COLLECTORS = (Collector("config.recorders", "config", REGIONAL, collect, TYPES),)
