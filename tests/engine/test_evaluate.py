from __future__ import annotations

from datetime import datetime, timezone

from scanner.engine.evaluate import evaluate
from scanner.model import Document, Location, Resource, Span, Status
from scanner.policyset.compiler import PolicySource, compile_sources

POLICIES = """
policy BUCKET {
  id = "PAC-S3-001"  title = "bucket named"  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName exists
}
policy QUEUE {
  id = "PAC-SQS-001"  title = "queue encrypted"  severity = high
  resource AWS::SQS::Queue, AWS::SNS::Topic
  assert Properties.KmsMasterKeyId exists
}
policy AGE {
  id = "PAC-IAM-001"  title = "key age"  severity = high
  resource Test::Spec::AccessKey
  assert days_since(Properties.Created) < 10
}
"""


def _program():  # type: ignore[no-untyped-def]
    result = compile_sources([PolicySource("p.policy", POLICIES)])
    assert result.diagnostics == []
    return result.program


def _res(kind: str, rid: str, props: dict[str, object], **kw: object) -> Resource:
    return Resource(kind, rid, {"Type": kind, "Properties": props}, **kw)  # type: ignore[arg-type]


def test_one_finding_per_policy_and_resource_of_its_type() -> None:
    resources = [
        _res("AWS::S3::Bucket", "B", {"BucketName": "b"}),
        _res("AWS::SNS::Topic", "T", {}),
        _res("AWS::EC2::VPC", "V", {}),
        _res("AWS::SQS::Queue", "Q", {"KmsMasterKeyId": "k"}),
    ]
    findings = evaluate(_program(), resources)
    got = [(f.resource.id, f.policy.id, f.status) for f in findings]
    assert got == [
        ("B", "PAC-S3-001", Status.PASS),
        ("T", "PAC-SQS-001", Status.FAIL),
        ("Q", "PAC-SQS-001", Status.PASS),
    ]


def test_now_is_the_clock_of_days_since() -> None:
    key = _res("Test::Spec::AccessKey", "K", {"Created": "2024-01-01T00:00:00Z"})
    early = evaluate(_program(), [key], now=datetime(2024, 1, 5, tzinfo=timezone.utc))
    late = evaluate(_program(), [key], now=datetime(2024, 3, 1, tzinfo=timezone.utc))
    assert early[0].status is Status.PASS
    assert late[0].status is Status.FAIL


def test_evaluation_errors_become_error_findings_and_the_rest_runs() -> None:
    bad = _res("Test::Spec::AccessKey", "K", {"Created": "last tuesday"})
    good = _res("AWS::S3::Bucket", "B", {"BucketName": "b"})
    findings = evaluate(_program(), [bad, good])
    assert findings[0].status is Status.ERROR
    assert "is not an ISO 8601 time" in findings[0].message
    assert findings[1].status is Status.PASS


def test_location_points_at_the_parent_key_of_a_missing_property() -> None:
    doc = Document(
        "t.yaml",
        "cloudformation",
        positions={
            ("Resources", "B"): Span(Location("t.yaml", 3, 3), Location("t.yaml", 4, 5)),
            ("Resources", "B", "Properties"): Span(
                Location("t.yaml", 5, 5, 5, 15), Location("t.yaml", 6, 7)
            ),
        },
    )
    bucket = Resource(
        "AWS::S3::Bucket",
        "B",
        {"Type": "AWS::S3::Bucket", "Properties": {"Tags": []}},
        document=doc,
        path=("Resources", "B"),
    )
    finding = evaluate(_program(), [bucket])[0]
    assert finding.status is Status.FAIL
    assert finding.path == ("Properties", "BucketName")
    assert finding.location == Location("t.yaml", 5, 5, 5, 15)


def test_evaluate_does_not_change_the_resources() -> None:
    body = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}
    snapshot = repr(body)
    evaluate(_program(), [Resource("AWS::S3::Bucket", "B", body)])
    assert repr(body) == snapshot


def test_select_by_id_name_and_pattern() -> None:
    program = _program()
    assert [p.info.id for p in program.select({"PAC-S3-*"}, set()).policies] == ["PAC-S3-001"]
    assert [p.info.id for p in program.select({"QUEUE"}, set()).policies] == ["PAC-SQS-001"]
    kept = program.select(None, {"PAC-IAM-001"})
    assert [p.info.id for p in kept.policies] == ["PAC-S3-001", "PAC-SQS-001"]
    assert "Test::Spec::AccessKey" not in kept.by_type
