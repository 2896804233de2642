"""CloudTrail writers: log file validation and multi-region (``scanner.aws.cloudtrail``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting

PERMISSIONS = ("cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail")


def _update(option: str) -> Any:
    def parameters(target: Target, new: Any) -> dict[str, Any]:
        return {"Name": target.id, option: bool(new)}

    return parameters


WRITERS = (
    setting("AWS::CloudTrail::Trail", "EnableLogFileValidation", "cloudtrail", "UpdateTrail",
            _update("EnableLogFileValidation"), PERMISSIONS,
            "digest files delivered while validation was on stay in the bucket"),
    setting("AWS::CloudTrail::Trail", "IsMultiRegionTrail", "cloudtrail", "UpdateTrail",
            _update("IsMultiRegionTrail"), PERMISSIONS,
            "events of other regions logged meanwhile stay in the bucket"),
)  # fmt: skip
