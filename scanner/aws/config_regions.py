"""AWS Config in each region: whether a recorder records there, and what (CIS AWS 3.3).

``AWS::Config::ConfigurationRecorder`` resources say how each recorder is set up, but a
region with no recorder has no resource at all, and whether a recorder is started is not
part of its configuration. So each region also gets one ``Pacscan::Config::RegionRecording``
record: ``Recorders[]`` with ``Name``, ``RecordingGroup`` (as on the recorder resource),
``Recording`` (started) and ``LastStatus`` (``PENDING``, ``SUCCESS`` or ``FAILURE``).
"""

from __future__ import annotations

from typing import Any

from scanner.aws.config_recorders import recorder_properties
from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPE = "Pacscan::Config::RegionRecording"
TYPES = (TYPE,)


def collect(ctx: CollectContext) -> None:
    record_arn = arn(ctx.partition, "config", ctx.region, ctx.account, "region-recording")
    recorders = ctx.call("DescribeConfigurationRecorders")
    statuses = ctx.call("DescribeConfigurationRecorderStatus")
    if recorders.failed:
        ctx.add(TYPE, record_arn, ctx.region, {"Recorders": recorders.unknown()})
        return
    by_name = {
        s.get("name"): s for s in (statuses.data or {}).get("ConfigurationRecordersStatus") or []
    }
    found: list[dict[str, Any]] = []
    for recorder in (recorders.data or {}).get("ConfigurationRecorders") or []:
        props = recorder_properties(recorder)
        status = by_name.get(recorder.get("name"), {})
        found.append(
            drop_none(
                {
                    "Name": props.get("Name"),
                    "RecordingGroup": props.get("RecordingGroup"),
                    "Recording": statuses.unknown()
                    if statuses.failed
                    else bool(status.get("recording")),
                    "LastStatus": statuses.unknown()
                    if statuses.failed
                    else status.get("lastStatus"),
                }
            )
        )
    ctx.add(TYPE, record_arn, ctx.region, {"Recorders": found})


COLLECTORS = (Collector("config.region_recording", "config", REGIONAL, collect, TYPES),)
