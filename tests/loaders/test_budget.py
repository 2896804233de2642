"""Resolving a template's intrinsic functions is bounded in work and in the size it builds."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from scanner.loaders import LoadOptions, LoadResult, load_inputs
from scanner.loaders.cloudformation import load
from scanner.loaders.source import INTRINSIC_BUDGET
from scanner.model import UNKNOWN

HEAD: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}


def template(value: Any, **extra: Any) -> str:
    resources = {
        "First": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "first"}},
        "Bomb": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": value}},
        "Last": {"Type": "AWS::S3::Bucket"},
    }
    return json.dumps({**HEAD, **extra, "Resources": resources}, indent=1)


def load_json(text: str, **options: Any) -> LoadResult:
    return load("t.json", text.encode(), LoadOptions(**options))


def nested(kind: str, depth: int) -> Any:
    node: Any = "x" if kind == "Fn::Sub" else {"Ref": "AWS::Region"}
    for _ in range(depth):
        if kind == "Fn::Select":
            node = {"Fn::Select": [0, [node]]}
        else:  # doubles the string per level
            node = {"Fn::Sub": ["${a}${a}", {"a": node}]}
    return node


def over_budget(result: LoadResult) -> Any:
    (error,) = [e for e in result.errors if e.code == INTRINSIC_BUDGET]
    return error


def test_nested_select_resolves_each_level_once() -> None:
    # 150 levels in 400 steps: resolving the chosen item again per level takes 2**150
    result = load_json(template(nested("Fn::Select", 150)), max_intrinsic_steps=400)
    assert result.errors == ()
    bomb = next(r for r in result.resources if r.id == "Bomb")
    assert bomb.body["Properties"]["BucketName"].cause.startswith("pseudo parameter")


def test_select_skips_items_that_disappear_and_tracks_the_chosen_one() -> None:
    value = {"Fn::Select": [1, [{"Ref": "AWS::NoValue"}, "a", {"Fn::Sub": "b-${AWS::Region}"}]]}
    result = load_json(template(value), parameters={"AWS::Region": "eu-west-1"})
    bomb = next(r for r in result.resources if r.id == "Bomb")
    assert bomb.body["Properties"]["BucketName"] == "b-eu-west-1"
    moved = bomb.origin.path_map[("Properties", "BucketName")]
    assert moved == ("Properties", "BucketName", "Fn::Select", 1, 2)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (nested("Fn::Sub", 64), "Fn::Sub builds a value of more than 4096 characters"),
        (
            {"Fn::Join": ["", [nested("Fn::Sub", 10)] * 8]},
            "Fn::Join builds a value of more than 4096 characters",
        ),
        (
            {"Fn::Join": [{"Fn::Join": ["", ["-"] * 300]}, ["a"] * 300]},
            "Fn::Join builds a value of more than 4096 characters",
        ),
        (
            {"Fn::Split": [",", {"Fn::Join": ["", [",,,,,,,,,,"] * 10]}]},
            "Fn::Split builds a value of more than 4096 characters",
        ),
        (
            {"Fn::Base64": {"Fn::Join": ["", ["aaaaaaaaaa"] * 400]}},
            "Fn::Base64 builds a value of more than 4096 characters",
        ),
    ],
)
def test_a_built_string_over_the_limit_is_one_error_at_the_intrinsic(
    value: Any, message: str
) -> None:
    result = load_json(template(value), max_intrinsic_string=4096)
    error = over_budget(result)
    assert error.message.startswith(message)
    assert error.location is not None and error.source_line is not None
    assert '"Fn::' in error.source_line  # the line of the intrinsic that went over
    assert [r.id for r in result.resources] == ["First"]  # resolved before it: kept


def test_to_json_string_of_a_shared_mapping_value_is_measured_before_it_is_built() -> None:
    mappings = {"M": {"K": {"V": ["x" * 1000] * 10}}}
    item = {"Fn::FindInMap": ["M", "K", "V"]}
    value = {"Fn::ToJsonString": [item] * 100}  # 100 KB from a 10 KB mapping
    result = load_json(
        template(value, Mappings=mappings, Transform="AWS::LanguageExtensions"),
        max_intrinsic_string=50_000,
    )
    assert "Fn::ToJsonString builds a value of more than 50000" in over_budget(result).message


def test_strings_built_across_resources_count_against_one_document_total() -> None:
    resources = {
        f"B{i}": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "x" * 100}}}
        for i in range(50)
    }
    text = json.dumps({**HEAD, "Resources": resources})
    result = load_json(text, max_intrinsic_bytes=2000)
    assert "build more than 2000 characters in all" in over_budget(result).message
    assert len(result.resources) == 20  # the 21st Fn::Sub goes over 2000 characters


def sub_chain(depth: int) -> Any:
    """``Fn::Sub`` levels over a partial string, each adding three parts to it."""
    node: Any = {"Ref": "First"}
    for _ in range(depth):
        node = {"Fn::Sub": ["${a}-${b}-${AWS::Region}", {"a": node, "b": {"Ref": "Last"}}]}
    return node


def test_copying_a_partial_string_costs_a_step_per_part() -> None:
    # level k copies the ~3k parts of the level below: the walk itself is ~8 steps a level,
    # so 40 levels are ~320 steps walked but ~2,400 parts copied
    assert load_json(template(sub_chain(40)), max_intrinsic_steps=4000).errors == ()
    result = load_json(template(sub_chain(40)), max_intrinsic_steps=1000)
    assert "more than 1000 steps" in over_budget(result).message


def test_work_over_the_step_limit_is_one_error_and_other_files_still_load(tmp_path: Any) -> None:
    bomb = tmp_path / "bomb.json"
    bomb.write_text(template(nested("Fn::Select", 150)))
    good = tmp_path / "good.json"
    good.write_text(template("plain"))
    loaded = load_inputs([str(bomb), str(good)], LoadOptions(jobs=1, max_intrinsic_steps=200))
    (error,) = loaded.errors
    assert error.code == INTRINSIC_BUDGET
    assert "more than 200 steps" in error.message
    assert error.location is not None and error.location.file == str(bomb)
    assert {r.document.path for r in loaded.resources} >= {str(good)}
    assert len([r for r in loaded.resources if r.document.path == str(good)]) == 3


def loops(depth: int, width: int, outputs: Any) -> str:
    inner: Any = outputs
    for level in range(depth):
        inner = {f"Fn::ForEach::L{level}": [f"V{level}", [str(i) for i in range(width)], inner]}
    resources = {"Plain": {"Type": "AWS::S3::Bucket"}, **inner}
    return json.dumps({**HEAD, "Transform": "AWS::LanguageExtensions", "Resources": resources})


def test_loops_that_make_nothing_are_bounded_by_iterations() -> None:
    started = time.monotonic()
    result = load_json(loops(4, 300, {}))  # 8.1 billion iterations unbounded
    assert time.monotonic() - started < 20
    error = over_budget(result)
    assert "Fn::ForEach loops of this template run more than 100000 iterations" in error.message
    assert error.source_line is not None and "Fn::ForEach::L" in error.source_line


def test_iterations_are_counted_across_nested_loops() -> None:
    # the outer loop: 10 items with 1 output each; the inner one: 10 times 10 items
    assert load_json(loops(2, 10, {}), max_loop_iterations=120).errors == ()
    result = load_json(loops(2, 10, {}), max_loop_iterations=119)
    assert "more than 119 iterations" in over_budget(result).message


def test_a_loop_key_that_repeats_a_long_item_is_bounded() -> None:
    key = "${Name}" * 100
    outputs = {key: {"Type": "AWS::S3::Bucket"}}
    loop = {"Fn::ForEach::L": ["Name", ["n" * 100], outputs]}
    text = json.dumps(
        {**HEAD, "Transform": "AWS::LanguageExtensions", "Resources": {"A": {"Type": "X"}, **loop}}
    )
    result = load_json(text, max_intrinsic_string=5000)
    assert "a loop identifier substitution builds a value of more than 5000" in (
        over_budget(result).message
    )


@pytest.mark.parametrize(("count", "expected"), [(256, 256), (100_000_000, UNKNOWN)])
def test_cidr_counts_past_cloudformation_limit_are_unknown_not_built(
    count: int, expected: Any
) -> None:
    value = {"Fn::Length": {"Fn::Cidr": ["10.0.0.0/8", count, 1]}}
    started = time.monotonic()
    result = load_json(template(value))
    assert time.monotonic() - started < 10
    bomb = next(r for r in result.resources if r.id == "Bomb")
    assert bomb.body["Properties"]["BucketName"] == expected
