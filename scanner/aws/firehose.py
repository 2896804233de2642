"""Kinesis Data Firehose: delivery streams with their source and server-side encryption.

``ListDeliveryStreams`` has no paginator: it is read by hand, at most ``MAX_PAGES``
pages; past that a ``LimitExceeded`` error names the type, so the streams not read are a
gap rather than gone. A destination's credentials (a Redshift password, a Splunk HEC
token) are never returned by Firehose and are not collected.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, Answer, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPE = "AWS::KinesisFirehose::DeliveryStream"
TYPES = (TYPE,)
MAX_PAGES = 100  # of 10 names each by default
# encryption states in which the stream encrypts (or is about to)
ENCRYPTING = ("ENABLED", "ENABLING")


def collect(ctx: CollectContext) -> None:
    for name in _stream_names(ctx).items():
        answer = ctx.call("DescribeDeliveryStream", DeliveryStreamName=name,
                          absent=("ResourceNotFoundException",), lists=TYPES)  # fmt: skip
        stream = (answer.data or {}).get("DeliveryStreamDescription")
        if answer.failed or not stream:
            continue  # recorded, or deleted between the listing and now
        ctx.add(TYPE, stream["DeliveryStreamARN"], name, stream_properties(stream))


def _stream_names(ctx: CollectContext) -> Answer:
    names: list[str] = []
    start: str | None = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"ExclusiveStartDeliveryStreamName": start} if start else {}
        answer = ctx.call("ListDeliveryStreams", lists=TYPES, **kw)
        if answer.failed:
            return Answer(data=names, error=answer.error)
        page = [str(n) for n in (answer.data or {}).get("DeliveryStreamNames") or []]
        names.extend(page)
        if not (answer.data or {}).get("HasMoreDeliveryStreams") or not page:
            return Answer(data=names)
        start = page[-1]
    message = f"more than {MAX_PAGES} pages of delivery streams; the rest is not read"
    error = ctx.record(None, "ListDeliveryStreams", "LimitExceeded", message, TYPES)
    return Answer(data=names, error=error)


def stream_properties(stream: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeDeliveryStream`` answer in the shape of
    ``AWS::KinesisFirehose::DeliveryStream`` properties:
    ``DeliveryStreamEncryptionConfigurationInput`` only while encryption is on."""
    encryption = stream.get("DeliveryStreamEncryptionConfiguration") or {}
    encrypting = encryption.get("KeyType") and encryption.get("Status", "ENABLED") in ENCRYPTING
    source = stream.get("Source") or {}
    kinesis = source.get("KinesisStreamSourceDescription") or {}
    msk = source.get("MSKSourceDescription") or {}
    return drop_none(
        {
            "DeliveryStreamName": stream.get("DeliveryStreamName"),
            "DeliveryStreamType": stream.get("DeliveryStreamType"),
            "DeliveryStreamEncryptionConfigurationInput": drop_none(
                {"KeyType": encryption.get("KeyType"), "KeyARN": encryption.get("KeyARN")}
            )
            if encrypting
            else None,
            "KinesisStreamSourceConfiguration": drop_none(
                {
                    "KinesisStreamARN": kinesis.get("KinesisStreamARN"),
                    "RoleARN": kinesis.get("RoleARN"),
                }
            )
            or None,
            "MSKSourceConfiguration": drop_none({"MSKClusterARN": msk.get("MSKClusterARN")})
            or None,
        }
    )


COLLECTORS = (Collector("firehose.delivery_streams", "firehose", REGIONAL, collect, TYPES),)
