"""Fn::ForEach loops under Resources are expanded into the resources they make."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.engine.evaluate import evaluate
from scanner.engine.relations import Relations
from scanner.loaders import LoadOptions, LoadResult
from scanner.loaders import foreach as foreach_module
from scanner.loaders.cfn_values import long_form
from scanner.loaders.cloudformation import load
from scanner.model import UNKNOWN, Finding, Location, Resource, Status
from scanner.policyset.compiler import PolicySource, compile_sources

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cloudformation"
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def load_fixture(name: str, **parameters: str) -> LoadResult:
    path = FIXTURES / name
    return load(str(path), path.read_bytes(), LoadOptions(parameters=parameters))


def load_text(text: str, **parameters: str) -> LoadResult:
    return load("t.yaml", text.encode(), LoadOptions(parameters=parameters))


def bodies(result: LoadResult) -> dict[str, dict[str, object]]:
    """Each resource's body, with references and partial strings in long form."""
    return {r.id: long_form(dict(r.body)) for r in result.resources}


def resource(result: LoadResult, logical_id: str) -> Resource:
    (found,) = [r for r in result.resources if r.id == logical_id]
    return found


def test_a_loop_over_a_list_parameter_makes_its_resources_in_template_order() -> None:
    result = load_fixture("foreach.yaml")
    assert [r.id for r in result.resources] == [
        "logsBucket",
        "logsPolicy",
        "assetsBucket",
        "assetsPolicy",
        "Queueeuwest1a",
        "Queueuseast1b",
        "DevWebTopic",
        "DevDbTopic",
        "ProdWebTopic",
        "ProdDbTopic",
        "Plain",
    ]


def test_given_parameter_values_choose_the_items() -> None:
    ids = [r.id for r in load_fixture("foreach.yaml", Names="data,web").resources]
    assert ids[:4] == ["dataBucket", "dataPolicy", "webBucket", "webPolicy"]
    assert "logsBucket" not in ids


def test_ref_and_sub_of_the_identifier_are_the_item() -> None:
    found = bodies(load_fixture("foreach.yaml"))
    bucket = found["assetsBucket"]["Properties"]
    assert bucket == {
        "BucketName": {"Fn::Sub": "acme-assets-${AWS::Region}"},
        "VersioningConfiguration": {"Status": "Suspended"},
        "Tags": [{"Key": "name", "Value": "assets"}],
    }
    policy = found["assetsPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "assetsBucket"}
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] == "arn:aws:s3:::acme-assets/*"


def test_ampersand_keys_drop_non_alphanumeric_characters_but_values_keep_them() -> None:
    found = bodies(load_fixture("foreach.yaml"))
    assert found["Queueuseast1b"]["Properties"] == {"QueueName": "q-us-east-1.b"}
    assert found["Queueeuwest1a"]["Properties"] == {"QueueName": "q-eu-west-1a"}


def test_nested_loops_see_both_identifiers() -> None:
    found = bodies(load_fixture("foreach.yaml"))
    assert found["ProdDbTopic"]["Properties"] == {"TopicName": "Prod-Db", "DisplayName": "Prod/Db"}
    assert found["DevWebTopic"]["Properties"] == {"TopicName": "Dev-Web", "DisplayName": "Dev/Web"}


def test_yaml_and_json_twins_expand_alike() -> None:
    yaml_result, json_result = load_fixture("foreach.yaml"), load_fixture("foreach.json")
    assert yaml_result.errors == json_result.errors == ()
    assert [(r.id, r.path, r.body) for r in yaml_result.resources] == [
        (r.id, r.path, r.body) for r in json_result.resources
    ]


