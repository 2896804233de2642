"""A module's definitions renamed apart: ``.../lib/network.policy.world_open`` for
``world_open``.

A file that uses a module sees only the names it imports; the module's other names, and
the names of the modules it uses in turn, must neither clash with the file's own nor be
reachable from it. So each ``def``/``let`` of a module is given the name ``PATH.NAME``
(its module file's path, unique even when two libraries have a module of one name; a dot
cannot be written in a name, so no file can name it) and every reference in its
bodies to a module-level name is renamed the same way. References to a def argument or a
quantifier variable are left alone, as are calls of built-in functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from scanner.lang import ast


def qualified(module_path: str, name: str) -> str:
    return f"{module_path}.{name}"


def rename_let(let: ast.Let, names: Mapping[str, str]) -> ast.Let:
    return ast.Let(names[let.name], rename(let.expr, names, frozenset()), let.loc)


def rename_def(d: ast.Def, names: Mapping[str, str]) -> ast.Def:
    body = rename(d.body, names, frozenset(d.params))
    return ast.Def(names[d.name], d.params, body, d.loc)


def rename(node: ast.Expr, names: Mapping[str, str], bound: frozenset[str]) -> ast.Expr:
    """``node`` with each free module-level name replaced by ``names[name]``."""
    if isinstance(node, ast.Name):
        if node.name in bound or node.name not in names:
            return node
        return ast.Name(names[node.name], node.loc)
    if isinstance(node, ast.Call):
        args = tuple(rename(a, names, bound) for a in node.args)
        return replace(node, name=names.get(node.name, node.name), args=args)
    if isinstance(node, ast.Quantifier):
        return replace(
            node,
            collection=rename(node.collection, names, bound),
            body=rename(node.body, names, bound | {node.var}),
        )
    if isinstance(node, ast.PathExpr):
        steps = tuple(
            ast.Filter(rename(s.predicate, names, bound), s.loc) if isinstance(s, ast.Filter) else s
            for s in node.steps
        )
        return replace(node, base=rename(node.base, names, bound), steps=steps)
    if isinstance(node, ast.ListExpr):
        return replace(node, items=tuple(rename(i, names, bound) for i in node.items))
    if isinstance(node, ast.MapExpr):
        entries = tuple((k, rename(v, names, bound)) for k, v in node.entries)
        return replace(node, entries=entries)
    if isinstance(node, ast.Not):
        return replace(node, operand=rename(node.operand, names, bound))
    if isinstance(node, (ast.BoolOp, ast.Compare)):
        left, right = rename(node.left, names, bound), rename(node.right, names, bound)
        return replace(node, left=left, right=right)
    if isinstance(node, ast.Test):
        return replace(node, operand=rename(node.operand, names, bound))
    return node  # Literal, TypeLiteral, Current
