"""A resource whose Condition is false is not created: each policy over its type reports a
skip that says so, in every output format, instead of the resource vanishing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scanner.engine.relations import Relations
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status
from scanner.pipeline import ScanRequest, compile_policies, run_scan
from scanner.report import renderer
from scanner.result import ReportOptions

TEMPLATE = """\
Parameters:
  Env: {Type: String, Default: dev}
  Secret: {Type: String, NoEcho: true, Default: hunter22}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  ProdWithSecret: !And [!Condition IsProd, !Equals [!Ref Secret, x]]
  Never: !Equals [a, b]
  TwoZones: !Equals [!Join [",", !Ref Zones], "a"]
Resources:
  Data:
    Type: AWS::S3::Bucket
  ProdPolicy:
    Type: AWS::S3::BucketPolicy
    Condition: IsProd
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: "*"
            Condition: {Bool: {"aws:SecureTransport": false}}
  Queue:
    Type: AWS::SQS::Queue
    Condition: ProdWithSecret
  Topic:
    Type: AWS::SNS::Topic
    Condition: Never
  Logs:
    Type: AWS::Logs::LogGroup
    Condition: TwoZones
"""


def _load(text: str = TEMPLATE, **parameters: str):  # type: ignore[no-untyped-def]
    return load("t.yaml", text.encode(), LoadOptions(parameters=parameters))


def test_a_false_condition_keeps_the_resource_and_says_why() -> None:
    found = {r.id: r for r in _load().resources}
    assert found["ProdPolicy"].origin.not_created == (
        "condition IsProd is false (parameter Env=dev)"
    )
    assert found["Topic"].origin.not_created == "condition Never is false"
    assert found["Logs"].origin.not_created == ("condition TwoZones is false (parameter Zones=a,b)")
    assert found["Data"].origin.not_created is None


def test_a_no_echo_parameter_value_is_not_shown() -> None:
    queue = next(r for r in _load().resources if r.id == "Queue")
    assert queue.origin.not_created == (
        "condition ProdWithSecret is false (parameters Env=dev, Secret=***)"
    )
    assert "hunter22" not in queue.origin.not_created


def test_a_true_or_undecided_condition_creates_the_resource() -> None:
    prod = {r.id: r for r in _load(Env="prod").resources}
    assert prod["ProdPolicy"].origin.not_created is None
    undecided = TEMPLATE.replace("{Type: String, Default: dev}", "{Type: String}")
    policy = next(r for r in _load(undecided).resources if r.id == "ProdPolicy")
    assert policy.origin.not_created is None
    assert policy.origin.conditions == {"IsProd": True}


def test_a_resource_that_is_not_created_relates_to_nothing() -> None:
    resources = _load().resources
    data = next(r for r in resources if r.id == "Data")
    steps = (("key", "Properties"), ("key", "Bucket"))
    assert Relations(resources).related(data, "AWS::S3::BucketPolicy", steps) == []


POLICIES = """
policy DENIES_HTTP {
  id = "T-POL-001"  title = "bucket policies deny plain HTTP"  severity = high
  resource AWS::S3::BucketPolicy
  assert any Properties.PolicyDocument.Statement[*] as s: s.Effect == "Deny"
}
policy HAS_POLICY {
  id = "T-BKT-001"  title = "buckets have a bucket policy"  severity = high
  resource AWS::S3::Bucket
  assert count(related(AWS::S3::BucketPolicy, Properties.Bucket)) > 0
}
policy QUEUE_KEY {
  id = "T-SQS-001"  title = "queues name a key"  severity = high
  resource AWS::SQS::Queue
  assert Properties.KmsMasterKeyId exists
}
"""


def _scan(tmp_path: Path, **parameters: str):  # type: ignore[no-untyped-def]
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "p.policy").write_text(POLICIES, encoding="utf-8")
    compiled = compile_policies([str(tmp_path / "p.policy")], {})
    assert compiled.diagnostics == ()
    request = ScanRequest(
        paths=(str(tmp_path / "in"),), root=str(tmp_path / "in"), template_parameters=parameters
    )
    return run_scan(request, compiled)


def test_every_policy_of_its_type_skips_it_at_its_condition(tmp_path: Path) -> None:
    result = _scan(tmp_path)
    by_key = {(f.policy.id, f.resource.id): f for f in result.findings}
    skipped = by_key[("T-POL-001", "ProdPolicy")]
    assert skipped.status is Status.SKIP
    assert skipped.message == (
        "resource ProdPolicy is not created: condition IsProd is false (parameter Env=dev)"
    )
    assert skipped.path == ("Condition",)
    assert skipped.location is not None and skipped.location.line == 15
    assert by_key[("T-SQS-001", "Queue")].status is Status.SKIP
    # the bucket's only bucket policy does not exist under these parameters
    assert by_key[("T-BKT-001", "Data")].status is Status.FAIL
    created = {(f.policy.id, f.resource.id): f.status for f in _scan(tmp_path, Env="prod").findings}
    assert created[("T-BKT-001", "Data")] is Status.PASS


MESSAGE = "resource ProdPolicy is not created: condition IsProd is false (parameter Env=dev)"


@pytest.mark.parametrize("include_passed", [True, False])
def test_reports_treat_it_like_any_skip(tmp_path: Path, include_passed: bool) -> None:
    result = _scan(tmp_path)
    options = ReportOptions(include_passed=include_passed)
    text = renderer("text")(result, options)
    data = json.loads(renderer("json")(result, options))
    sarif = json.loads(renderer("sarif")(result, options))
    junit = ET.fromstring(renderer("junit")(result, options))
    assert data["summary"]["skip"] == 2  # ProdPolicy and Queue
    listed = [f for f in data["findings"] if f["resource"]["id"] == "ProdPolicy"]
    results = [r for r in sarif["runs"][0]["results"] if MESSAGE in r["message"]["text"]]
    cases = [c for c in junit.iter("testcase") if "ProdPolicy" in (c.get("name") or "")]
    assert len(cases) == 1  # JUnit has a test case per finding either way
    skipped = cases[0].find("skipped")
    assert skipped is not None and MESSAGE in (skipped.get("message") or "")
    if not include_passed:
        assert MESSAGE not in text and listed == [] and results == []
        return
    assert f"[skip]\n    {MESSAGE}" in text
    assert [(f["resource"]["id"], f["message"], f["path"]) for f in listed] == [
        ("ProdPolicy", MESSAGE, ["Condition"])
    ]
    (shown,) = results
    assert (shown["kind"], shown["level"], shown["message"]["text"]) == (
        "notApplicable",
        "none",
        MESSAGE + ".",
    )
    region = shown["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 15
