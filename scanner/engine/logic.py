"""Compiled nodes for conditions: not/and/or, comparisons, tests and quantifiers.

Each node computes a truth value (True, False, UNKNOWN) and can say *where* its result
came from: the body path of the operand or element that decided it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner import values as v
from scanner.engine.context import Ctx, Node, constant, over_budget, spend
from scanner.engine.paths import elements
from scanner.model import UNKNOWN, Path, Unknown

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": v.equals,
    "!=": v.not_equals,
    "<": lambda a, b: v.order("<", a, b),
    "<=": lambda a, b: v.order("<=", a, b),
    ">": lambda a, b: v.order(">", a, b),
    ">=": lambda a, b: v.order(">=", a, b),
    "in": v.member,
    "not in": v.not_member,
    "contains": lambda a, b: v.member(b, a),
    "startswith": lambda a, b: v.affix("startswith", a, b),
    "endswith": lambda a, b: v.affix("endswith", a, b),
    "matches": v.matches,
}


def negate(x: Node) -> Node:
    if x.const:
        return constant(v.k_not(x.value), cond=True)
    ev = x.ev
    return Node(lambda ctx: v.k_not(ev(ctx)), where=x.where, cond=True)


def both(left: Node, right: Node) -> Node:
    lev, rev = left.ev, right.ev

    def ev(ctx: Ctx) -> Any:
        a = lev(ctx)
        if a is False:
            return False
        b = rev(ctx)
        if b is False:
            return False
        return True if a is True and b is True else UNKNOWN

    def where(ctx: Ctx) -> Path | None:
        a = lev(ctx)
        if a is False:
            return left.where(ctx)
        b = rev(ctx)
        if b is False or (a is True and b is not True):
            return right.where(ctx)
        return left.where(ctx)

    return Node(ev, where=where, cond=True)


def either(left: Node, right: Node) -> Node:
    lev, rev = left.ev, right.ev

    def ev(ctx: Ctx) -> Any:
        a = lev(ctx)
        if a is True:
            return True
        b = rev(ctx)
        if b is True:
            return True
        return False if a is False and b is False else UNKNOWN

    def where(ctx: Ctx) -> Path | None:
        a = lev(ctx)
        if a is True:
            return left.where(ctx)
        b = rev(ctx)
        if b is True or a is False and b is not False:
            return right.where(ctx)
        # Both false: either side explains it; `type != X or P` has a path only on the right.
        return left.where(ctx) or right.where(ctx)

    return Node(ev, where=where, cond=True)


def compare(op: str, left: Node, right: Node) -> Node:
    fn = _BINARY[op]
    if left.const and right.const:
        return constant(fn(left.value, right.value), cond=True)
    lev, rev = left.ev, right.ev
    if right.const and op == "==" and type(right.value) is str:
        text = right.value
        equals = v.equals

        def ev(ctx: Ctx) -> Any:
            found = lev(ctx)
            if type(found) is str:
                return found == text
            return equals(found, text)

    elif op == "contains" or (op in _MEMBERSHIP and not right.const):

        def ev(ctx: Ctx) -> Any:
            a, b = lev(ctx), rev(ctx)
            spend(ctx, _size(b if op != "contains" else a))
            return fn(a, b)

    elif op == "in" and right.const and _strings(right.value):
        # a string against a constant list of strings: equal only when the same text
        fixed, texts = right.value, frozenset(right.value)

        def ev(ctx: Ctx) -> Any:
            found = lev(ctx)
            if type(found) is str:
                return found in texts
            return fn(found, fixed)

    elif right.const:
        fixed = right.value

        def ev(ctx: Ctx) -> Any:
            return fn(lev(ctx), fixed)

    else:

        def ev(ctx: Ctx) -> Any:
            return fn(lev(ctx), rev(ctx))

    def where(ctx: Ctx) -> Path | None:
        if v.is_opaque(lev(ctx)):
            return left.where(ctx)
        if v.is_opaque(rev(ctx)):
            return right.where(ctx)
        return left.where(ctx) or right.where(ctx)

    # A constant right side is never opaque, so the left side always explains the result.
    return Node(ev, where=left.where if right.const else where, cond=True)


_MEMBERSHIP = ("in", "not in", "contains")


def _size(collection: Any) -> int:
    """Steps to search a collection: one per element (or per 64 characters of a string)."""
    kind = type(collection)
    if kind is list or kind is dict:
        return len(collection)
    return len(collection) >> 6 if kind is str else 1


_TESTS: dict[str, Callable[[Any], Any]] = {"exists": v.exists, "empty": v.empty}


def test(kind: str, negated: bool, operand: Node) -> Node:
    fn = _TESTS.get(kind) or (lambda value: v.is_type(kind, value))
    if operand.shape == "collection":  # only `is empty` passes the checker
        return _test_collection(negated, operand)
    if operand.const:
        result = fn(operand.value)
        return constant(v.k_not(result) if negated else result, cond=True)
    oev = operand.ev
    if negated:
        return Node(lambda ctx: v.k_not(fn(oev(ctx))), where=operand.where, cond=True)
    return Node(lambda ctx: fn(oev(ctx)), where=operand.where, cond=True)


def _test_collection(negated: bool, operand: Node) -> Node:
    oev = operand.ev

    def ev(ctx: Ctx) -> Any:
        found = oev(ctx)
        if type(found) is Unknown:
            return UNKNOWN
        return bool(found) if negated else not found

    return Node(ev, where=_first_item_or(operand), cond=True)


def _first_item_or(node: Node) -> Callable[[Ctx], Path | None]:
    listing = items_of(node)

    def where(ctx: Ctx) -> Path | None:
        found = listing(ctx)
        if found:
            return found[0][1]
        return node.where(ctx)

    return where


def items_of(node: Node) -> Callable[[Ctx], list[tuple[Any, Path | None]] | None]:
    """A node's elements with their body paths (None when the collection is unknown)."""
    if node.items is not None:
        return node.items
    ev, node_where, exact = node.ev, node.where, node.exact

    def items(ctx: Ctx) -> list[tuple[Any, Path | None]] | None:
        value = ev(ctx)
        found = elements(value)
        if type(found) is Unknown:
            return None
        here = node_where(ctx)
        if not exact or here is None:  # a function's result: its elements are nowhere
            return [(e, None) for e in found]
        if type(value) is list:
            return [(e, (*here, i)) for i, e in enumerate(found)]
        return [(e, here) for e in found]

    return items


