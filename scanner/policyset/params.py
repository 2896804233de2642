"""The params policy files declare, with their defaults and the policies that use them
(``pacscan policies params``).

A policy uses a param when its metadata, conditions or assertions name it, directly or
through a ``let`` or ``def`` of its file. Read from the parsed files; nothing is compiled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from scanner.errors import PolicyError
from scanner.lang import ast
from scanner.records import record


@record
class DeclaredParam:
    name: str
    type: str
    default: Any
    policies: tuple[str, ...]  # ids of the policies that use it
    file: str

    def data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "policies": list(self.policies),
            "file": self.file,
        }


def declared_params(paths: Sequence[str], extra: Sequence[str] = ()) -> list[DeclaredParam]:
    """Every param of the policy files under ``paths`` (the built-ins when empty) and
    ``extra``, by name then file. A file that does not parse is a ``PolicyError``."""
    from scanner.lang.ast_cache import cached_parse
    from scanner.lang.sources import builtin_policy_dir, discover_policy_files

    roots: list[Any] = [*(paths or [builtin_policy_dir()]), *extra]
    found = []
    for source in discover_policy_files(roots):
        if source.error is not None:
            raise PolicyError(f"{source.path}: {source.error}", code="P003")
        tree = cached_parse(source.path, source.text)
        found += [_declared(param, tree) for param in tree.params]
    return sorted(found, key=lambda p: (p.name, p.file))


def _declared(param: ast.Param, tree: ast.PolicyFile) -> DeclaredParam:
    users = tuple(
        sorted(
            _policy_id(policy)
            for policy in tree.policies
            if param.name in _names_reached(policy, tree)
        )
    )
    return DeclaredParam(param.name, param.type, _value(param.default), users, tree.path)


def _names_reached(policy: ast.Policy, tree: ast.PolicyFile) -> set[str]:
    """The names ``policy`` uses, and those of the lets and defs it uses, transitively."""
    bodies: dict[str, Any] = {let.name: let.expr for let in tree.lets}
    bodies.update((d.name, d.body) for d in tree.defs)
    reached = _names(policy.items)
    todo = [name for name in reached if name in bodies]
    while todo:  # each let or def is expanded once: bounded by their number
        name = todo.pop()
        for found in _names(bodies.pop(name, ())):
            if found not in reached:
                reached.add(found)
                if found in bodies:
                    todo.append(found)
    return reached


def _names(node: Any) -> set[str]:
    """Every name and called function under an AST node (any dataclass or tuple of them)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Name):
            found.add(item.name)
        elif isinstance(item, ast.Call):
            found.add(item.name)
        if isinstance(item, (tuple, list)):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return found


def _policy_id(policy: ast.Policy) -> str:
    for item in policy.items:
        if isinstance(item, ast.Meta) and item.key == "id" and isinstance(item.value, ast.Literal):
            return str(item.value.value)
    return policy.name


def _value(node: ast.Expr) -> Any:
    """A param default as plain data (a default is a literal, a list or a map of them)."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.ListExpr):
        return [_value(item) for item in node.items]
    if isinstance(node, ast.MapExpr):
        return {key: _value(value) for key, value in node.entries}
    if isinstance(node, ast.Name):
        return node.name
    return None
