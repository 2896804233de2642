"""How a fix clause becomes edits of a live resource's properties (no AWS involved)."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.model import FixOp, LiveOrigin, Resource, Unknown
from scanner.remediate.plan import edits_from_fix

ARN = "arn:aws:s3:::logs"


def bucket(properties: dict[str, Any]) -> Resource:
    origin = LiveOrigin(arn=ARN, account="123456789012", region="us-east-1", name="logs")
    body = {"Type": "AWS::S3::Bucket", "Properties": properties}
    return Resource("AWS::S3::Bucket", ARN, body, origin=origin)


@pytest.mark.parametrize(
    ("properties", "op", "edits"),
    [
        (
            {"BucketName": "logs"},
            FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),
            [("VersioningConfiguration", None, {"Status": "Enabled"})],
        ),
        (
            {"VersioningConfiguration": {"Status": "Suspended", "MfaDelete": "Disabled"}},
            FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),
            [
                (
                    "VersioningConfiguration",
                    {"Status": "Suspended", "MfaDelete": "Disabled"},
                    {"Status": "Enabled", "MfaDelete": "Disabled"},
                )
            ],
        ),
        (
            {"Tags": [{"Key": "a", "Value": "b"}]},
            FixOp("append", ("Properties", "Tags"), {"Key": "c", "Value": "d"}),
            [
                (
                    "Tags",
                    [{"Key": "a", "Value": "b"}],
                    [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d"}],
                )
            ],
        ),
        ({"AccessControl": "PublicRead"}, FixOp("remove", ("Properties", "AccessControl")),
         [("AccessControl", "PublicRead", None)]),
        ({"BucketName": "logs"}, FixOp("remove", ("Properties", "AccessControl")), []),
        ({"BucketEncryption": Unknown("GetBucketEncryption: AccessDenied")},
         FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),
         [("VersioningConfiguration", None, {"Status": "Enabled"})]),
    ],
)  # fmt: skip
def test_a_fix_clause_edits_top_level_properties(
    properties: dict[str, Any], op: FixOp, edits: list[tuple[str, Any, Any]]
) -> None:
    found = edits_from_fix(bucket(properties), [op])
    assert not isinstance(found, str)
    assert [(e.key, e.before, e.after) for e in found] == edits


@pytest.mark.parametrize(
    ("properties", "op", "reason"),
    [
        ({"VersioningConfiguration": Unknown("GetBucketVersioning: AccessDenied")},
         FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),
         "value would be guessed: the current value could not be read at collection"),
        ({}, FixOp("set", ("Metadata", "x"), 1),
         "no writer: the fix changes Metadata.x, not a property"),
        ({}, FixOp("set", ("Properties", "KmsKey"), Unknown("parameter")),
         "value would be guessed: the fix value is not a literal"),
    ],
)  # fmt: skip
def test_a_fix_that_cannot_be_applied_says_why(
    properties: dict[str, Any], op: FixOp, reason: str
) -> None:
    assert edits_from_fix(bucket(properties), [op]) == reason
