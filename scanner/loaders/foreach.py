"""``Fn::ForEach`` loops under ``Resources`` (the ``AWS::LanguageExtensions`` transform).

A loop ``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`` stands
for one copy of each output entry per item of the collection; loops may nest inside the
output mapping. ``resource_entries`` lists the declared resources and the copies in
template order, each with the document path of the node it is written as, so a copy's
locations point into the loop body. A copy's logical id is its output key with
``${Identifier}`` replaced by the item and ``&{Identifier}`` by the item without its
non-alphanumeric characters; inside the value, the resolver replaces ``Ref: Identifier``
and ``${Identifier}`` (see ``Resolver.bindings``).

The collection is a list of strings, or anything that resolves to one (a ``Ref`` to a
``CommaDelimitedList`` parameter, with its default or a given value). A loop whose
collection cannot be known, or in a template that does not declare the transform, is a
warning and makes nothing. A copy whose logical id is already taken is an error and is
left out; the resource declared in ``Resources`` (or the first copy) stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.loaders.budget import Budget
from scanner.loaders.intrinsics import Branch, Resolver, Template, scalar_text, substitute
from scanner.loaders.source import BAD_RESOURCE, UNSUPPORTED
from scanner.model import Path, Span, Unknown

LOOP_PREFIX = "Fn::ForEach::"
TRANSFORM = "AWS::LanguageExtensions"
MAX_COPIES = 10_000  # resources the loops of one template may make (CloudFormation: 500)

_KEY_VARIABLE = re.compile(r"([$&])\{([^}]*)\}")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


@dataclass(frozen=True)
class Entry:
    """One resource of a template: declared in ``Resources`` or made by a loop."""

    logical_id: str
    path: Path  # where its node is written in the document
    node: Any
    loop: str | None = None  # the innermost Fn::ForEach key that made it
    bindings: Mapping[str, str] = field(default_factory=dict)  # identifier -> item


@dataclass(frozen=True)
class Problem:
    """Why a loop, or a copy it makes, is not scanned; ``path`` is where to point."""

    path: Path
    message: str
    code: str
    severity: str


def resource_entries(
    template: Mapping[str, Any], context: Template, positions: Mapping[Path, Span]
) -> tuple[list[Entry], list[Problem]]:
    """The resources of ``template`` (whose ``Resources`` is a mapping), loops expanded."""
    expander = _Expander(context, declares_transform(template))
    for key, node in template["Resources"].items():
        path = ("Resources", key)
        if type(key) is str and key.startswith(LOOP_PREFIX):
            expander.loop(key, node, path, {})
        else:
            expander.entries.append(Entry(key, path, node))
    entries, collisions = _unique(expander.entries, positions)
    return entries, list(expander.problems.values()) + collisions


def declares_transform(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    if type(transform) is list:
        return TRANSFORM in transform
    return bool(transform == TRANSFORM)


def output_key(key: str, bindings: Mapping[str, str], budget: Budget, src: Path) -> str:
    """``key`` with ``${Identifier}`` and ``&{Identifier}`` of the loops replaced."""
    return substitute(_KEY_VARIABLE, key, bindings, 2, budget, src, _key_item)


def _key_item(match: re.Match[str], value: str) -> str:
    return value if match.group(1) == "$" else _NOT_ALPHANUMERIC.sub("", value)


class _Expander:
    def __init__(self, context: Template, enabled: bool) -> None:
        self.context = context
        self.enabled = enabled
        self.entries: list[Entry] = []
        self.problems: dict[Path, Problem] = {}  # one per place, however often a loop runs
        self.copies = 0

    def loop(self, key: str, node: Any, path: Path, bindings: Mapping[str, str]) -> None:
        if self.copies > MAX_COPIES:  # past the cap: nothing more is made or reported
            return
        if not self.enabled:
            why = (
                f"the template has no Transform: {TRANSFORM}, which CloudFormation requires for it"
            )
            self._not_expanded(path, key, why)
            return
        shape = _shape(node)
        if shape is None:
            message = f"{key} is not [Identifier, Collection, {{OutputKey: OutputValue}}]"
            self._problem(path, f"{message}; it is not expanded", BAD_RESOURCE, "error")
            return
        identifier, collection, outputs = shape
        budget = self.context.budget
        for item in self._collection(key, collection, path + (1,), bindings):
            budget.iterate(len(outputs) + 1, path)
            inner = {**bindings, identifier: item}
            for out_key, value in outputs.items():
                here = path + (2, out_key)
                if type(out_key) is str and out_key.startswith(LOOP_PREFIX):
                    self.loop(out_key, value, here, inner)
                    continue
                logical_id = output_key(str(out_key), inner, budget, here)
                if not self._copy(Entry(logical_id, here, value, key, inner)):
                    return

    def _collection(
        self, key: str, node: Any, path: Path, bindings: Mapping[str, str]
    ) -> list[str]:
        resolver = Resolver(self.context, {}, frozenset(), bindings)
        try:
            value = resolver.value(node, path, ())
        except Branch as branch:
            why: str | None = f"its collection depends on condition {branch.name}"
        else:
            why = _not_a_list(value)
            if why is None:
                self.context.budget.spend(len(value), path)
                return [scalar_text(item) for item in value]
        self._not_expanded(path, key, str(why))
        return []

    def _copy(self, entry: Entry) -> bool:
        if self.copies >= MAX_COPIES:
            if self.copies == MAX_COPIES:  # say so once
                message = f"loops make more than {MAX_COPIES} resources; the rest are not scanned"
                self._problem(entry.path, message, UNSUPPORTED, "warning")
                self.copies += 1
            return False
        self.copies += 1
        self.entries.append(entry)
        return True

    def _not_expanded(self, path: Path, key: str, why: str) -> None:
        message = f"{key} is not expanded, so the resources it makes are not scanned: {why}"
        self._problem(path, message, UNSUPPORTED, "warning")

    def _problem(self, path: Path, message: str, code: str, severity: str) -> None:
        self.problems.setdefault(path, Problem(path, message, code, severity))


def _shape(node: Any) -> tuple[str, Any, dict[Any, Any]] | None:
    if type(node) is not list or len(node) != 3:
        return None
    identifier, collection, outputs = node
    if type(identifier) is not str or not identifier or type(outputs) is not dict:
        return None
    return identifier, collection, outputs


def _not_a_list(value: Any) -> str | None:
    """Why a resolved collection is not a list of strings (None: it is one)."""
    if type(value) is Unknown:
        return value.cause or "its collection is not known statically"
    if type(value) is not list:
        return "its collection is not a list"
    for index, item in enumerate(value):
        if not isinstance(item, (str, int, float)):
            return f"item {index} of its collection is not a known string"
    return None


def _unique(
    entries: list[Entry], positions: Mapping[Path, Span]
) -> tuple[list[Entry], list[Problem]]:
    """``entries`` without copies whose logical id is taken, and an error for each."""
    taken = {entry.logical_id: entry for entry in entries if entry.loop is None}
    kept: list[Entry] = []
    problems: list[Problem] = []
    for entry in entries:
        other = taken.get(entry.logical_id) if entry.loop is not None else None
        if other is None:
            taken[entry.logical_id] = entry
            kept.append(entry)
            continue
        message = _collision(entry, other, positions)
        problems.append(Problem(entry.path, message, BAD_RESOURCE, "error"))
    return kept, problems


def _collision(entry: Entry, other: Entry, positions: Mapping[Path, Span]) -> str:
    span = positions.get(other.path)
    line = f" (line {(span.key or span.value).line})" if span is not None else ""
    if other.loop is None:
        whose, kept = "Resources also declares", "the copy is not scanned"
    else:
        whose, kept = f"{other.loop} also makes", "only the first is scanned"
    return f"{entry.loop} makes resource {entry.logical_id}, which {whose}{line}; {kept}"
