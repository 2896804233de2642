"""Fn::If variants of one resource: one finding when they agree, one each when they differ."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status
from scanner.policyset.compiler import PolicySource, compile_sources

TEMPLATE = b"""\
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
"""

POLICIES = """\
policy VERSIONING {
  id = "PAC-T-001"
  title = "versioning"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == "Enabled" else "{id} is not versioned"
}

policy NAME {
  id = "PAC-T-002"
  title = "name"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName startswith "acme-" else "{id} is badly named"
}
"""


def _findings() -> list:
    loaded = load("t.yaml", TEMPLATE, LoadOptions())
    assert len(loaded.resources) == 2  # one per assumption about IsProd
    program = compile_sources([PolicySource("p.policy", POLICIES)]).program
    return evaluate(program, loaded.resources, now=datetime.now(timezone.utc))


def test_variants_that_agree_give_one_finding_without_a_condition() -> None:
    (name,) = [f for f in _findings() if f.policy.id == "PAC-T-002"]
    assert name.status is Status.FAIL
    assert name.message == "Logs is badly named"
    assert not name.resource.origin.conditions


def test_variants_that_differ_each_name_their_condition() -> None:
    versioning = [f for f in _findings() if f.policy.id == "PAC-T-001"]
    assert sorted((f.status.value, f.message) for f in versioning) == [
        ("fail", "Logs is not versioned (when condition IsProd is false)"),
        ("pass", "versioning"),
    ]
