from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.loaders import LoadOptions
from scanner.loaders.cfn_values import long_form
from scanner.loaders.cloudformation import load
from scanner.loaders.intrinsic_strings import STRING_FUNCTIONS
from scanner.loaders.intrinsics import FUNCTIONS as CORE_FUNCTIONS
from scanner.model import UNKNOWN, Resource

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  Owner: {Type: String}
  Count: {Type: Number, Default: "3"}
  Zones: {Type: "List<AWS::EC2::AvailabilityZone::Name>", Default: "a,b"}
  Secret: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/secret}
Mappings:
  Sizes:
    prod: {Instance: m5.large, Disks: [1, 2]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  HasOwner: !Not [!Equals [!Ref Owner, ""]]
Resources:
  Other:
    Type: AWS::S3::Bucket
  R:
    Type: AWS::Test::Thing
    Properties:
      Value: {value}
"""


def resources(value: str, **parameters: Any) -> list[Resource]:
    text = HEAD.replace("{value}", value)
    result = load("t.yaml", text.encode(), LoadOptions(parameters=parameters))
    assert result.errors == ()
    return [r for r in result.resources if r.id == "R"]


def resolved(value: str, **parameters: Any) -> Any:
    (resource,) = resources(value, **parameters)
    return long_form(resource.body["Properties"].get("Value", "<removed>"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!Ref Env", "prod"),
        ("!Ref Owner", UNKNOWN),
        ("!Ref Count", 3),
        ("!Ref Zones", ["a", "b"]),
        ("!Ref Secret", UNKNOWN),
        ("!Ref AWS::Region", UNKNOWN),
        ("!Ref AWS::NoValue", "<removed>"),
        ("!Ref Other", {"Ref": "Other"}),
        ("!Ref Nowhere", UNKNOWN),
        ("!GetAtt Other.Arn", {"Fn::GetAtt": ["Other", "Arn"]}),
        ("!GetAtt [Other, !Ref Env]", {"Fn::GetAtt": ["Other", "prod"]}),
        ("!GetAtt Nowhere.Arn", UNKNOWN),
        ("!Sub '${Env}-${Count}'", "prod-3"),
        ("!Sub 'x-${!Env}-${Env}'", "x-${Env}-prod"),
        ("!Sub ['${A}/${Env}', {A: lit}]", "lit/prod"),
        ("!Sub '${Owner}-x'", {"Fn::Sub": "${Owner}-x"}),
        ("!Sub '${Owner}'", UNKNOWN),
        ("!Sub '${Other.Arn}/*'", {"Fn::Sub": "${Other.Arn}/*"}),
        (
            "!Sub 'arn:${AWS::Partition}:s3:::${Other}'",
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Other}"},
        ),
        ("!Sub '${!Keep}-${Other}-${Env}'", {"Fn::Sub": "${!Keep}-${Other}-prod"}),
        ("!Sub ['${B}-x', {B: !Ref Other}]", {"Fn::Sub": "${Other}-x"}),
        ("!Sub ['${B}-x', {B: !GetAtt Other.Arn}]", {"Fn::Sub": "${Other.Arn}-x"}),
        ("!Join ['-', [a, !Ref Env, 1, true]]", "a-prod-1-true"),
        ("!Join [',', !Ref Zones]", "a,b"),
        ("!Join ['', [a, !Ref Owner]]", {"Fn::Sub": "a${Owner}"}),
        ("!Join ['', [!Ref Owner, !Ref AWS::Region]]", UNKNOWN),
        ("!Join ['-', [!Select [0, !GetAZs ''], x]]", {"Fn::Sub": "${?}-x"}),
        ("!Join ['', ['arn:', !Ref Other, '/${x}']]", {"Fn::Sub": "arn:${Other}/${!x}"}),
        ("!Join ['', [!Ref AWS::Region, !Ref Other]]", {"Fn::Sub": "${AWS::Region}${Other}"}),
        ("!Join ['', [!Select [0, !GetAZs ''], !Ref Other]]", {"Fn::Sub": "${?}${Other}"}),
        ("!Join ['', [a, !If [IsProd, !Ref AWS::NoValue, b], c]]", "ac"),
        ("!Select [1, [a, b, c]]", "b"),
        ("!Select ['0', !Ref Zones]", "a"),
        ("!Select [5, [a]]", UNKNOWN),
        ("!Select [0, !GetAZs '']", UNKNOWN),
        ("!Split [',', 'a,b,,c']", ["a", "b", "", "c"]),
        ("!Split [',', !Ref Owner]", UNKNOWN),
        ("!FindInMap [Sizes, !Ref Env, Instance]", "m5.large"),
        ("!FindInMap [Sizes, prod, Disks]", [1, 2]),
        ("!FindInMap [Sizes, dev, Instance]", UNKNOWN),
        ("!FindInMap [Sizes, dev, Instance, {DefaultValue: small}]", "small"),
        ("!FindInMap [Sizes, !Ref AWS::Region, Instance]", UNKNOWN),
        ("!If [IsProd, yes-prod, no-prod]", "yes-prod"),
        ("!If [IsProd, !Ref AWS::NoValue, x]", "<removed>"),
        ("!If [Undefined, a, b]", UNKNOWN),
        ("!Equals [!Ref Env, prod]", True),
        ("!Equals [!Ref Owner, x]", UNKNOWN),
        ("!Base64 abc", "YWJj"),
        ("!Base64 {Ref: Other}", {"Fn::Sub": "${?}${Other}"}),  # no known text, refers to Other
        ("!Cidr [192.168.0.0/24, 2, 6]", ["192.168.0.0/26", "192.168.0.64/26"]),
        ("!Cidr [192.168.0.0/24, 9, 6]", UNKNOWN),
        ("!ImportValue shared", UNKNOWN),
        ("!GetAZs ''", UNKNOWN),
        ("!Length [a, b]", 2),
        ("!ToJsonString {a: [1, !Ref Env]}", '{"a":[1,"prod"]}'),
        ("!ToJsonString {a: !Ref Owner}", UNKNOWN),
        ("{Fn::Transform: {Name: M}, a: 1}", UNKNOWN),
        ("{Fn::Unheard: x}", UNKNOWN),
        ("[a, !Ref AWS::NoValue, {k: !Ref AWS::NoValue}]", ["a", {}]),
    ],
)
def test_resolves(value: str, expected: Any) -> None:
    assert resolved(value) == expected


def test_given_parameters_override_defaults_and_fill_pseudo_parameters() -> None:
    given = {"Env": "dev", "Owner": "ops", "AWS::Region": "eu-west-1", "Secret": "s3cr3t"}
    assert resolved("!Sub '${Env}-${Owner}-${AWS::Region}'", **given) == "dev-ops-eu-west-1"
    assert resolved("!Ref Secret", **given) == "s3cr3t"
    assert resolved("!Ref Count", Count="7.5") == 7.5


def test_an_unknown_condition_gives_one_resource_per_truth_value() -> None:
    variants = resources("!If [HasOwner, !Ref Owner, nobody]")
    assert [r.origin.conditions for r in variants] == [{"HasOwner": True}, {"HasOwner": False}]
    assert [r.body["Properties"]["Value"] for r in variants] == [UNKNOWN, "nobody"]
    assert [r.origin.path_map for r in variants] == [
        {("Properties", "Value"): ("Properties", "Value", "Fn::If", 1)},
        {("Properties", "Value"): ("Properties", "Value", "Fn::If", 2)},
    ]


def test_a_known_condition_gives_one_resource_without_assumptions() -> None:
    (resource,) = resources("!If [IsProd, a, b]")
    assert not resource.origin.conditions


def test_variants_are_capped_and_the_rest_is_unknown() -> None:
    conditions = "".join(f"  C{i}: !Equals [!Ref Owner, o{i}]\n" for i in range(5))
    text = HEAD.replace("Conditions:\n", "Conditions:\n" + conditions).replace(
        "{value}", "[" + ", ".join(f"!If [C{i}, a{i}, b{i}]" for i in range(5)) + "]"
    )
    result = load("t.yaml", text.encode(), LoadOptions(max_variants=8))
    variants = [r for r in result.resources if r.id == "R"]
    assert len(variants) == 8
    values = [r.body["Properties"]["Value"] for r in variants]
    assert values[0] == ["a0", "a1", "a2", UNKNOWN, UNKNOWN]
    assert all(len(r.origin.conditions) == 3 for r in variants)
    assert len({tuple(sorted(r.origin.conditions.items())) for r in variants}) == 8


def test_dependent_conditions_are_not_assumed_separately() -> None:
    text = HEAD.replace(
        "Conditions:\n", "Conditions:\n  NoOwner: !Not [!Condition HasOwner]\n"
    ).replace("{value}", "[!If [HasOwner, a, b], !If [NoOwner, c, d]]")
    result = load("t.yaml", text.encode(), LoadOptions())
    variants = [r for r in result.resources if r.id == "R"]
    assert [r.body["Properties"]["Value"] for r in variants] == [["a", "d"], ["b", "c"]]


FUNCTIONS = {**CORE_FUNCTIONS, **STRING_FUNCTIONS}
names = st.sampled_from(["Env", "Owner", "Other", "R", "IsProd", "HasOwner", "AWS::NoValue", "x"])
args = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | names,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["Ref", "Condition", "DefaultValue", "a", *sorted(FUNCTIONS)]),
            children,
            max_size=2,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FUNCTIONS)), args, args)
def test_any_arguments_to_any_function_resolve_without_raising(
    function: str, arg: Any, condition: Any
) -> None:
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "Owner": {"Type": "String"}},
        "Conditions": {"IsProd": condition, "HasOwner": {"Fn::Not": [{"Condition": "IsProd"}]}},
        "Resources": {"R": {"Type": "T", "Properties": {"P": {function: arg}}}},
    }
    text = json.dumps(template).encode()
    result = load("t.json", text, LoadOptions(max_variants=4))
    # the generated IsProd may name HasOwner (or itself): a cycle, reported as I015, is the
    # only error any arguments may give, and the resource is still loaded
    assert {error.code for error in result.errors} <= {"I015"}
    assert 1 <= len(result.resources) <= 4
