"""Conditions that refer to themselves, directly or through others.

CloudFormation rejects a template whose ``Conditions`` form a cycle (``A: !Condition B``,
``B: !Condition A``, or ``A: !And [!Condition A, ...]``). Resolution treats such a
condition as unknown; ``condition_cycles`` finds each cycle once, so the loader can report
it at the reference that closes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Path


@dataclass(frozen=True)
class Cycle:
    """Conditions ``names`` (in order, the first repeated at the end) refer around a loop;
    ``path`` is where the first one's reference to the next is written."""

    names: tuple[str, ...]
    path: Path

    def describe(self) -> str:
        if len(self.names) == 2:
            return f"condition {self.names[0]} refers to itself"
        loop = " -> ".join(self.names)
        return f"conditions refer to each other in a cycle ({loop})"


def references(name: str, expr: Any) -> list[tuple[str, Path]]:
    """The conditions ``expr`` (condition ``name``) refers to, and where each is written."""
    found: list[tuple[str, Path]] = []
    stack: list[tuple[Any, Path]] = [(expr, ("Conditions", name))]
    while stack:
        node, path = stack.pop()
        if type(node) is dict:
            target = node.get("Condition")
            if len(node) == 1 and type(target) is str:
                found.append((target, path + ("Condition",)))
                continue
            stack.extend((value, path + (key,)) for key, value in node.items())
        elif type(node) is list:
            stack.extend((value, path + (index,)) for index, value in enumerate(node))
    found.reverse()  # in the order they are written
    return found


def condition_cycles(conditions: Mapping[str, Any]) -> list[Cycle]:
    """Every cycle among ``conditions``, one per strongly connected group, in template order."""
    edges = {
        name: [(target, path) for target, path in references(name, expr) if target in conditions]
        for name, expr in conditions.items()
    }
    cycles = []
    for group in _groups(edges):
        first = next(name for name in conditions if name in group)
        if len(group) > 1 or any(target == first for target, _ in edges[first]):
            cycles.append(_cycle_from(first, group, edges))
    return cycles


def _groups(edges: Mapping[str, list[tuple[str, Path]]]) -> list[set[str]]:
    """Strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[set[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:  # back in the caller: pass the low link up
                caller = work[-1][0]
                low[caller] = min(low[caller], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _cycle_from(first: str, group: set[str], edges: Mapping[str, list[tuple[str, Path]]]) -> Cycle:
    """The shortest way from ``first`` back to itself inside ``group``."""
    came_from: dict[str, tuple[str, Path]] = {}
    frontier = [first]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target, path in edges[node]:
                if target not in group or target in came_from:
                    continue
                came_from[target] = (node, path)
                if target == first:
                    return _unwind(first, came_from)
                following.append(target)
        frontier = following
    raise AssertionError(f"condition {first} is in a cycle with no way back")  # unreachable


def _unwind(first: str, came_from: Mapping[str, tuple[str, Path]]) -> Cycle:
    names = [first]
    node, path = came_from[first]
    while node != first:
        names.append(node)
        node, path = came_from[node]
    names.append(first)
    names.reverse()
    return Cycle(tuple(names), path)
