"""Expressions whose value is known when a policy compiles: literals, lists and maps of them,
params and the lets bound to such expressions (param defaults, fix values, examples)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.lang import ast
from scanner.lang.scope import Scope


def is_constant(node: ast.Expr, scope: Scope) -> bool:
    if isinstance(node, ast.Literal):
        return True
    if isinstance(node, (ast.ListExpr, ast.MapExpr)):
        return all(is_constant(child, scope) for child in ast.children(node))
    if isinstance(node, ast.Name):
        binding = scope.lookup(node.name)
        if binding is None:
            return False
        if binding.kind == "param":
            return True
        return (
            binding.kind == "let"
            and isinstance(binding.node, ast.Let)
            and (is_constant(binding.node.expr, scope))
        )
    return False


def constant_value(node: ast.Expr, scope: Scope, params: Mapping[str, Any]) -> Any:
    """The value of an expression ``is_constant`` accepted."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.ListExpr):
        return [constant_value(i, scope, params) for i in node.items]
    if isinstance(node, ast.MapExpr):
        return {k: constant_value(v, scope, params) for k, v in node.entries}
    if isinstance(node, ast.Name):
        binding = scope.lookup(node.name)
        if binding is not None and binding.kind == "param" and node.name in params:
            return params[node.name]
        if binding is not None and isinstance(binding.node, ast.Param):
            return constant_value(binding.node.default, scope, params)
        if binding is not None and isinstance(binding.node, ast.Let):
            return constant_value(binding.node.expr, scope, params)
    raise ValueError("not a constant")
