"""GuardDuty writer: a suspended detector enabled again (``scanner.aws.guardduty``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting


def _enable(target: Target, new: Any) -> dict[str, Any]:
    return {"DetectorId": target.name, "Enable": bool(new)}


WRITERS = (
    setting("AWS::GuardDuty::Detector", "Enable", "guardduty", "UpdateDetector", _enable,
            ("guardduty:GetDetector", "guardduty:UpdateDetector"),
            "findings produced meanwhile are kept"),
)  # fmt: skip