# ---------------------------------------------------------------- quantifiers


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(e) is str for e in value)


def quantify(kind: str, collection: Node, slot: int, body: Node) -> Node:
    cev, bev = collection.ev, body.ev
    fanned = collection.shape == "collection"
    # all: stop at the first false; any: at the first true; none: at the first true.
    stop = False if kind == "all" else True
    empty_result = kind != "any"

    def ev(ctx: Ctx) -> Any:
        found = cev(ctx)
        members = found if fanned else elements(found)
        if type(members) is Unknown:
            return UNKNOWN
        ctx.budget -= len(members)
        if ctx.budget < 0:
            raise over_budget()
        slots = ctx.slots
        unsure = False
        for member in members:
            slots[slot] = member
            r = bev(ctx)
            if r is stop:
                return stop if kind != "none" else False
            if r is not (not stop):
                unsure = True
        if unsure:
            return UNKNOWN
        return empty_result

    return Node(ev, where=_quantifier_where(kind, collection, slot, body), cond=True)


def _quantifier_where(
    kind: str, collection: Node, slot: int, body: Node
) -> Callable[[Ctx], Path | None]:
    """The element that decided the result (all: the first false body; any and none: the
    first true one); else the first unknown one; else the collection itself."""
    listing = items_of(collection)
    deciding = kind != "all"

    def where(ctx: Ctx) -> Path | None:
        found = listing(ctx)
        if found is None:
            return collection.where(ctx)
        spend(ctx, len(found))
        unsure = None
        for member, here in found:
            ctx.slots[slot] = member
            ctx.paths[slot] = here
            r = body.ev(ctx)
            if r is deciding:
                return body.where(ctx) or collection.where(ctx)
            if type(r) is Unknown and unsure is None:
                unsure = body.where(ctx)
        if unsure is not None:
            return unsure
        return collection.where(ctx) or _first(found)

    return where


def _first(found: list[tuple[Any, Path | None]]) -> Path | None:
    return found[0][1] if found else None
