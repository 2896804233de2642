"""Cycles among a template's Conditions are found once each, without recursion."""

from __future__ import annotations

from scanner.loaders.conditions import condition_cycles


def test_a_long_chain_back_to_its_start_is_one_cycle() -> None:
    count = 20_000  # deeper than the interpreter's recursion limit
    conditions = {
        f"C{i}": {"Fn::Not": [{"Condition": f"C{(i + 1) % count}"}]} for i in range(count)
    }
    (cycle,) = condition_cycles(conditions)
    assert cycle.names[0] == cycle.names[-1] == "C0" and len(cycle.names) == count + 1
    assert cycle.path == ("Conditions", "C0", "Fn::Not", 0, "Condition")


def test_chains_without_a_loop_and_unknown_names_are_not_cycles() -> None:
    conditions = {
        "A": {"Fn::And": [{"Condition": "B"}, {"Condition": "C"}]},
        "B": {"Condition": "C"},
        "C": {"Fn::Equals": ["a", {"Ref": "P"}]},
        "D": {"Condition": "Missing"},
    }
    assert condition_cycles(conditions) == []


def test_separate_loops_are_reported_separately_in_template_order() -> None:
    conditions = {
        "Z": {"Condition": "Y"},
        "Y": {"Condition": "Z"},
        "Self": {"Fn::Or": [{"Condition": "Self"}, {"Condition": "Z"}]},
    }
    assert [c.names for c in condition_cycles(conditions)] == [("Z", "Y", "Z"), ("Self", "Self")]
