"""What a compiled expression sees while it runs, and the compiled-node type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scanner.model import Location, Path, Resource


class Ctx:
    """One (policy, resource) evaluation: the resource, the scan time, bound slots.

    ``slots`` holds let values (cached on first use), quantifier variables, def arguments
    and the filter element ``@``; ``paths`` holds where those values sit in the body,
    filled only while a result is being explained.
    """

    __slots__ = ("resource", "body", "now", "relations", "slots", "paths", "located")

    def __init__(self, resource: Resource, now: datetime, relations: Any) -> None:
        self.resource = resource
        self.body = resource.body
        self.now = now
        self.relations = relations
        self.slots: dict[int, Any] = {}
        self.paths: dict[int, Path | None] = {}
        self.located: dict[Path, Location | None] = {}  # locations found for this resource


Eval = Callable[[Ctx], Any]
Where = Callable[[Ctx], "Path | None"]
Items = Callable[[Ctx], "list[tuple[Any, Path | None]] | None"]


def _nowhere(ctx: Ctx) -> Path | None:
    return None


class Node:
    """A compiled expression.

    ``ev`` computes the value (a truth value when ``cond``). ``where`` names the body path
    that decided the value, for finding paths and messages. ``items`` lists a
    collection's elements with their paths (None when the collection is UNKNOWN).
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
