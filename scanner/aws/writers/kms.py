"""KMS writer: automatic rotation of a customer managed key (``scanner.aws.kms``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Call, PropertyWriter, Target


def _rotation(target: Target, old: Any, new: Any) -> list[Call]:
    operation = "EnableKeyRotation" if new else "DisableKeyRotation"
    return [Call("kms", operation, {"KeyId": target.name or target.id})]


WRITERS = (
    PropertyWriter("AWS::KMS::Key", "EnableKeyRotation", _rotation,
                   ("kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
                    "kms:DisableKeyRotation")),
)  # fmt: skip
