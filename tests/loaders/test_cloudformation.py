from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import pytest

from scanner.errors import Diagnostic
from scanner.loaders import LoadOptions, LoadResult
from scanner.loaders.cfn_values import long_form
from scanner.loaders.cloudformation import claims, load
from scanner.model import UNKNOWN, Location, Resource, TemplateOrigin, locate

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cloudformation"


def load_fixture(name: str, **parameters: str) -> LoadResult:
    path = FIXTURES / name
    return load(str(path), path.read_bytes(), LoadOptions(parameters=parameters))


def by_id(result: LoadResult) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {}
    for resource in result.resources:
        found.setdefault(resource.id, []).append(resource)
    return found


def at(name: str, line: int, column: int, end_line: int, end_column: int) -> Location:
    return Location(str(FIXTURES / name), line, column, end_line, end_column)


def test_yaml_and_json_twins_resolve_to_the_same_bodies() -> None:
    yaml_result, json_result = load_fixture("intrinsics.yaml"), load_fixture("intrinsics.json")
    assert yaml_result.errors == json_result.errors == ()
    assert [(r.id, r.body) for r in yaml_result.resources] == [
        (r.id, r.body) for r in json_result.resources
    ]


@pytest.mark.parametrize("name", ["intrinsics.yaml", "intrinsics.json"])
def test_intrinsics_fixture_resolves_exactly(name: str) -> None:
    resources = {r.id: long_form(r.body) for r in load_fixture(name).resources}
    tags = {tag["Key"]: tag["Value"] for tag in resources["Bucket"]["Properties"]["Tags"]}
    assert resources["Bucket"]["Properties"]["BucketName"] == "prod-logs-${Literal}"
    assert tags == {
        "region": UNKNOWN,
        "owner": UNKNOWN,
        "joined": "prod:subnet-b:8080",
        "split": "c",
        "size": "m5.large",
        "fallback": "t3.nano",
        "imported": UNKNOWN,
        "zones": UNKNOWN,
        "encoded": "aGVsbG8=",
        "image": UNKNOWN,
    }
    assert resources["Policy"]["Properties"]["Bucket"] == {"Ref": "Bucket"}
    assert resources["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] == [
        {"Fn::GetAtt": ["Bucket", "Arn"]},
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
        {"Fn::Sub": "arn:aws:s3:::${Bucket}/logs/*"},
        {"Fn::Sub": "${Bucket}/prod"},
    ]
    assert resources["Network"]["Properties"] == {
        "CidrBlock": "10.0.0.0/16",
        "Blocks": ["10.0.0.0/24", "10.0.1.0/24"],
        "Listed": ["one", "three"],
    }


def test_given_parameters_reach_every_function() -> None:
    result = load_fixture("intrinsics.yaml", Env="dev", Owner="ops", **{"AWS::Region": "us-east-2"})
    tags = {t["Key"]: t["Value"] for t in by_id(result)["Bucket"][0].body["Properties"]["Tags"]}
    assert (tags["region"], tags["owner"], tags["size"]) == ("us-east-2", "ops", "t3.micro")


def test_resources_carry_their_document_and_path() -> None:
    result = load_fixture("sam.yaml")
    (document,) = result.documents
    handler = by_id(result)["Handler"][0]
    assert handler.type == "AWS::Serverless::Function"
    assert handler.document is document and handler.path == ("Resources", "Handler")
    assert document.format == "cloudformation"
    assert long_form(handler.body["Properties"]["Policies"]) == [
        {"S3ReadPolicy": {"BucketName": {"Ref": "Data"}}}
    ]
    assert document.source_line(11) == "      Handler: app.handler"


def test_conditions_fixture_variants() -> None:
    found = by_id(load_fixture("conditions.yaml"))
    logs = found["Logs"]
    assert [r.origin.conditions for r in logs] == [{"IsProd": True}, {"IsProd": False}]
    assert [r.body["Properties"]["VersioningConfiguration"]["Status"] for r in logs] == [
        "Enabled",
        "Suspended",
    ]
    assert [r.body["Properties"]["Tags"] for r in logs] == [
        [{"Key": "dev-only"}, {"Key": "keep", "Value": "kept"}],
        [{"Key": "dev-only", "Value": "true"}, {"Key": "keep", "Value": "kept"}],
    ]
    (prod_only,) = found["ProdOnly"]
    assert prod_only.origin.conditions == {"IsProd": True}
    assert prod_only.body["Properties"] == {"KmsMasterKeyId": "alias/prod"}
    (never,) = found["Never"]  # not created: kept so that policies report it as skipped
    assert never.origin == TemplateOrigin(not_created="condition NeverTrue is false")


def test_a_given_parameter_decides_the_condition() -> None:
    found = by_id(load_fixture("conditions.yaml", Env="dev"))
    (logs,) = found["Logs"]
    assert logs.body["Properties"]["VersioningConfiguration"]["Status"] == "Suspended"
    (prod_only,) = found["ProdOnly"]
    assert prod_only.origin.not_created == "condition IsProd is false (parameter Env=dev)"


