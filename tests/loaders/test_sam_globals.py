"""SAM ``Globals`` are merged into serverless resources before evaluation, as SAM does."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions, LoadResult
from scanner.loaders.cloudformation import load
from scanner.model import Location, Resource, Status, locate
from scanner.pipeline import compile_policies

FIXTURE = Path(__file__).parents[2] / "fixtures" / "cloudformation" / "sam_globals.yaml"


def _load(text: bytes | None = None) -> LoadResult:
    data = FIXTURE.read_bytes() if text is None else text
    return load(str(FIXTURE), data, LoadOptions())


def _resources() -> dict[str, Resource]:
    return {r.id: r for r in _load().resources}


def _line(resource: Resource, *path: str | int) -> int:
    location = locate(resource, tuple(path))
    assert isinstance(location, Location)
    return location.line


def test_scalars_come_from_globals_unless_the_resource_sets_them() -> None:
    found = _resources()
    assert found["Inherits"].properties["Runtime"] == "python3.7"
    assert found["Inherits"].properties["Timeout"] == 10
    assert found["Overrides"].properties["Runtime"] == "python3.12"


def test_an_intrinsic_in_the_resource_wins_over_globals() -> None:
    overrides = _resources()["Overrides"].properties
    assert "Timeout" not in overrides  # !Ref AWS::NoValue replaces the global 10
    assert "VpcConfig" not in overrides  # an Fn::If is a value of its own, not a mapping


def test_mappings_merge_key_by_key_and_intrinsics_in_globals_resolve() -> None:
    variables = _resources()["Inherits"].properties["Environment"]["Variables"]
    assert variables == {"STAGE": "prod", "LOG_LEVEL": "debug"}


def test_lists_put_the_globals_items_first() -> None:
    assert _resources()["Inherits"].properties["Layers"] == [
        "arn:aws:lambda:us-east-1:123456789012:layer:shared:1",
        "arn:aws:lambda:us-east-1:123456789012:layer:own:1",
    ]


def test_ignore_globals_leaves_out_all_or_the_named_properties() -> None:
    found = _resources()
    assert found["OptsOut"].properties == {
        "Runtime": "nodejs20.x",
        "Handler": "index.handler",
        "CodeUri": "src/",
    }
    skips = found["SkipsRuntime"].properties
    assert "Runtime" not in skips and "Layers" not in skips
    assert skips["Timeout"] == 10


def test_a_resource_without_properties_gets_the_globals() -> None:
    bare = _resources()["Bare"]
    assert bare.properties["Runtime"] == "python3.7"
    assert bare.properties["VpcConfig"] == {"SubnetIds": ["subnet-1", "subnet-2"]}


def test_each_section_goes_to_its_own_type_only() -> None:
    found = _resources()
    assert found["Rest"].properties == {"StageName": "prod", "TracingEnabled": True}
    assert "Runtime" not in found["Plain"].properties


def test_merged_values_are_located_where_they_are_written() -> None:
    text = FIXTURE.read_text(encoding="utf-8").splitlines()
    inherits = _resources()["Inherits"]
    runtime = _line(inherits, "Properties", "Runtime")
    assert text[runtime - 1].strip() == "Runtime: python3.7"
    shared, own = (_line(inherits, "Properties", "Layers", n) for n in (0, 1))
    assert "layer:shared:1" in text[shared - 1] and "layer:own:1" in text[own - 1]
    stage = _line(inherits, "Properties", "Environment", "Variables", "STAGE")
    level = _line(inherits, "Properties", "Environment", "Variables", "LOG_LEVEL")
    assert text[stage - 1].strip() == "STAGE: !Ref Stage"
    assert text[level - 1].strip() == "LOG_LEVEL: debug"


@pytest.mark.parametrize(
    ("globals", "message"),
    [
        ("Globals: [1, 2]", "Globals is not a mapping; it is ignored"),
        ("Globals: {Function: [1]}", "Globals.Function is not a mapping; it is ignored"),
        (
            "Globals: {Function: {Events: {}}}",
            "Globals.Function.Events is not a property SAM takes from Globals; it is ignored",
        ),
        (
            "Globals: {Queue: {VisibilityTimeout: 30}}",
            "Globals section Queue is not one SAM knows (Api, CapacityProvider, Function, "
            "HttpApi, LayerVersion, SimpleTable, StateMachine, WebSocketApi); it is ignored",
        ),
    ],
)
def test_malformed_globals_are_ignored_with_a_warning(globals: str, message: str) -> None:
    text = f"""\
Transform: AWS::Serverless-2016-10-31
{globals}
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python3.12}}
""".encode()
    loaded = _load(text)
    assert [(e.severity, e.message) for e in loaded.errors] == [("warning", message)]
    assert all(e.location is not None and e.location.line == 2 for e in loaded.errors)
    assert [r.properties for r in loaded.resources] == [{"Runtime": "python3.12"}]


def test_a_deprecated_runtime_in_globals_fails_and_says_where_it_is_set() -> None:
    program = compile_policies([], {}, frozenset({"PAC-LAMBDA-002"})).program
    findings = evaluate(program, _load().resources, now=datetime.now(timezone.utc))
    verdicts = {f.resource.id: f.status for f in findings}
    assert verdicts == {
        "Inherits": Status.FAIL,
        "Overrides": Status.PASS,
        "OptsOut": Status.PASS,
        "SkipsRuntime": Status.SKIP,
        "Bare": Status.FAIL,
        "Plain": Status.SKIP,
    }
    failed = next(f for f in findings if f.resource.id == "Inherits")
    assert failed.message.endswith("(set in Globals.Function.Runtime)")
    assert failed.location is not None
    assert failed.location.line == 9


BOMB = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
layers = ["l"] * 60_000
functions = {
    f"F{n}": {"Type": "AWS::Serverless::Function", "Properties": {"Layers": ["own"]}}
    for n in range(400)
}
template = {"Globals": {"Function": {"Layers": layers}}, "Resources": functions}
started = time.monotonic()
loaded = load("t.json", json.dumps(template).encode(), LoadOptions())
merged = sum(len(r.properties["Layers"]) > 1 for r in loaded.resources)
print(json.dumps([len(loaded.resources), merged, [e.message for e in loaded.errors]]))
"""


def test_a_long_globals_list_over_many_functions_stays_bounded() -> None:
    # Without a bound: 400 copies of 60,000 layers and an origin for each, gigabytes.
    done = subprocess.run(
        [sys.executable, "-c", BOMB], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    count, merged, errors = json.loads(done.stdout)
    assert count == 400
    assert 0 < merged < 400
    assert len(errors) == 1 and "Globals are not merged into F" in errors[0]