def test_colliding_logical_ids_are_errors_naming_both() -> None:
    result = load_fixture("bad/foreach.yaml")
    name = str(FIXTURES / "bad" / "foreach.yaml")
    errors = [e for e in result.errors if e.code == "I011"]
    assert [(e.severity, e.message, e.location) for e in errors] == [
        (
            "error",
            "Fn::ForEach::Again makes resource logsBucket, which Fn::ForEach::Buckets also "
            "makes (line 9); only the first is scanned",
            Location(name, 19, 7, 19, 20),
        ),
        (
            "error",
            "Fn::ForEach::Shadow makes resource Plain, which Resources also declares "
            "(line 26); the copy is not scanned",
            Location(name, 24, 7, 24, 14),
        ),
    ]
    assert errors[0].source_line == "    - ${Name}Bucket:"
    assert [(r.id, r.path[:2]) for r in result.resources] == [
        ("logsBucket", ("Resources", "Fn::ForEach::Buckets")),
        ("assetsBucket", ("Resources", "Fn::ForEach::Buckets")),
        ("Plain", ("Resources", "Plain")),
    ]


def test_an_unknown_collection_is_a_warning_and_the_rest_is_scanned() -> None:
    result = load_fixture("bad/foreach.yaml")
    (warning,) = [e for e in result.errors if e.code == "I012"]
    assert warning.severity == "warning"
    assert warning.message == (
        "Fn::ForEach::Pending is not expanded, so the resources it makes are not scanned: "
        "parameter Unset has no default (give it with --parameter Unset=VALUE or "
        "--parameters-file)"
    )
    assert warning.location is not None and warning.location.line == 13
    assert warning.source_line == "    - !Ref Unset"
    assert [r.id for r in result.resources] == ["logsBucket", "assetsBucket", "Plain"]


def test_a_given_value_expands_a_loop_over_a_parameter_without_default() -> None:
    result = load_fixture("bad/foreach.yaml", Unset="orders,users")
    assert not [e for e in result.errors if e.code == "I012"]
    ids = [r.id for r in result.resources]
    assert ids[2:4] == ["ordersTable", "usersTable"]


LOOP = """\
Transform: AWS::LanguageExtensions
Parameters:
  Single: {Type: String, Default: one}
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn::ForEach::Topics:
    - Name
    - COLLECTION
    - Topic&{Name}: {Type: AWS::SNS::Topic}
  Kept: {Type: AWS::SNS::Topic}
"""


@pytest.mark.parametrize(
    ("collection", "why"),
    [
        ("!Ref Single", "its collection is not a list"),
        ("[a, !Ref AWS::Region]", "item 1 of its collection is not a known string"),
        ("!If [IsProd, [a], [b]]", "its collection depends on condition IsProd"),
        ("!GetAZs ''", "Fn::GetAZs depends on values not known statically"),
    ],
)
def test_collections_that_cannot_be_known_say_why(collection: str, why: str) -> None:
    result = load_text(LOOP.replace("COLLECTION", collection))
    assert [r.id for r in result.resources] == ["Kept"]
    (warning,) = result.errors
    assert (warning.code, warning.severity) == ("I012", "warning")
    assert warning.message.endswith(f"are not scanned: {why}")
    assert warning.location is not None and warning.location.line == 10


@pytest.mark.parametrize(
    ("collection", "ids"),
    [
        ("!Split [',', 'a-1,b']", ["Topica1", "Topicb"]),
        ("[1, 2]", ["Topic1", "Topic2"]),
        ("!Ref Env", ["Topicdev"]),
    ],
)
def test_collections_that_resolve_to_a_list_are_expanded(collection: str, ids: list[str]) -> None:
    text = LOOP.replace("COLLECTION", collection)
    result = load_text(text.replace("Type: String}", "Type: CommaDelimitedList}"), Env="dev")
    assert result.errors == ()
    assert [r.id for r in result.resources] == [*ids, "Kept"]


def test_without_the_transform_a_loop_is_a_warning() -> None:
    text = LOOP.replace("Transform: AWS::LanguageExtensions\n", "").replace("COLLECTION", "[a]")
    result = load_text(text)
    assert [r.id for r in result.resources] == ["Kept"]
    (warning,) = result.errors
    assert (warning.code, warning.severity) == ("I012", "warning")
    assert warning.message == (
        "Fn::ForEach::Topics is not expanded, so the resources it makes are not scanned: "
        "the template has no Transform: AWS::LanguageExtensions, which CloudFormation "
        "requires for it"
    )
    assert warning.location is not None and warning.location.line == 7


