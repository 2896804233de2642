"""What a compiled expression sees while it runs, and the compiled-node type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scanner.model import Location, Path, Resource
from scanner.values import EvaluationError

# Work one (policy, resource) evaluation may do, in steps: an element a quantifier, a
# path's fan-out or a filter visits, a def call, an element or 64 characters of a
# function's argument. Chained defs, nested quantifiers over large lists and the like
# end in an ``error`` finding instead of running for hours.
MAX_STEPS = 200_000


class Ctx:
    """One (policy, resource) evaluation: the resource, the scan time, bound slots.

    ``slots`` holds let values (cached on first use), quantifier variables, def arguments
    and the filter element ``@``; ``paths`` holds where those values sit in the body,
    filled only while a result is being explained. ``memo`` keeps the results of def
    calls for this resource (a def's result depends only on its arguments and the
    resource). ``budget`` is the number of steps left (see ``MAX_STEPS``).
    """

    __slots__ = (
        "resource",
        "body",
        "now",
        "relations",
        "slots",
        "paths",
        "located",
        "memo",
        "budget",
    )

    def __init__(self, resource: Resource, now: datetime, relations: Any) -> None:
        self.resource = resource
        self.body = resource.body
        self.now = now
        self.relations = relations
        self.slots: dict[int, Any] = {}
        self.paths: dict[int, Path | None] = {}
        self.located: dict[Path, Location | None] = {}  # locations found for this resource
        self.memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self.budget = MAX_STEPS


def over_budget() -> EvaluationError:
    return EvaluationError(
        f"evaluation stopped after {MAX_STEPS:,} steps (the limit per policy and resource): "
        "the policy nests loops or def calls too deeply for data this large"
    )


def spend(ctx: Ctx, steps: int) -> None:
    """Take ``steps`` from the budget; an EvaluationError once it is used up."""
    ctx.budget -= steps
    if ctx.budget < 0:
        raise over_budget()


Eval = Callable[[Ctx], Any]
Where = Callable[[Ctx], "Path | None"]
Items = Callable[[Ctx], "list[tuple[Any, Path | None]] | None"]


def _nowhere(ctx: Ctx) -> Path | None:
    return None


class Node:
    """A compiled expression.

    ``ev`` computes the value (a truth value when ``cond``). ``where`` names the body path
    that decided the value, for finding paths and messages. ``items`` lists a
    collection's elements with their paths (None when the collection is unknown).
    ``const`` nodes were computed at compile time; their value is ``value``. ``exact``
    says ``where`` is where the value itself sits (a path), not just what it came from
    (a function of a path), so a list's elements are at ``where + (index,)``.
    """

    __slots__ = ("ev", "where", "items", "shape", "cond", "const", "value", "exact")

    def __init__(
        self,
        ev: Eval,
        *,
        where: Where = _nowhere,
        items: Items | None = None,
        shape: str = "value",
        cond: bool = False,
        const: bool = False,
        value: Any = None,
        exact: bool = False,
    ) -> None:
        self.ev = ev
        self.where = where
        self.items = items
        self.shape = shape
        self.cond = cond
        self.const = const
        self.value = value
        self.exact = exact


def constant(value: Any, cond: bool = False) -> Node:
    return Node(lambda ctx: value, cond=cond, const=True, value=value)
