"""The syntax tree of a policy file: frozen, slotted dataclasses that know where they are.

The parser builds these and nothing else; checks and the compiler only read them.
"""

from __future__ import annotations

from typing import Any

from scanner.model import Location
from scanner.records import record

# ---------------------------------------------------------------- expressions


@record
class Literal:
    value: Any  # str, int, float, bool, None or UNKNOWN
    loc: Location


@record
class ListExpr:
    items: tuple[Expr, ...]
    loc: Location


@record
class MapExpr:
    entries: tuple[tuple[str, Expr], ...]
    loc: Location


@record
class TypeLiteral:
    """A resource type written bare, as in ``related(AWS::S3::BucketPolicy, ...)``."""

    name: str
    loc: Location


@record
class Name:
    """The first name of a path: a binding, ``id``/``type``, or a key of the body."""

    name: str
    loc: Location


@record
class Current:
    """``@``: the element a filter is looking at."""

    loc: Location


@record
class Key:
    key: str
    loc: Location


@record
class Index:
    index: int
    loc: Location


@record
class Wildcard:
    """``[*]`` (kind "list") or ``.*`` (kind "map")."""

    kind: str
    loc: Location


@record
class Filter:
    predicate: Expr
    loc: Location


Step = Key | Index | Wildcard | Filter


@record
class PathExpr:
    base: Expr
    steps: tuple[Step, ...]
    loc: Location


@record
class Call:
    name: str
    args: tuple[Expr, ...]
    loc: Location
    name_loc: Location


@record
class Not:
    operand: Expr
    loc: Location


@record
class BoolOp:
    op: str  # "and" | "or"
    left: Expr
    right: Expr
    loc: Location


@record
class Compare:
    """``== != < <= > >= in notin matches startswith endswith contains``."""

    op: str
    left: Expr
    right: Expr
    loc: Location


@record
class Test:
    """A postfix test: kind is "exists", "empty" or a type name; ``negated`` for ``not``."""

    kind: str
    operand: Expr
    negated: bool
    loc: Location
    kind_loc: Location


@record
class Quantifier:
    kind: str  # "all" | "any" | "none"
    collection: Expr
    var: str
    body: Expr
    loc: Location
    var_loc: Location


Expr = (
    Literal
    | ListExpr
    | MapExpr
    | TypeLiteral
    | Name
    | Current
    | PathExpr
    | Call
    | Not
    | BoolOp
    | Compare
    | Test
    | Quantifier
)

# ---------------------------------------------------------------- messages


@record
class Template:
    """A message: literal text and ``{expression}`` parts, in order."""

    parts: tuple[str | Expr, ...]
    loc: Location


# ---------------------------------------------------------------- declarations


@record
class Use:
    """``use MODULE`` (``names`` empty: every name of the module) or ``use MODULE (a, b)``."""

    module: str
    names: tuple[tuple[str, Location], ...]
    loc: Location
    module_loc: Location


@record
class Param:
    name: str
    type: str
    default: Expr
    loc: Location
    type_loc: Location


@record
class Let:
    name: str
    expr: Expr
    loc: Location


@record
class Def:
    name: str
    params: tuple[str, ...]
    body: Expr
    loc: Location


@record
class Meta:
    key: str
    value: Expr
    loc: Location


@record
class Targets:
    types: tuple[tuple[str, Location], ...]
    loc: Location


@record
class When:
    expr: Expr
    loc: Location


@record
class Assertion:
    expr: Expr
    message: Template | None
    loc: Location


@record
class PlainPath:
    """A path of keys and indexes only (fix targets, ``at`` in examples)."""

    keys: tuple[str | int, ...]
    loc: Location


@record
class Match:
    """``[Name = "X", ...]`` in a fix path: the list elements whose fields equal these
    constants."""

    fields: tuple[tuple[str, Expr], ...]
    loc: Location


@record
class FixPath:
    """A fix target: keys, indexes, ``Match`` steps and ``Filter`` steps (``[? cond]``)."""

    steps: tuple[str | int | Match | Filter, ...]
    loc: Location


@record
class Fix:
    kind: str  # "set" | "remove" | "append"
    path: FixPath
    value: Expr | None
    loc: Location


@record
class Example:
    status: str  # "pass" | "fail" | "unknown" | "skip"
    at: PlainPath | None
    body: MapExpr
    others: MapExpr | None
    loc: Location


PolicyItem = Meta | Targets | When | Let | Assertion | Fix | Example


@record
class Policy:
    name: str
    items: tuple[PolicyItem, ...]
    loc: Location
    name_loc: Location


@record
class PolicyFile:
    path: str
    params: tuple[Param, ...]
    lets: tuple[Let, ...]
    defs: tuple[Def, ...]
    policies: tuple[Policy, ...]
    order: tuple[Param | Let | Def | Policy, ...]
    uses: tuple[Use, ...] = ()


def children(node: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of ``node`` (filters included), for walks."""
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, MapExpr):
        return tuple(value for _, value in node.entries)
    if isinstance(node, PathExpr):
        preds = tuple(s.predicate for s in node.steps if isinstance(s, Filter))
        return (node.base, *preds)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (BoolOp, Compare)):
        return (node.left, node.right)
    if isinstance(node, Test):
        return (node.operand,)
    if isinstance(node, Quantifier):
        return (node.collection, node.body)
    return ()
