from __future__ import annotations

import pytest

from scanner.errors import InputError
from scanner.loaders import yaml_source
from scanner.loaders.source import Limits
from scanner.loaders.yaml_source import read_yaml
from scanner.model import UNKNOWN, Location, Span


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not yaml_source.WITH_LIBYAML:
            pytest.skip("PyYAML was built without libyaml")
    else:
        monkeypatch.setattr(yaml_source, "WITH_LIBYAML", False)
    return str(request.param)


def value_of(text: str) -> object:
    return read_yaml("t.yaml", text, Limits()).value


def error_of(text: str, limits: Limits | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_yaml("t.yaml", text, limits or Limits())
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Bucket", {"Ref": "Bucket"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Bucket.Arn", {"Fn::GetAtt": ["Bucket", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Bucket, Arn]", {"Fn::GetAtt": ["Bucket", "Arn"]}),
        ("!Sub '${AWS::Region}-x'", {"Fn::Sub": "${AWS::Region}-x"}),
        ("!Sub [a, {b: c}]", {"Fn::Sub": ["a", {"b": "c"}]}),
        ("!If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
        ("!Join ['-', [a, b]]", {"Fn::Join": ["-", ["a", "b"]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, k, v]", {"Fn::FindInMap": ["M", "k", "v"]}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        (
            "!And [!Condition A, !Condition B]",
            {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]},
        ),
        ("!Or [!Condition A]", {"Fn::Or": [{"Condition": "A"}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!ImportValue shared", {"Fn::ImportValue": "shared"}),
        ("!Transform {Name: M}", {"Fn::Transform": {"Name": "M"}}),
        ("!Length [a]", {"Fn::Length": ["a"]}),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
    ],
)
def test_short_form_tags_read_as_long_form(parser: str, text: str, expected: object) -> None:
    assert value_of(f"Value: {text}\n") == {"Value": expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Off", False),
        ("~", None),
        ("", None),
        ("0755", 493),
        ("0x1F", 31),
        ("0b101", 5),
        ("-1_000", -1000),
        ("190:20:30", 685230),
        ("1.5", 1.5),
        ("1e+3", 1000.0),
        ("-.inf", float("-inf")),
        ("2012-10-17", "2012-10-17"),
        ("'1'", "1"),
        ('"true"', "true"),
        ("08", "08"),
        ("!!str 12", "12"),
        ("!!int '12'", 12),
        ("!!binary aGk=", "aGk="),
        ("1" * 5000, "1" * 5000),
    ],
)
def test_scalars_follow_yaml_1_1_but_timestamps_stay_strings(
    parser: str, text: str, expected: object
) -> None:
    assert value_of(f"v: {text}\n") == {"v": expected}


def test_keys_are_the_key_text(parser: str) -> None:
    assert value_of("1: a\ntrue: b\nnull: c\n") == {"1": "a", "true": "b", "null": "c"}


@pytest.mark.parametrize("text", ["? [a]\n: 1\n", "{[a]: 1}\n", "? {a: b}\n: 1\n"])
def test_a_collection_as_a_key_is_an_error(parser: str, text: str) -> None:
    error = error_of(text)
    assert (error.code, error.message) == (
        "I005",
        "a mapping key must be a scalar, not a mapping or a list",
    )


def test_unknown_tags_read_as_unknown(parser: str) -> None:
    assert value_of("a: !Rain::Module x\nb: !Custom [1]\n") == {"a": UNKNOWN, "b": UNKNOWN}


def test_positions_are_one_based_with_exclusive_end_columns(parser: str) -> None:
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Tags: [a, {K: v}]\n"
    positions = read_yaml("t.yaml", text, Limits()).positions
    assert positions[("Resources", "Bucket", "Type")] == Span(
        Location("t.yaml", 3, 5, 3, 9), Location("t.yaml", 3, 11, 3, 26)
    )
    assert positions[("Resources", "Bucket")] == Span(
        Location("t.yaml", 2, 3, 2, 9), Location("t.yaml", 3, 5, 4, 22)
    )
    assert positions[("Resources", "Bucket", "Tags", 1, "K")] == Span(
        Location("t.yaml", 4, 16, 4, 17), Location("t.yaml", 4, 19, 4, 20)
    )
    assert positions[("Resources", "Bucket", "Tags", 0)].key is None


def test_block_values_end_at_their_last_character_not_after_comments(parser: str) -> None:
    text = "a:\n  - x\n  # note\n\nb: |\n  line\n\nc: 1\n"
    positions = read_yaml("t.yaml", text, Limits()).positions
    assert positions[("a",)].value == Location("t.yaml", 2, 3, 2, 6)
    assert positions[("b",)].value == Location("t.yaml", 5, 4, 6, 7)


def test_crlf_line_endings_count_as_one_break(parser: str) -> None:
    text = "a: 1\r\nb:\r\n  c: 2\r\n"
    positions = read_yaml("t.yaml", text, Limits()).positions
    assert positions[("b", "c")] == Span(
        Location("t.yaml", 3, 3, 3, 4), Location("t.yaml", 3, 6, 3, 7)
    )


def test_short_form_positions_cover_the_tag(parser: str) -> None:
    positions = read_yaml("t.yaml", "v: !GetAtt B.Arn\n", Limits()).positions
    whole = Location("t.yaml", 1, 4, 1, 17)
    assert positions[("v",)].value == whole
    assert positions[("v", "Fn::GetAtt")].value == whole
    assert positions[("v", "Fn::GetAtt", 1)].value == whole


def test_duplicate_key_names_both_places(parser: str) -> None:
    error = error_of("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert error.code == "I007"
    assert error.message == "duplicate key 'c' (first defined at line 3)"
    assert error.location == Location("t.yaml", 4, 3, 4, 4)
    assert error.source_line == "  c: 2"


def test_syntax_error_is_located(parser: str) -> None:
    error = error_of("a: 1\nb: [x\nc: 2\n")
    assert error.code == "I005"
    assert error.location is not None and error.location.line == 3
    assert "while parsing a flow sequence at line 2" in error.message


def test_aliases_expand_and_are_located_at_their_anchor(parser: str) -> None:
    parsed = read_yaml("t.yaml", "a: &x {k: v}\nb: *x\n", Limits())
    assert parsed.value == {"a": {"k": "v"}, "b": {"k": "v"}}
    assert parsed.positions[("b", "k")].value == Location("t.yaml", 1, 11, 1, 12)
    assert parsed.positions[("b",)].value == Location("t.yaml", 2, 4, 2, 6)


def test_alias_bomb_is_an_error_not_an_explosion(parser: str) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    error = error_of("\n".join(lines) + "\n")
    assert error.code == "I009"
    assert "aliases expand to more than 100000 nodes" in error.message


def test_undefined_and_recursive_aliases_are_errors(parser: str) -> None:
    assert error_of("a: *nothing\n").code == "I005"
    assert "refers to no anchor" in error_of("a: &r [*r]\n").message


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "".join(f"{' ' * i}k:\n" for i in range(600)) + " " * 600 + "k: v\n",
        "- " * 5000 + "x\n",
    ],
    ids=["flow", "block-mappings", "block-sequences"],
)
def test_deep_nesting_is_an_error_not_a_crash(parser: str, text: str) -> None:
    error = error_of(text)
    assert error.code in ("I008", "I005")  # libyaml has its own flow limit (1000 levels)
    assert "nest" in error.message


def test_depth_limit_names_the_limit(parser: str) -> None:
    error = error_of("a:\n  b:\n    c: [1]\n", Limits(max_depth=3))
    assert error.code == "I008"
    assert error.message == "nested too deeply (more than 3 levels)"
    assert error.location == Location("t.yaml", 3, 8, 3, 9)


def test_node_limit(parser: str) -> None:
    error = error_of("a: [1, 2, 3]\nb: [4]\n", Limits(max_nodes=4))
    assert error.code == "I009"


def test_only_the_first_document_is_read_and_documents_are_counted(parser: str) -> None:
    parsed = read_yaml("t.yaml", "a: 1\n---\nb: 2\n", Limits())
    assert parsed.value == {"a": 1}
    assert parsed.documents == 2
    assert read_yaml("t.yaml", "# only a comment\n", Limits()).documents == 0


def test_nodes_holding_intrinsics_are_marked_dynamic(parser: str) -> None:
    parsed = read_yaml("t.yaml", "a: {b: [1, !Ref X]}\nc: {d: [1]}\n", Limits())
    value = parsed.value
    assert isinstance(value, dict)
    marked = {id(value), id(value["a"]), id(value["a"]["b"]), id(value["a"]["b"][1])}
    assert marked <= parsed.dynamic
    assert id(value["c"]) not in parsed.dynamic
    assert id(value["c"]["d"]) not in parsed.dynamic
