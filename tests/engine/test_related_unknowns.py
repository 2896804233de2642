"""An unresolved reference in one resource leaves open only the findings it could change,
and those findings name it."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status
from scanner.pipeline import compile_policies

TEMPLATE = b"""\
Parameters:
  LogBucketName: {Type: String}
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
      LoggingConfiguration: {DestinationBucketName: !Ref LogBucketName}
  OtherBucket:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration: {DestinationBucketName: !Ref LogBucketName}
  ThirdBucket:
    Type: AWS::S3::Bucket
  LogPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogBucketName
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: logging.s3.amazonaws.com}
            Action: s3:PutObject
            Resource: !Sub "arn:aws:s3:::${LogBucketName}/*"
  SharedPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref ThirdBucket
      PolicyDocument: !ImportValue shared-policy-document
"""

NO_DEFAULT = "parameter LogBucketName has no default"


def _findings(policy_id: str) -> dict[str, tuple[Status, str]]:
    program = compile_policies([], {}, frozenset({policy_id})).program
    loaded = load("t.yaml", TEMPLATE, LoadOptions())
    found = evaluate(program, loaded.resources, now=datetime.now(timezone.utc))
    return {f.resource.id: (f.status, f.message) for f in found}


def test_a_bucket_policy_for_a_parameter_leaves_only_a_named_bucket_open() -> None:
    got = _findings("PAC-S3-006")
    assert got["OtherBucket"][0] is Status.FAIL
    status, message = got["DataBucket"]
    assert status is Status.UNKNOWN
    assert (
        f"Properties.Bucket of AWS::S3::BucketPolicy LogPolicy is unknown: {NO_DEFAULT}" in message
    )


def test_an_unknown_value_of_a_definite_match_is_named() -> None:
    status, message = _findings("PAC-S3-006")["ThirdBucket"]
    assert status is Status.UNKNOWN
    assert (
        "Properties.PolicyDocument of AWS::S3::BucketPolicy SharedPolicy is unknown: "
        "Fn::ImportValue reads another stack's output" in message
    )


def test_log_destinations_from_a_parameter_do_not_make_every_bucket_unknown() -> None:
    got = _findings("PAC-S3-008")
    assert got["ThirdBucket"][0] is Status.FAIL
    status, message = got["DataBucket"]
    assert status is Status.UNKNOWN
    assert message.startswith("DataBucket: cannot tell whether the policy applies: ")
    assert (
        "Properties.LoggingConfiguration.DestinationBucketName of AWS::S3::Bucket OtherBucket "
        f"is unknown: {NO_DEFAULT}" in message
    )
    assert all("a value it depends on is unknown" not in m for _, m in got.values())
