from __future__ import annotations

from scanner.engine import paths
from scanner.model import UNKNOWN, Reference, Unknown
from scanner.values import MISSING


def test_keys_stop_at_missing_and_unknown() -> None:
    cause = Unknown("parameter P has no default")
    body = {"A": {"B": 1}, "U": UNKNOWN, "C": cause, "R": Reference("X", None, "!Ref X")}
    assert paths.keys(body, ["A", "B"]) == 1
    assert paths.keys(body, ["A", "C"]) is MISSING
    assert paths.keys(body, ["U", "C"]) is UNKNOWN
    assert paths.keys(body, ["C", "D"]) is cause  # below an unknown value: the same cause
    assert paths.keys(body, ["R", "C"]) is UNKNOWN


def test_fan_out_drops_missing_and_unknown_count_makes_it_unknown() -> None:
    values = [{"L": [{"P": 1}, {"Q": 2}, {"P": 3}]}]
    steps = [("key", "L"), ("list", None), ("key", "P")]
    assert paths.fan_out(values, steps, None) == [1, 3]
    assert paths.fan_out([{"L": UNKNOWN}], steps, None) is UNKNOWN


def test_traced_fan_out_knows_where_each_value_is() -> None:
    found = paths.fan_out_traced(
        [({"M": {"a": [5]}}, ("Properties",))], [("key", "M"), ("map", None), ("index", 0)], None
    )
    assert found == [(5, ("Properties", "M", "a", 0))]
