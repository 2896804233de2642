from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.errors import InputError
from scanner.loaders.json_source import read_json
from scanner.loaders.source import Limits
from scanner.model import Location, Span


def error_of(text: str, limits: Limits | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_json("t.json", text, limits or Limits())
    return caught.value


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]))
def test_reads_what_json_dumps_writes(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=indent == 0)
    assert read_json("t.json", text, Limits()).value == value


@pytest.mark.parametrize(
    "text",
    ["0", "-0.5e-3", '"\\ud83d\\ude00 \\n \\u00e9"', "[[], {}, [{}]]", ' { "a" : [ 1 , 2 ] } '],
)
def test_agrees_with_json_loads(text: str) -> None:
    assert read_json("t.json", text, Limits()).value == json.loads(text)


def test_numbers_keep_their_kind() -> None:
    value = read_json("t.json", "[1, 1.0, 1e2, -0]", Limits()).value
    assert value == [1, 1.0, 100.0, 0]
    assert [type(v) for v in value] == [int, float, float, int]
    assert math.copysign(1, read_json("t.json", "-0.0", Limits()).value) == -1


def test_positions_of_keys_and_values() -> None:
    text = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue", "N": [1, true]}\n  }\n}\n'
    positions = read_json("t.json", text, Limits()).positions
    assert positions[("Resources", "Q", "Type")] == Span(
        Location("t.json", 3, 11, 3, 17), Location("t.json", 3, 19, 3, 36)
    )
    assert positions[("Resources", "Q", "N", 1)] == Span(None, Location("t.json", 3, 47, 3, 51))
    assert positions[("Resources",)] == Span(
        Location("t.json", 2, 3, 2, 14), Location("t.json", 2, 16, 4, 4)
    )
    assert positions[()].value == Location("t.json", 1, 1, 5, 2)


def test_crlf_positions() -> None:
    positions = read_json("t.json", '{\r\n"a":\r\n  1}', Limits()).positions
    assert positions[("a",)] == Span(Location("t.json", 2, 1, 2, 4), Location("t.json", 3, 3, 3, 4))


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1,}', "invalid JSON: expected a key after ','", 1, 9),
        ('{"a" 1}', "invalid JSON: expected ':' after the key", 1, 6),
        ("[1 2]", "invalid JSON: expected ',' or ']'", 1, 4),
        ('{"a": [1}', "invalid JSON: expected ',' or ']'", 1, 9),
        ("[1]]", "invalid JSON: extra data after the document", 1, 4),
        ('{"a":\n  tru}', "invalid JSON: expected a value", 2, 3),
        ("{'a': 1}", "invalid JSON: expected a string key in double quotes", 1, 2),
        ('{"a": "\\x"}', "invalid JSON: invalid \\escape", 1, 8),
        ('{"a": "open', "invalid JSON: unterminated string", 1, 7),
        ('{"a": "x\ty"}', "invalid JSON: invalid control character '\\t' in a string", 1, 9),
        ('{"a": [', "invalid JSON: unexpected end of file", 1, 8),
        ('["\\ud800"]', "invalid JSON: a \\u escape is an unpaired surrogate", 1, 2),
    ],
)
def test_syntax_errors_are_located(text: str, message: str, line: int, column: int) -> None:
    error = error_of(text)
    assert error.code == "I006"
    assert error.message == message
    assert error.location is not None
    assert (error.location.line, error.location.column) == (line, column)


def test_duplicate_keys_name_both_places() -> None:
    error = error_of('{\n  "a": 1,\n  "b": {"c": 1,\n   "c": 2}\n}')
    assert error.code == "I007"
    assert error.message == "duplicate key 'c' (first defined at line 3)"
    assert error.location == Location("t.json", 4, 4, 4, 5)


def test_deep_nesting_is_an_error_not_a_recursion_error() -> None:
    error = error_of('{"a": ' * 5000 + "1" + "}" * 5000)
    assert error.code == "I008"
    assert error.message == "nested too deeply (more than 500 levels)"
    assert error.location is not None and error.location.column == 3001


def test_node_limit() -> None:
    assert error_of("[[1, 2], [3]]", Limits(max_nodes=3)).code == "I009"


def test_nodes_holding_intrinsics_are_marked_dynamic() -> None:
    parsed = read_json("t.json", '{"a": [{"Fn::If": []}], "b": [{"c": 1}]}', Limits())
    value = parsed.value
    assert {id(value), id(value["a"]), id(value["a"][0])} <= parsed.dynamic
    assert id(value["b"]) not in parsed.dynamic
