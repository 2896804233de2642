"""The built-in library keeps each judgement once: no two of its files declare the same
`def` or `let` (the same expression, whatever the names of its arguments), and every
module in policies/lib is used by some policy file."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path
from typing import Any

from scanner.lang import ast
from scanner.lang.parser import parse_file
from scanner.lang.sources import builtin_policy_dir

_POSITIONS = frozenset({"loc", "name_loc", "kind_loc", "var_loc"})


def _files() -> dict[str, ast.PolicyFile]:
    root = Path(str(builtin_policy_dir()))
    return {
        path.relative_to(root).as_posix(): parse_file(str(path), path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.policy"))
    }


def _shape(node: Any, params: tuple[str, ...]) -> Any:
    """``node`` without source positions, its def's arguments numbered (``$0``, ``$1``)."""
    if isinstance(node, ast.Name) and node.name in params:
        return ("Name", f"${params.index(node.name)}")
    if dataclasses.is_dataclass(node):
        fields = (f.name for f in dataclasses.fields(node) if f.name not in _POSITIONS)
        return (type(node).__name__, *(_shape(getattr(node, f), params) for f in fields))
    if isinstance(node, tuple):
        return tuple(_shape(item, params) for item in node)
    return node


def _declarations(files: dict[str, ast.PolicyFile]) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = defaultdict(list)
    for name, parsed in files.items():
        for d in parsed.defs:
            found[("def", len(d.params), _shape(d.body, d.params))].append(f"{name}: {d.name}")
        for let in parsed.lets:
            found[("let", _shape(let.expr, ()))].append(f"{name}: {let.name}")
    return found


def test_no_def_or_let_is_declared_twice_in_the_library() -> None:
    repeated = [places for places in _declarations(_files()).values() if len(places) > 1]
    assert repeated == []


def test_the_same_judgement_under_other_argument_names_counts_as_repeated() -> None:
    files = {
        "a.policy": parse_file("a.policy", "def open(rule) = rule.CidrIp == 1\n"),
        "b.policy": parse_file("b.policy", "def wide(r) = r.CidrIp == 1\n"),
        "c.policy": parse_file("c.policy", "def wide(r) = r.CidrIp == 2\n"),
    }
    repeated = [places for places in _declarations(files).values() if len(places) > 1]
    assert repeated == [["a.policy: open", "b.policy: wide"]]


def test_every_built_in_module_is_used() -> None:
    files = _files()
    modules = {name[len("lib/") : -len(".policy")] for name in files if name.startswith("lib/")}
    used = {use.module for parsed in files.values() for use in parsed.uses}
    assert modules - used == set()
