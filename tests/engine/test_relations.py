from __future__ import annotations

import pytest

from scanner.engine.relations import Relations
from scanner.loaders.cfn_values import declared_names, typed
from scanner.model import UNKNOWN, Document, LiveOrigin, Origin, Resource, TemplateOrigin, Unknown

STEPS = (("key", "Properties"), ("key", "Bucket"))


def _res(kind: str, rid: str, props: object, doc: Document | None = None, **meta: str) -> Resource:
    """A template resource (in ``doc``, long-form intrinsics typed as the loader does) or,
    without a document, a live one."""
    body = typed({"Type": kind, "Properties": props})
    origin: Origin
    if doc is None:
        origin = LiveOrigin(arn=meta.get("arn", rid), account="", region="", name=meta.get("name"))
    else:
        names, nameable = declared_names(kind, body)
        origin = TemplateOrigin(names=names, nameable=nameable)
    return Resource(kind, rid, body, document=doc, origin=origin)


def test_cloudformation_refs_only_count_inside_the_same_document() -> None:
    one, two = Document("a.yaml", "cloudformation"), Document("b.yaml", "cloudformation")
    bucket = _res("AWS::S3::Bucket", "Logs", {}, one)
    same = _res("AWS::S3::BucketPolicy", "P1", {"Bucket": {"Ref": "Logs"}}, one)
    other = _res("AWS::S3::BucketPolicy", "P2", {"Bucket": {"Ref": "Logs"}}, two)
    found = Relations([bucket, same, other]).related(bucket, "AWS::S3::BucketPolicy", STEPS)
    assert found == [same.body]


def test_live_resources_relate_by_arn_name_or_arn_prefix() -> None:
    bucket = _res("AWS::S3::Bucket", "arn:aws:s3:::logs", {}, arn="arn:aws:s3:::logs", name="logs")
    by_name = _res("AWS::S3::BucketPolicy", "p1", {"Bucket": "logs"})
    by_arn = _res("AWS::S3::BucketPolicy", "p2", {"Bucket": ["arn:aws:s3:::logs/*"]})
    unrelated = _res("AWS::S3::BucketPolicy", "p3", {"Bucket": "arn:aws:s3:::logs-archive"})
    relations = Relations([bucket, by_name, by_arn, unrelated])
    found = relations.related(bucket, "AWS::S3::BucketPolicy", STEPS)
    assert found == [by_name.body, by_arn.body]


def test_wildcard_paths_look_at_every_value() -> None:
    doc = Document("a.yaml", "cloudformation")
    topic = _res("AWS::SNS::Topic", "Alerts", {}, doc)
    sub = _res("AWS::CloudWatch::Alarm", "A", {"AlarmActions": ["x", {"Ref": "Alerts"}]}, doc)
    steps = (("key", "Properties"), ("key", "AlarmActions"), ("list", None))
    assert Relations([topic, sub]).related(topic, "AWS::CloudWatch::Alarm", steps) == [sub.body]


def test_a_resource_is_not_related_to_itself() -> None:
    doc = Document("a.yaml", "cloudformation")
    odd = _res("AWS::S3::BucketPolicy", "P", {"Bucket": {"Ref": "P"}}, doc)
    assert Relations([odd]).related(odd, "AWS::S3::BucketPolicy", STEPS) == []


def test_a_template_resource_is_found_by_the_name_it_declares() -> None:
    doc = Document("a.yaml", "cloudformation")
    name = {"Fn::Sub": "${App}-data-${AWS::AccountId}"}
    bucket = _res("AWS::S3::Bucket", "Data", {"BucketName": name}, doc)
    fixed = _res("AWS::S3::Bucket", "Fixed", {"BucketName": "fixed-name"}, doc)
    by_sub = _res("AWS::S3::BucketPolicy", "P1", {"Bucket": dict(name)}, doc)
    by_text = _res("AWS::S3::BucketPolicy", "P2", {"Bucket": "fixed-name"}, doc)
    other = _res("AWS::S3::BucketPolicy", "P3", {"Bucket": {"Fn::Sub": "${App}-logs"}}, doc)
    relations = Relations([bucket, fixed, by_sub, by_text, other])
    assert relations.related(bucket, "AWS::S3::BucketPolicy", STEPS) == [by_sub.body]
    assert relations.related(fixed, "AWS::S3::BucketPolicy", STEPS) == [by_text.body]


def test_templates_with_unnamed_unknown_parts_are_not_the_same_name() -> None:
    doc = Document("a.yaml", "cloudformation")
    name = {"Fn::Sub": "logs-${?}"}
    bucket = _res("AWS::S3::Bucket", "Logs", {"BucketName": name}, doc)
    policy = _res("AWS::S3::BucketPolicy", "P", {"Bucket": dict(name)}, doc)
    assert Relations([bucket, policy]).related(bucket, "AWS::S3::BucketPolicy", STEPS) == []