def test_locate_points_at_the_chosen_if_branch() -> None:
    name = "conditions.yaml"
    enabled, suspended = by_id(load_fixture(name))["Logs"]
    status = ("Properties", "VersioningConfiguration", "Status")
    assert locate(enabled, status) == at(name, 23, 13, 23, 20)
    assert locate(suspended, status) == at(name, 24, 13, 24, 22)
    assert locate(suspended, ("Properties", "Tags", 0, "Value")) == at(name, 27, 30, 27, 36)


def test_locate_a_missing_property_points_at_the_parent_key() -> None:
    name = "comments.yaml"
    (topic,) = load_fixture(name).resources
    assert locate(topic, ("Properties", "KmsMasterKeyId")) == at(name, 7, 5, 7, 15)
    assert locate(topic, ("Properties", "Subscription", 0, "Missing")) is not None
    assert locate(topic, ("Properties", "TopicName")) == at(name, 9, 7, 9, 24)


def test_comments_do_not_stretch_positions() -> None:
    name = "comments.yaml"
    (document,) = load_fixture(name).documents
    assert document.positions[("Resources", "Topic", "Properties", "Subscription")].value == at(
        name, 11, 9, 12, 26
    )


def test_crlf_positions() -> None:
    name = "crlf.yaml"
    (queue,) = load_fixture(name).resources
    assert locate(queue, ("Properties", "QueueName")) == at(name, 6, 7, 6, 22)
    assert locate(queue, ("Properties", "Tags", 0, "Value")) == at(name, 9, 11, 9, 19)
    assert queue.document is not None and queue.document.source_line(6) == "      QueueName: crlf"


@pytest.mark.parametrize("name", ["not-a-template.yaml", "package.json"])
def test_other_yaml_and_json_is_skipped(name: str) -> None:
    assert load_fixture(name) == LoadResult(skipped=True)


def test_a_second_document_after_a_template_is_an_error_and_the_first_is_scanned() -> None:
    text = b"Resources:\n  A: {Type: AWS::SNS::Topic}\n---\nb: 1\n"
    result = load("t.yaml", text, LoadOptions())
    (error,) = result.errors
    assert error.location is not None
    assert (error.code, error.location.line, error.location.column) == ("I016", 3, 1)
    assert error.message.endswith("a template is one document: only the first is scanned")
    assert [r.id for r in result.resources] == ["A"]


def test_a_template_hidden_after_an_empty_document_is_an_error() -> None:
    text = b"---\n# nothing\n---\nResources:\n  A: {Type: AWS::SNS::Topic}\n"
    result = load("t.yaml", text, LoadOptions())
    (error,) = result.errors
    assert error.location is not None and (error.code, error.location.line) == ("I016", 3)
    assert error.message.endswith("this file is not scanned")


def test_other_multi_document_streams_are_skipped() -> None:
    text = b"apiVersion: v1\nkind: Pod\n---\nkind: Service\n"
    assert load("k8s.yaml", text, LoadOptions()) == LoadResult(skipped=True)


@pytest.mark.parametrize(
    ("resources", "what"),
    [("", "empty"), ("[]", "a list"), ("\n  - {Type: AWS::SNS::Topic}", "a list")],
)
def test_resources_that_is_not_a_mapping_is_an_error_at_its_key(resources: str, what: str) -> None:
    text = f"Description: x\nResources: {resources}\nOutputs: {{}}\n".encode()
    (error,) = load("t.yaml", text, LoadOptions()).errors
    assert error.location is not None
    assert (error.code, error.location.line, error.location.column) == ("I011", 2, 1)
    assert error.message == (
        f"Resources is {what}, not a mapping of logical ids to resources; "
        "no resource of this template is scanned"
    )


def test_a_scalar_resources_is_an_error_in_a_template() -> None:
    text = b"AWSTemplateFormatVersion: '2010-09-09'\nResources: nothing\n"
    (error,) = load("t.yaml", text, LoadOptions()).errors
    assert error.message.startswith("Resources is a string, not a mapping")


@pytest.mark.parametrize(
    ("conditions", "message", "line"),
    [
        ("  A: !Condition A\n", "condition A refers to itself", 2),
        ("  A: !Not [!Condition B]\n  B: !Condition A\n", "(A -> B -> A)", 2),
        (
            "  X: !Equals [a, a]\n  A: !And [!Condition X, !Condition B]\n"
            "  B: !Or [!Condition C, !Condition X]\n  C: !Not [!Condition A]\n",
            "(A -> B -> C -> A)",
            3,
        ),
    ],
)
def test_circular_conditions_are_an_error_at_the_reference(
    conditions: str, message: str, line: int
) -> None:
    text = (
        "Conditions:\n" + conditions + "Resources:\n  T: {Type: AWS::SNS::Topic, Condition: A}\n"
    ).encode()
    result = load("t.yaml", text, LoadOptions())
    (error,) = result.errors
    assert error.code == "I015" and message in error.message
    assert error.location is not None and error.location.line == line
    assert error.source_line is not None and "Condition" in error.source_line
    assert [r.id for r in result.resources] == ["T"]  # the rest is still scanned


