"""SNS writer: server-side encryption of a topic (``scanner.aws.sns``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting


def _key(target: Target, new: Any) -> dict[str, Any]:
    # an empty value turns encryption off again (undo of a topic that had none)
    return {"TopicArn": target.id, "AttributeName": "KmsMasterKeyId", "AttributeValue": new or ""}


WRITERS = (
    setting("AWS::SNS::Topic", "KmsMasterKeyId", "sns", "SetTopicAttributes", _key,
            ("sns:GetTopicAttributes", "sns:SetTopicAttributes"),
            "messages published meanwhile were stored encrypted"),
)  # fmt: skip