def test_a_loop_of_the_wrong_shape_is_an_error() -> None:
    text = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Bad: [Name, [a]]
  Kept: {Type: AWS::SNS::Topic}
"""
    result = load_text(text)
    assert [r.id for r in result.resources] == ["Kept"]
    (error,) = result.errors
    assert (error.code, error.severity, error.message) == (
        "I011",
        "error",
        "Fn::ForEach::Bad is not [Identifier, Collection, {OutputKey: OutputValue}]; "
        "it is not expanded",
    )


def test_references_to_copies_by_sub_and_get_att_name_the_copy() -> None:
    text = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Alerts:
    - Name
    - [Disk]
    - ${Name}Topic: {Type: AWS::SNS::Topic}
      ${Name}Queue: {Type: AWS::SQS::Queue}
      ${Name}Subscription:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: !Ref {Fn::Sub: "${Name}Topic"}
          Endpoint: !GetAtt ${Name}Queue.Arn
          Region: !GetAtt [!Sub "${Name}Queue", QueueName]
          Unrelated: !Ref ${Other}Topic
"""
    found = bodies(load_text(text))
    assert found["DiskSubscription"]["Properties"] == {
        "TopicArn": {"Ref": "DiskTopic"},
        "Endpoint": {"Fn::GetAtt": ["DiskQueue", "Arn"]},
        "Region": {"Fn::GetAtt": ["DiskQueue", "QueueName"]},
        "Unrelated": UNKNOWN,
    }


def test_loops_stop_at_the_cap_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(foreach_module, "MAX_COPIES", 3)
    text = LOOP.replace("COLLECTION", "[a, b, c, d, e]")
    result = load_text(text)
    assert [r.id for r in result.resources] == ["Topica", "Topicb", "Topicc", "Kept"]
    (warning,) = result.errors
    assert warning.message == "loops make more than 3 resources; the rest are not scanned"


VERSIONING = """\
policy VERSIONING {
  id = "PAC-T-001"
  title = "t"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == "Enabled"
}
"""

HAS_POLICY = """\
policy HAS_POLICY {
  id = "PAC-T-002"
  title = "t"
  severity = low
  resource AWS::S3::Bucket
  assert count(related(AWS::S3::BucketPolicy, Properties.Bucket)) == 1
}
"""


def run(policy: str, result: LoadResult) -> dict[str, Finding]:
    program = compile_sources([PolicySource("p.policy", policy)]).program
    return {f.resource.id: f for f in evaluate(program, result.resources, now=NOW)}


def test_findings_on_a_copy_point_into_the_loop_body() -> None:
    result = load_fixture("foreach.yaml")
    findings = run(VERSIONING, result)
    name = str(FIXTURES / "foreach.yaml")
    for logical_id in ("logsBucket", "assetsBucket"):
        finding = findings[logical_id]
        assert finding.status is Status.FAIL
        assert finding.location == Location(name, 16, 13, 16, 30)


def test_findings_on_a_copy_in_json_point_into_the_loop_body() -> None:
    result = load_fixture("foreach.json")
    finding = run(VERSIONING, result)["assetsBucket"]
    location = finding.location
    document = resource(result, "assetsBucket").document
    assert document is not None and location is not None
    assert document.source_line(location.line) == '              "Status": "Suspended"'


def test_a_copied_policy_relates_to_the_copied_bucket_it_names() -> None:
    result = load_fixture("foreach.yaml")
    relations = Relations(list(result.resources))
    steps = (("key", "Properties"), ("key", "Bucket"))
    for name in ("logs", "assets"):
        bucket, policy = resource(result, f"{name}Bucket"), resource(result, f"{name}Policy")
        assert relations.related(bucket, "AWS::S3::BucketPolicy", steps) == [policy.body]
    findings = run(HAS_POLICY, result)
    assert {findings[i].status for i in ("logsBucket", "assetsBucket")} == {Status.PASS}