def error_of(name: str) -> Diagnostic:
    result = load_fixture(name)
    assert result.resources == () and len(result.errors) == 1
    return result.errors[0]


@pytest.mark.parametrize(
    ("name", "code", "message", "where"),
    [
        ("bad/empty.yaml", "I002", "empty file", None),
        ("bad/binary.json", "I003", "binary data, not a YAML or JSON text file", None),
        ("bad/invalid-utf8.yaml", "I004", "invalid UTF-8 (byte 0xe9 at offset 123)", (6, 22)),
        (
            "bad/malformed.yaml",
            "I005",
            "invalid YAML: did not find expected ',' or ']'"
            " (while parsing a flow sequence at line 5)",
            (6, 1),
        ),
        ("bad/malformed.json", "I006", "invalid JSON: expected a key after ','", (3, 42)),
        (
            "bad/duplicate-keys.yaml",
            "I007",
            "duplicate key 'BucketName' (first defined at line 6)",
            (7, 7),
        ),
    ],
)
def test_bad_files_give_one_diagnostic(
    name: str, code: str, message: str, where: tuple[int, int] | None
) -> None:
    error = error_of(name)
    assert (error.code, error.message, error.file) == (code, message, str(FIXTURES / name))
    if where is None:
        assert error.location is None
    else:
        assert error.location is not None
        assert (error.location.line, error.location.column) == where


def test_resources_without_a_string_type_are_errors_and_the_rest_loads() -> None:
    name = "bad/module-type.yaml"
    result = load_fixture(name)
    assert [r.id for r in result.resources] == ["Fine"]
    assert [(e.code, e.message, e.location) for e in result.errors] == [
        (
            "I011",
            "resource Module has a Type that is not a string; it is not scanned",
            at(name, 4, 11, 4, 40),
        ),
        ("I011", "resource NoType has no Type", at(name, 5, 3, 5, 9)),
    ]
    assert result.errors[0].source_line == '    Type: !Rain::Module "./bucket.yaml"'


def test_a_transform_among_the_resources_is_a_warning_and_the_rest_loads() -> None:
    text = b"""\
Resources:
  Kept: {Type: AWS::SNS::Topic}
  Fn::Transform:
    Name: AWS::Include
    Parameters: {Location: s3://bucket/extra.yaml}
"""
    result = load("t.yaml", text, LoadOptions())
    assert [r.id for r in result.resources] == ["Kept"]
    (warning,) = result.errors
    assert (warning.code, warning.severity) == ("I012", "warning")
    assert warning.message == (
        "Fn::Transform in Resources is not expanded; the resources it adds are not scanned"
    )
    assert warning.location is not None and warning.location.line == 3


def test_a_yaml_flow_mapping_is_not_mistaken_for_bad_json() -> None:
    text = b"{Resources: {T: {Type: AWS::SNS::Topic}}}\n"
    (topic,) = load("t.template", text, LoadOptions()).resources
    assert topic.body == {"Type": "AWS::SNS::Topic"}


def test_bad_json_in_a_template_file_reports_the_json_error() -> None:
    result = load("t.template", b'{"Resources": {"T": {"Type": "x",,}}}', LoadOptions())
    assert [e.code for e in result.errors] == ["I006"]


@pytest.mark.parametrize(
    ("path", "head", "claimed"),
    [
        ("a.yaml", b"", True),
        ("a.TEMPLATE", b"", True),
        ("a.txt", b'  {"Resources": {}}', True),
        ("a.txt", b"AWSTemplateFormatVersion: x", True),
        ("README.md", b"# Resources", False),
    ],
)
def test_claims(path: str, head: bytes, claimed: bool) -> None:
    assert claims(path, head) is claimed


def nested_template(depth: int) -> bytes:
    inner: object = {"Ref": "X"}
    for level in range(depth):
        inner = {"a": inner} if level % 2 else [inner]
    text = '{"Resources": {"X": {"Type": "T"}, "R": {"Type": "T", "Properties": {"P": '
    return (text + json.dumps(inner) + "}}}}").encode()


def test_resolution_handles_the_deepest_document_the_reader_accepts() -> None:
    result = load("t.json", nested_template(490), LoadOptions())
    assert result.errors == ()
    resource = by_id(result)["R"][0]
    value = resource.body["Properties"]["P"]
    for level in reversed(range(490)):
        value = value["a"] if level % 2 else value[0]
    assert long_form(value) == {"Ref": "X"}


def test_running_out_of_stack_while_resolving_is_an_error_for_that_resource() -> None:
    data = nested_template(300)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)
    try:
        result = load("t.json", data, LoadOptions())
    finally:
        sys.setrecursionlimit(limit)
    assert [r.id for r in result.resources] == ["X"]
    assert [(e.code, e.message) for e in result.errors] == [
        ("I008", "resource R is nested too deeply to resolve")
    ]
