"""How a fix clause becomes edits of a live resource's properties (no AWS involved)."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.model import Each, FixOp, Keyed, LiveOrigin, Resource, Unknown
from scanner.remediate.plan import edits_from_fix

ARN = "arn:aws:s3:::logs"


def _is_x(ctx: Any, item: Any) -> bool:
    return bool(item.get("Value") == "x")


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
        # a keyed entry: changed where the list has it, appended where it does not
        ({"Tags": [{"Key": "a", "Value": "b"}]},
         FixOp("set", ("Properties", "Tags", Keyed((("Key", "a"),)), "Value"), "z"),
         [("Tags", [{"Key": "a", "Value": "b"}], [{"Key": "a", "Value": "z"}])]),
        ({"Tags": [{"Key": "a", "Value": "b"}]},
         FixOp("set", ("Properties", "Tags", Keyed((("Key", "c"),)), "Value"), "z"),
         [("Tags", [{"Key": "a", "Value": "b"}],
           [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "z"}])]),
        # every element the condition picks
        ({"Tags": [{"Key": "a", "Value": "x"}, {"Key": "b", "Value": "y"},
                   {"Key": "c", "Value": "x"}]},
         FixOp("set", ("Properties", "Tags", Each("@.Value == \"x\"", _is_x), "Value"), "z"),
         [("Tags", [{"Key": "a", "Value": "x"}, {"Key": "b", "Value": "y"},
                    {"Key": "c", "Value": "x"}],
           [{"Key": "a", "Value": "z"}, {"Key": "b", "Value": "y"},
            {"Key": "c", "Value": "z"}])]),
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
        ({"Tags": Unknown("GetBucketTagging: AccessDenied")},
         FixOp("set", ("Properties", "Tags", Keyed((("Key", "a"),)), "Value"), "z"),
         'the fix does not fit the live value: Properties.Tags is not known here '
         '(GetBucketTagging: AccessDenied), so [Key = "a"] cannot be chosen'),
        ({"Tags": [{"Key": Unknown("redacted"), "Value": "b"}]},
         FixOp("set", ("Properties", "Tags", Keyed((("Key", "a"),)), "Value"), "z"),
         'the fix does not fit the live value: cannot tell whether Properties.Tags[0] is '
         'the [Key = "a"] element: it is computed'),
    ],
)  # fmt: skip
def test_a_fix_that_cannot_be_applied_says_why(
    properties: dict[str, Any], op: FixOp, reason: str
) -> None:
    assert edits_from_fix(bucket(properties), [op]) == reason
