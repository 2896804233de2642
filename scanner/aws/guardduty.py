"""GuardDuty: each region's detector, with its data sources and protection plans.

``GetDetector`` answers ``Status`` and data sources as ``ENABLED``/``DISABLED``;
CloudFormation's ``AWS::GuardDuty::Detector`` has booleans there (``Enable``,
``DataSources.S3Logs.Enable``, ``…EbsVolumes``). ``Features`` keep their names and
statuses as both spell them.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none, with_tags

TYPES = ("AWS::GuardDuty::Detector",)


def collect(ctx: CollectContext) -> None:
    for detector_id in ctx.pages("ListDetectors", "DetectorIds", lists=TYPES).items():
        answer = ctx.call("GetDetector", DetectorId=detector_id, lists=TYPES)
        if answer.failed or answer.data is None:
            continue
        data = answer.data
        tags = {str(k): str(v) for k, v in (data.get("Tags") or {}).items()}
        props = with_tags(detector_properties(data), tags)
        detector_arn = arn(
            ctx.partition, "guardduty", ctx.region, ctx.account, f"detector/{detector_id}"
        )
        ctx.add("AWS::GuardDuty::Detector", detector_arn, detector_id, props, tags=tags)


def detector_properties(data: dict[str, Any]) -> dict[str, Any]:
    """A ``GetDetector`` answer in the shape of ``AWS::GuardDuty::Detector``."""
    props: dict[str, Any] = drop_none(
        {
            "Enable": data.get("Status") == "ENABLED",
            "FindingPublishingFrequency": data.get("FindingPublishingFrequency"),
            "DataSources": _data_sources(data.get("DataSources") or {}) or None,
        }
    )
    features = [_feature(f) for f in data.get("Features") or []]
    if features:
        props["Features"] = features
    return props


def _enabled(status: Any) -> bool | None:
    value = (status or {}).get("Status") if isinstance(status, dict) else None
    return None if value is None else value == "ENABLED"


def _data_sources(sources: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    s3 = _enabled(sources.get("S3Logs"))
    if s3 is not None:
        shaped["S3Logs"] = {"Enable": s3}
    audit = _enabled((sources.get("Kubernetes") or {}).get("AuditLogs"))
    if audit is not None:
        shaped["Kubernetes"] = {"AuditLogs": {"Enable": audit}}
    scan = (sources.get("MalwareProtection") or {}).get("ScanEc2InstanceWithFindings") or {}
    ebs = _enabled(scan.get("EbsVolumes"))
    if ebs is not None:
        shaped["MalwareProtection"] = {"ScanEc2InstanceWithFindings": {"EbsVolumes": ebs}}
    return shaped


def _feature(feature: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {"Name": feature.get("Name"), "Status": feature.get("Status")}
    extra = [
        {"Name": c.get("Name"), "Status": c.get("Status")}
        for c in feature.get("AdditionalConfiguration") or []
    ]
    if extra:
        shaped["AdditionalConfiguration"] = extra
    return shaped


COLLECTORS = (Collector("guardduty.detectors", "guardduty", REGIONAL, collect, TYPES),)
