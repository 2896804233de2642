"""GuardDuty writers: a suspended detector enabled again, and its protection plans
(``Features``, by name) switched on (``scanner.aws.guardduty``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Call, PropertyWriter, Target, setting


def _enable(target: Target, new: Any) -> dict[str, Any]:
    return {"DetectorId": target.name, "Enable": bool(new)}


def _features(target: Target, new: Any) -> dict[str, Any]:
    """Every feature of the new list, each with its name and status (and its additional
    configuration): UpdateDetector sets each feature it names."""
    features = []
    for feature in new if type(new) is list else []:
        shaped: dict[str, Any] = {"Name": feature.get("Name"), "Status": feature.get("Status")}
        extra = feature.get("AdditionalConfiguration")
        if extra:
            shaped["AdditionalConfiguration"] = [
                {"Name": c.get("Name"), "Status": c.get("Status")} for c in extra
            ]
        features.append(shaped)
    return {"DetectorId": target.name, "Features": features}


def _write_features(target: Target, old: Any, new: Any) -> list[Call]:
    return [Call("guardduty", "UpdateDetector", _features(target, new))]


WRITERS = (
    setting("AWS::GuardDuty::Detector", "Enable", "guardduty", "UpdateDetector", _enable,
            ("guardduty:GetDetector", "guardduty:UpdateDetector"),
            "findings produced meanwhile are kept"),
    PropertyWriter("AWS::GuardDuty::Detector", "Features",
                   _write_features,
                   ("guardduty:GetDetector", "guardduty:UpdateDetector"),
                   "a feature the change added stays as it was set", approximate_undo=True),
)  # fmt: skip
