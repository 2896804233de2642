"""Calls of built-in functions, as compiled nodes.

A call spends steps by its arguments' sizes (``Builtin.cost``); unless the built-in is
``raw``, a MISSING argument makes the call MISSING and an opaque one (unknown, a
reference, a partial string) UNKNOWN, without calling it; declared argument types are
checked. Calls are the hottest nodes of evaluation, so the common shapes (one to three
arguments, the default cost) are unrolled into closures of their own that do exactly
what the general one does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.engine.context import Ctx, Eval, Node, over_budget
from scanner.lang.builtins.spec import Builtin, argument_size, checker, needs_check
from scanner.model import UNKNOWN, Partial, Path, Reference, Unknown
from scanner.values import MISSING


def builtin_call(builtin: Builtin, args: list[Node]) -> Node:
    """The node of a call of ``builtin`` with the compiled ``args``."""
    fn = builtin.fn
    evs = [a.ev for a in args]
    raw = builtin.raw
    needs_now = builtin.needs_now
    wheres = [a.where for a in args]
    cost = builtin.cost
    # positions whose declared type needs a check or a conversion ("any" needs neither)
    checked = [(i, checker(builtin, i)) for i in range(len(args)) if needs_check(builtin, i)]

    def where(ctx: Ctx) -> Path | None:
        for w in wheres:
            found = w(ctx)
            if found is not None:
                return found
        return None

    if raw and not needs_now and cost is argument_size and len(evs) == 1:
        if builtin.remembered:
            return Node(_remembered_call(fn, evs[0]), where=where)
        return Node(_raw_call(fn, evs[0]), where=where)
    if not raw and not needs_now and cost is argument_size and len(evs) in (1, 2, 3):
        checks: list[_Check] = [None] * len(evs)
        for i, check in checked:
            checks[i] = check
        return Node(_plain_call(fn, evs, checks), where=where)

    def ev(ctx: Ctx) -> Any:
        values = [e(ctx) for e in evs]
        ctx.budget -= cost(values)  # ``spend``, inline: the hottest call of evaluation
        if ctx.budget < 0:
            raise over_budget()
        if not raw:
            for value in values:
                if value is MISSING:
                    return MISSING
            for value in values:
                kind = type(value)
                if kind is Unknown or kind is Reference or kind is Partial:
                    return UNKNOWN
            for i, check in checked:
                values[i] = check(values[i])
        if needs_now:
            return fn(ctx.now, *values)
        return fn(*values)

    return Node(ev, where=where)


_Check = Callable[[Any], Any] | None
_OPAQUE = (Unknown, Reference, Partial)


def _raw_call(fn: Callable[..., Any], ev0: Eval) -> Eval:
    """The call of a one-argument built-in that sees every value itself (``len``, ``count``)."""

    def raw(ctx: Ctx) -> Any:
        a = ev0(ctx)
        ctx.budget -= 1 + _size(a, type(a))
        if ctx.budget < 0:
            raise over_budget()
        return fn(a)

    return raw


def _remembered_call(fn: Callable[..., Any], ev0: Eval) -> Eval:
    """``_raw_call`` whose result is remembered for the resource, by the identity of the
    argument (kept alive in the memo, so the identity is never reused), as def results
    are: the same value gives the same result, and the same object back."""

    def remembered(ctx: Ctx) -> Any:
        a = ev0(ctx)
        key = (fn, id(a))
        known = ctx.memo.get(key)
        if known is not None:
            return known[1]
        ctx.budget -= 1 + _size(a, type(a))
        if ctx.budget < 0:
            raise over_budget()
        result = fn(a)
        ctx.memo[key] = (a, result)
        return result

    return remembered


def _plain_call(fn: Callable[..., Any], evs: list[Eval], checks: list[_Check]) -> Eval:
    """The call of a built-in of one to three arguments with the default cost, unrolled (the
    general call above does the same in loops): spend ``argument_size`` steps, a MISSING
    argument gives MISSING, else an opaque one UNKNOWN, else the checked values go to ``fn``."""
    if len(evs) == 1:
        (ev0,), (check0,) = evs, checks

        def one(ctx: Ctx) -> Any:
            a = ev0(ctx)
            kind = type(a)
            steps = 1
            if kind is list or kind is dict:
                steps += len(a)
            elif kind is str:
                steps += len(a) >> 6
            ctx.budget -= steps
            if ctx.budget < 0:
                raise over_budget()
            if a is MISSING:
                return MISSING
            if kind in _OPAQUE:
                return UNKNOWN
            return fn(a if check0 is None else check0(a))

        return one
    if len(evs) == 3:
        return _plain_call3(fn, evs, checks)
    (ev0, ev1), (check0, check1) = evs, checks

    def two(ctx: Ctx) -> Any:
        a = ev0(ctx)
        b = ev1(ctx)
        kind_a, kind_b = type(a), type(b)
        steps = 1
        if kind_a is list or kind_a is dict:
            steps += len(a)
        elif kind_a is str:
            steps += len(a) >> 6
        if kind_b is list or kind_b is dict:
            steps += len(b)
        elif kind_b is str:
            steps += len(b) >> 6
        ctx.budget -= steps
        if ctx.budget < 0:
            raise over_budget()
        if a is MISSING or b is MISSING:
            return MISSING
        if kind_a in _OPAQUE or kind_b in _OPAQUE:
            return UNKNOWN
        if check0 is not None:
            a = check0(a)
        if check1 is not None:
            b = check1(b)
        return fn(a, b)

    return two


def _size(value: Any, kind: type) -> int:
    if kind is list or kind is dict:
        return len(value)
    return len(value) >> 6 if kind is str else 0


def _plain_call3(fn: Callable[..., Any], evs: list[Eval], checks: list[_Check]) -> Eval:
    (ev0, ev1, ev2), (check0, check1, check2) = evs, checks

    def three(ctx: Ctx) -> Any:
        a = ev0(ctx)
        b = ev1(ctx)
        c = ev2(ctx)
        kind_a, kind_b, kind_c = type(a), type(b), type(c)
        ctx.budget -= 1 + _size(a, kind_a) + _size(b, kind_b) + _size(c, kind_c)
        if ctx.budget < 0:
            raise over_budget()
        if a is MISSING or b is MISSING or c is MISSING:
            return MISSING
        if kind_a in _OPAQUE or kind_b in _OPAQUE or kind_c in _OPAQUE:
            return UNKNOWN
        if check0 is not None:
            a = check0(a)
        if check1 is not None:
            b = check1(b)
        if check2 is not None:
            c = check2(c)
        return fn(a, b, c)

    return three


# ---------------------------------------------------------------- path nodes
