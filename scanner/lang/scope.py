"""Name resolution shared by the checker and the compiler.

A path's first name resolves, innermost first, to a quantifier variable, a ``def``
argument, a policy ``let``, a file ``let`` or a ``param``; then to ``id``/``type``;
otherwise it is a key of the resource body. ``@`` is bound inside filters.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from scanner.lang import ast
from scanner.records import record

VALUE = "value"
COLLECTION = "collection"

SPECIAL_NAMES = ("id", "type")
# Top-level keys of a CloudFormation resource (and of a live snapshot resource body).
BODY_KEYS = (
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
)
METADATA_KEYS = (
    "id",
    "title",
    "description",
    "severity",
    "controls",
    "equivalents",
    "tags",
    "help",
    "help_url",
)

_slots = itertools.count()


def new_slot() -> int:
    return next(_slots)


@record
class Binding:
    """What a name stands for. ``kind``: param, let, arg (of a def), var, current (``@``)."""

    name: str
    kind: str
    shape: str
    node: Any
    slot: int


class Scope:
    def __init__(self, parent: Scope | None = None) -> None:
        self.parent = parent
        self.names: dict[str, Binding] = {}

    def child(self) -> Scope:
        return Scope(self)

    def bind(self, name: str, kind: str, shape: str, node: Any) -> Binding:
        binding = Binding(name, kind, shape, node, new_slot())
        self.names[name] = binding
        return binding

    def alias(self, name: str, binding: Binding) -> None:
        """``name`` stands for the same thing as ``binding`` (an imported module name)."""
        self.names[name] = binding

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.names.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def visible(self) -> Iterator[str]:
        scope: Scope | None = self
        while scope is not None:
            yield from scope.names
            scope = scope.parent


def is_body_root(name: str) -> bool:
    """Names that start with a capital letter address the resource body."""
    return name[:1].isupper()


def path_has_fanout(steps: tuple[ast.Step, ...]) -> bool:
    return any(isinstance(s, (ast.Wildcard, ast.Filter)) for s in steps)


def did_you_mean(name: str, candidates: Any) -> str:
    """``"; did you mean `x`?"`` for the closest candidate, or ``""``."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""
