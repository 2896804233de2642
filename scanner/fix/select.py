"""A fix clause's list steps made concrete for one resource.

A fix path may pick list elements: ``[Name = "X"]`` (``Keyed``) the elements whose fields
equal these values, ``[? cond]`` (``Each``) every element the condition holds for. For
one resource, ``concrete`` turns each op into ops on plain paths, read off the values the
policy saw (the resource body):

- ``set A[Name = "X"].Status = v``: ``set A[i].Status = v`` for each element ``i`` that
  matches, or, when none does, ``append A {Name: "X", Status: v}`` (the list is created
  when it is missing);
- ``set A[? cond].B = v``: ``set A[i].B = v`` for each element the condition is true for
  (none: no op); ``remove`` and ``append`` alike.

What cannot be told is refused with the reason: the list or an element the choice reads
is not known, or the condition is unknown for an element. A ``Keyed`` choice also names
the fields it read (``guards``): a template edit is refused when one of them is written
as a ``Ref``, ``Fn::If``… rather than a literal, since another value at deploy time
would pick another element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from scanner.engine.context import Ctx
from scanner.engine.relations import Relations
from scanner.model import (
    UNKNOWN,
    Each,
    FixOp,
    FixPath,
    FixStep,
    Keyed,
    Path,
    Resource,
    is_opaque,
    path_text,
)
from scanner.values import MISSING, EvaluationError

MAX_OPS = 1000  # concrete ops of one resource's fix: bounded work for a hostile template


@dataclass(frozen=True, slots=True)
class Selected:
    """A concrete op (on a plain body path) and the body paths whose values chose its
    element."""

    kind: str
    path: Path
    value: Any = None
    guards: tuple[Path, ...] = ()

    @property
    def op(self) -> FixOp:
        return FixOp(self.kind, self.path, self.value)


class _Refused(Exception):
    """The op cannot be made concrete; the message says why."""


def concrete(
    ops: Sequence[FixOp], resource: Resource, now: datetime | None = None
) -> tuple[Selected, ...] | str:
    """The ops on plain paths for ``resource``, or why they cannot be made."""
    out: list[Selected] = []
    if all(_plain(op.path) for op in ops):
        return tuple(Selected(op.kind, op.path, op.value) for op in ops)  # type: ignore[arg-type]
    ctx = Ctx(resource, now or datetime.now(timezone.utc), Relations([resource]))
    body = _copy(resource.body)  # each op sees the ops before it made
    for op in ops:
        try:
            made = _expand(op, body, ctx)
        except _Refused as exc:
            return str(exc)
        except EvaluationError as exc:
            return f"cannot tell which elements to change: {exc.message}"
        for selected in made:
            _apply(body, selected)
        out.extend(made)
        if len(out) > MAX_OPS:
            return f"the fix would make more than {MAX_OPS} edits on one resource"
    return tuple(out)


def plain_ops(ops: Sequence[FixOp], resource: Resource) -> list[FixOp] | str:
    """``concrete`` without the guards (a live resource's values are what AWS holds)."""
    made = concrete(ops, resource)
    return made if isinstance(made, str) else [s.op for s in made]


@dataclass(frozen=True, slots=True)
class _State:
    path: Path  # where this branch of the walk is, in the body
    node: Any  # the value there, MISSING when absent
    guards: tuple[Path, ...] = ()


def _expand(op: FixOp, body: Any, ctx: Ctx) -> list[Selected]:
    states = [_State((), body)]
    made: list[Selected] = []
    for n, step in enumerate(op.path):
        following: list[_State] = []
        for state in states:
            if isinstance(step, Keyed):
                found = _keyed(state, step)
                if found is None:  # no element matches: add one
                    made.append(_new_element(op, state, step, op.path[n + 1 :]))
                else:
                    following.extend(found)
            elif isinstance(step, Each):
                following.extend(_each(state, step, ctx))
            else:
                child = _child(state.node, step)
                following.append(_State((*state.path, step), child, state.guards))
        states = following
        if len(states) + len(made) > MAX_OPS:
            raise _Refused(f"the fix would make more than {MAX_OPS} edits on one resource")
    made.extend(Selected(op.kind, s.path, op.value, s.guards) for s in states)
    return made


def _copy(value: Any) -> Any:
    """The mappings and lists of ``value`` copied (the loader bounds their depth); leaves
    are shared."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def _plain(path: FixPath) -> bool:
    return all(isinstance(step, (str, int)) for step in path)


def _apply(body: Any, op: Selected) -> None:
    """Make ``op`` (on a plain path) on ``body``, so that the next op sees it."""
    node = body
    for key in op.path[:-1]:
        child = _child(node, key)
        if child is MISSING and type(node) is dict and op.kind != "remove":
            child = node[key] = {}
        if type(child) not in (dict, list):
            return
        node = child
    last = op.path[-1]
    if type(node) is not dict or not isinstance(last, str):
        return
    if op.kind == "set":
        node[last] = _copy(op.value)
    elif op.kind == "remove":
        node.pop(last, None)
    elif op.kind == "append":
        items = node.setdefault(last, [])
        if type(items) is list and op.value not in items:
            items.append(_copy(op.value))


def _child(node: Any, step: str | int) -> Any:
    if type(node) is dict and isinstance(step, str):
        return node.get(step, MISSING)
    if type(node) is list and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return MISSING


def _elements(state: _State, step: FixStep) -> list[Any]:
    node = state.node
    if node is MISSING or node is None:
        return []
    where = path_text(state.path)
    if is_opaque(node):
        cause = getattr(node, "cause", "") or "it is computed"
        raise _Refused(f"{where} is not known here ({cause}), so {step} cannot be chosen")
    if type(node) is not list:
        raise _Refused(f"{where} is not a list, so {step} cannot be chosen")
    return node


def _keyed(state: _State, step: Keyed) -> list[_State] | None:
    """The elements that match ``step``, or None when the list has none (or is absent)."""
    items = _elements(state, step)
    guards = [*state.guards]
    matched: list[int] = []
    for index, item in enumerate(items):
        if type(item) is not dict:
            continue
        guards.extend((*state.path, index, name) for name, _ in step.fields if name in item)
        verdict = _matches(item, step)
        if verdict is UNKNOWN:
            where = path_text((*state.path, index))
            raise _Refused(f"cannot tell whether {where} is the {step} element: it is computed")
        if verdict:
            matched.append(index)
    if not matched:
        return None
    kept = tuple(guards)
    return [_State((*state.path, i), items[i], kept) for i in matched]


def _matches(item: dict[str, Any], step: Keyed) -> Any:
    unknown = False
    for name, wanted in step.fields:
        value = item.get(name, MISSING)
        if is_opaque(value):
            unknown = True
        elif value != wanted or type(value) is not type(wanted):
            return False
    return UNKNOWN if unknown else True


def _new_element(op: FixOp, state: _State, step: Keyed, rest: Sequence[FixStep]) -> Selected:
    """``append`` of the element ``step`` names, holding the rest of the path and the value."""
    built: Any = op.value
    for key in reversed(rest):
        if isinstance(key, str):
            built = {key: built}
        elif isinstance(key, Keyed) and type(built) is dict:
            built = [{**dict(key.fields), **built}]
        else:
            raise _Refused(f"a new {step} element cannot hold {path_text(tuple(rest))}")
    if type(built) is not dict:
        raise _Refused(f"a new {step} element cannot hold {path_text(tuple(rest))}")
    element = {**dict(step.fields), **built}
    guards = (
        *state.guards,
        *(
            (*state.path, i, name)
            for i, item in enumerate(_elements(state, step))
            if type(item) is dict
            for name, _ in step.fields
            if name in item
        ),
    )
    return Selected("append", state.path, element, guards)


def _each(state: _State, step: Each, ctx: Ctx) -> list[_State]:
    kept: list[_State] = []
    for index, item in enumerate(_elements(state, step)):
        verdict = step.test(ctx, item)
        if verdict is True:
            kept.append(_State((*state.path, index), item, state.guards))
        elif verdict is not False:
            where = path_text((*state.path, index))
            raise _Refused(f"cannot tell whether {where} needs the change: {step} is unknown")
    return kept