def test_declared_names_only_count_inside_the_same_document() -> None:
    one, two = Document("a.yaml", "cloudformation"), Document("b.yaml", "cloudformation")
    name = {"Fn::Sub": "${App}-data"}
    bucket = _res("AWS::S3::Bucket", "Data", {"BucketName": name}, one)
    policy = _res("AWS::S3::BucketPolicy", "P", {"Bucket": dict(name)}, two)
    assert Relations([bucket, policy]).related(bucket, "AWS::S3::BucketPolicy", STEPS) == []


def _unknown(kind: str, rid: str, doc: Document, cause: str, external: bool = False) -> Resource:
    bucket = Unknown(cause, external=external)
    return _res(kind, rid, {"Bucket": bucket}, doc)


def test_a_parameter_can_only_stand_for_a_bucket_that_declares_its_name() -> None:
    doc = Document("a.yaml", "cloudformation")
    anonymous = _res("AWS::S3::Bucket", "Data", {"VersioningConfiguration": {}}, doc)
    named = _res("AWS::S3::Bucket", "Logs", {"BucketName": "acme-logs"}, doc)
    cause = "parameter LogBucket has no default"
    policy = _unknown("AWS::S3::BucketPolicy", "P", doc, cause, external=True)
    relations = Relations([anonymous, named, policy])
    assert relations.related(anonymous, "AWS::S3::BucketPolicy", STEPS) == []
    assert relations.related(named, "AWS::S3::BucketPolicy", STEPS) is UNKNOWN


@pytest.mark.parametrize(
    "cause",
    [
        "pseudo parameter AWS::Region is not known",
        "Fn::ImportValue reads another stack's output, known only at deploy time",
    ],
)
def test_values_from_outside_the_stack_skip_anonymous_resources(cause: str) -> None:
    doc = Document("a.yaml", "cloudformation")
    vpc = _res("AWS::EC2::VPC", "Vpc", {"CidrBlock": "10.0.0.0/16"}, doc)
    unknown = Unknown(cause, external=True)
    log = _res("AWS::EC2::FlowLog", "Log", {"ResourceId": unknown}, doc)
    steps = (("key", "Properties"), ("key", "ResourceId"))
    assert Relations([vpc, log]).related(vpc, "AWS::EC2::FlowLog", steps) == []


def test_an_unknown_that_could_be_a_reference_leaves_every_resource_open() -> None:
    doc = Document("a.yaml", "cloudformation")
    bucket = _res("AWS::S3::Bucket", "Data", {}, doc)
    undecided = _unknown(
        "AWS::S3::BucketPolicy", "P", doc, "the Fn::If condition cannot be decided statically"
    )
    no_cause = _res("AWS::S3::BucketPolicy", "Q", {"Bucket": UNKNOWN}, doc)
    for candidate in (undecided, no_cause):
        relations = Relations([bucket, candidate])
        assert relations.related(bucket, "AWS::S3::BucketPolicy", STEPS) is UNKNOWN
        assert relations.candidates(bucket, "AWS::S3::BucketPolicy", STEPS) == (
            (candidate, ("Properties", "Bucket")),
            1,
            [],
        )


def test_known_references_beside_an_unknown_one_are_definite() -> None:
    doc = Document("a.yaml", "cloudformation")
    bucket = _res("AWS::S3::Bucket", "Data", {}, doc)
    other = _res("AWS::S3::Bucket", "Other", {"BucketName": "other"}, doc)
    targets = {"Buckets": [{"Ref": "Data"}, UNKNOWN]}
    topic = _res("Test::Spec::Notify", "N", targets, doc)
    steps = (("key", "Properties"), ("key", "Buckets"), ("list", None))
    relations = Relations([bucket, other, topic])
    assert relations.related(bucket, "Test::Spec::Notify", steps) == [topic.body]
    assert relations.related(other, "Test::Spec::Notify", steps) is UNKNOWN
    assert relations.candidates(other, "Test::Spec::Notify", steps)[:2] == (
        (topic, ("Properties", "Buckets", 1)),
        1,
    )


def test_uncertain_candidates_are_counted_without_the_subject_or_definite_matches() -> None:
    doc = Document("a.yaml", "cloudformation")
    cause = "the Fn::If condition cannot be decided statically"
    policies = [_unknown("AWS::S3::BucketPolicy", f"P{n}", doc, cause) for n in range(4)]
    bucket = _res("AWS::S3::BucketPolicy", "P0", {"Bucket": UNKNOWN}, doc)
    relations = Relations([bucket, *policies[1:]])
    first, count, found = relations.candidates(bucket, "AWS::S3::BucketPolicy", STEPS)
    assert (first, count, found) == ((policies[1], ("Properties", "Bucket")), 3, [])
    assert relations.candidates(policies[1], "AWS::S3::BucketPolicy", STEPS)[1] == 3
