"""The import graph between scanner's packages has no cycle, and the layers point one way.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``; a
cycle hidden behind a lazy import is still two packages that cannot change apart. The
nodes are scanner's first-level packages and modules (``scanner.lang``, ``scanner.config``…).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "scanner"

# Lower layers that must not import the higher ones named beside them.
LAYERS = {
    "scanner.loaders": {"scanner.engine", "scanner.lang", "scanner.policyset", "scanner.pipeline"},
    "scanner.values": {"scanner.engine", "scanner.lang", "scanner.loaders"},
    "scanner.lang": {"scanner.engine", "scanner.policyset", "scanner.loaders", "scanner.pipeline"},
    "scanner.engine": {"scanner.policyset", "scanner.loaders", "scanner.pipeline"},
    "scanner.triage": {"scanner.config", "scanner.report", "scanner.pipeline"},
    "scanner.model": {"scanner.engine", "scanner.lang", "scanner.loaders"},
}


def _node(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "scanner":
        return None
    if len(parts) == 1:
        return "scanner"
    if (ROOT / parts[1]).is_dir() or (ROOT / f"{parts[1]}.py").is_file():
        return f"scanner.{parts[1]}"
    return "scanner"  # a name imported from scanner/__init__.py


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, dict[str, str]]:
    """Node -> imported node -> the first ``file:line`` that imports it."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(ROOT.rglob("*.py")):
        source = _node(_module_name(path))
        assert source is not None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = _node(name)
                if target is not None and target != source:
                    where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                    graph[source].setdefault(target, where)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_cycle_between_packages() -> None:
    graph = import_graph()
    problems = []
    for component in cycles(graph):
        members = set(component)
        edges = [
            f"  {a} -> {b} ({graph[a][b]})"
            for a in component
            for b in sorted(graph[a])
            if b in members
        ]
        problems.append("cycle: " + ", ".join(component) + "\n" + "\n".join(edges))
    assert not problems, "\n".join(problems)


def test_layers_point_one_way() -> None:
    graph = import_graph()
    wrong = [
        f"{lower} imports {higher} ({graph[lower][higher]})"
        for lower, forbidden in LAYERS.items()
        for higher in sorted(forbidden & set(graph.get(lower, {})))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_cycle() -> None:
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:1"}, "c": {"a": "c.py:1"}, "d": {"a": "d.py:1"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": "x"}, "b": {}}) == []
