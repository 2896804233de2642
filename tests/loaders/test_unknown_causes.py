"""The loader says why a value is UNKNOWN, and unknown findings repeat it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status, is_opaque
from scanner.policyset.compiler import PolicySource, compile_sources

TEMPLATE = b"""\
Parameters:
  Name: {Type: String}
  Named: {Type: String, Default: fixed}
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: VALUE
"""

POLICY = """\
policy P {
  id = "PAC-T-001"
  title = "t"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName startswith "acme-"
}
"""


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("!Ref Name", "parameter Name has no default (give it with --parameter Name=VALUE"),
        ("!Ref AWS::Region", "pseudo parameter AWS::Region is not known"),
        ("!ImportValue shared", "Fn::ImportValue reads another stack's output"),
        ("!Select [0, !GetAZs '']", "Fn::Select depends on values not known statically"),
    ],
)
def test_unknown_finding_names_the_cause(value: str, cause: str) -> None:
    text = TEMPLATE.replace(b"VALUE", value.encode())
    loaded = load("t.yaml", text, LoadOptions())
    (resource,) = loaded.resources
    assert resource.body["Properties"]["BucketName"].cause.startswith(cause)
    program = compile_sources([PolicySource("p.policy", POLICY)]).program
    (finding,) = evaluate(program, loaded.resources, now=datetime.now(timezone.utc))
    assert finding.status is Status.UNKNOWN
    assert f"Properties.BucketName is unknown: {cause}" in finding.message


def test_known_values_record_no_cause() -> None:
    loaded = load("t.yaml", TEMPLATE.replace(b"VALUE", b"!Ref Named"), LoadOptions())
    (resource,) = loaded.resources
    assert not is_opaque(resource.body["Properties"]["BucketName"])
