"""The unrolled forms of the hottest nodes (built-in calls of one to three arguments, a
variable's key, ``[*]``, ``in`` a list of strings) give what the general forms give:
the same value or error and the same steps spent, for every kind of value."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from scanner.engine import calls, closures, logic, paths
from scanner.engine.context import Ctx, Node, spend
from scanner.lang.builtins import REGISTRY
from scanner.lang.builtins.spec import Builtin, argument_size
from scanner.model import UNKNOWN, Reference, Resource
from scanner.values import MISSING

VALUES: list[Any] = [
    MISSING,
    UNKNOWN,
    Reference("Bucket", None, "!Ref Bucket"),
    None,
    True,
    22,
    -1,
    2.5,
    "22",
    "tcp",
    "0.0.0.0/0",
    "x" * 200,
    ["a", "tcp", 22],
    {"FromPort": 22, "ToPort": 80},
]
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _ctx() -> Ctx:
    return Ctx(Resource("Custom::Thing", "T", {"Type": "Custom::Thing"}), NOW, None)


def _outcome(node: Node) -> tuple[Any, ...]:
    ctx = _ctx()
    try:
        result: Any = node.ev(ctx)
    except Exception as exc:
        result = (type(exc), str(exc))
    return (type(result), repr(result), ctx.budget)


def _value(value: Any) -> Node:
    return Node(lambda ctx: value)


def _general(builtin: Builtin) -> Builtin:
    """The same built-in, with a cost the unrolled forms do not recognise."""
    return replace(builtin, cost=lambda values: argument_size(values))


UNROLLED = [
    b
    for b in REGISTRY.values()
    if not b.needs_now
    and b.cost is argument_size
    and not b.variadic
    and 1 <= len(b.params) <= 3
    and not {"regex", "type", "path"} & set(b.params)
]


def test_most_builtins_take_the_unrolled_form() -> None:
    assert len(UNROLLED) >= 20


@pytest.mark.parametrize("builtin", UNROLLED, ids=lambda b: b.name)
def test_an_unrolled_call_does_what_the_general_call_does(builtin: Builtin) -> None:
    general = _general(builtin)
    values = VALUES if len(builtin.params) < 3 else VALUES[:9]
    for args in itertools.product(values, repeat=len(builtin.params)):
        nodes = [_value(a) for a in args]
        fast = calls.builtin_call(builtin, nodes)
        assert _outcome(fast) == _outcome(calls.builtin_call(general, nodes)), args


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("steps", [(("key", "FromPort"),), (("key", "a"), ("key", "b"))])
def test_keys_below_a_variable_read_as_general_steps(value: Any, steps: Any) -> None:
    node = closures._value_path(None, _value(value), list(steps))
    ctx = _ctx()
    assert repr(node.ev(ctx)) == repr(paths.single(value, steps))
    nested = closures._value_path(None, _value({"a": value}), list(steps))
    assert repr(nested.ev(ctx)) == repr(paths.single({"a": value}, steps))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_element_reads_as_the_general_fan_out(value: Any) -> None:
    node = closures._fanned_path(_value(value), [("list", None)])

    def fan_out(ctx: Ctx) -> Any:  # the general form: fan out, then spend what was found
        found = paths.fan_out([value], (("list", None),), ctx)
        if found is not UNKNOWN:
            spend(ctx, len(found))
        return found

    general = Node(fan_out)
    assert _outcome(node) == _outcome(general)
    ctx = _ctx()
    found = node.ev(ctx)
    if type(value) is list:
        assert found == value and found is not value  # a list of its own, as fan_out makes


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_in_a_list_of_strings_is_membership(value: Any) -> None:
    texts = Node(lambda ctx: ["tcp", "22", "udp"], const=True, value=["tcp", "22", "udp"])
    node = logic.compare("in", _value(value), texts)
    general = logic.compare("in", _value(value), _value(["tcp", "22", "udp"]))
    assert _outcome(node)[:2] == _outcome(general)[:2]


REMEMBERED = [b for b in REGISTRY.values() if b.remembered]


def test_documents_are_remembered() -> None:
    assert {b.name for b in REMEMBERED} >= {"iam_statements", "json_parse"}
    assert all(b.raw and len(b.params) == 1 and not b.needs_now for b in REMEMBERED)


@pytest.mark.parametrize("builtin", REMEMBERED, ids=lambda b: b.name)
def test_a_remembered_call_runs_once_per_resource_and_value(builtin: Builtin) -> None:
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    twin = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    ran: list[Any] = []

    def counted(value: Any) -> Any:
        ran.append(value)
        return builtin.fn(value)

    values = iter([document, document, twin, document])
    node = calls.builtin_call(replace(builtin, fn=counted), [Node(lambda ctx: next(values))])
    ctx = _ctx()
    first = node.ev(ctx)
    spent = ctx.budget
    assert node.ev(ctx) is first and ctx.budget == spent  # remembered: no steps spent again
    assert node.ev(ctx) == first and len(ran) == 2  # an equal value of its own runs again
    assert node.ev(_ctx()) == first and len(ran) == 3  # another resource starts afresh
