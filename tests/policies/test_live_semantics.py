"""Policies whose meaning differs between a template and a live snapshot.

A bucket that a template creates gets Block Public Access and BucketOwnerEnforced by
default; a live bucket reported without them has neither. Live resources have ARN ids.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from scanner.engine.evaluate import evaluate
from scanner.engine.program import Program
from scanner.model import Resource, Status

NOW = datetime(2024, 6, 3, tzinfo=timezone.utc)


def _status(program: Program, policy_id: str, resource_id: str, props: dict[str, Any]) -> Status:
    bucket = Resource(
        "AWS::S3::Bucket", resource_id, {"Type": "AWS::S3::Bucket", "Properties": props}
    )
    only = program.select({policy_id}, set())
    (finding,) = evaluate(only, [bucket], now=NOW)
    return finding.status


@pytest.mark.parametrize(
    ("policy_id", "configured"),
    [
        (
            "PAC-S3-002",
            {
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                }
            },
        ),
        (
            "PAC-S3-014",
            {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
        ),
    ],
)
def test_absent_setting_passes_in_a_template_and_fails_live(
    program: Program, policy_id: str, configured: dict[str, Any]
) -> None:
    assert _status(program, policy_id, "DataBucket", {}) is Status.PASS
    assert _status(program, policy_id, "arn:aws:s3:::data", {}) is Status.FAIL
    assert _status(program, policy_id, "arn:aws:s3:::data", configured) is Status.PASS
