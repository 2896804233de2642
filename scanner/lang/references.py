"""The names a policy file refers to that it does not bind itself.

A walk over the file's own declarations and policies that follows the language's scopes:
a quantifier's variable is bound in its body, a def's arguments in the def, a policy's
``let``s in the policy. What is left (a function called, a name that is not bound by any
of those) is looked up among the file's ``let``/``def`` and the definitions of the modules
it uses; ``scanner.lang.modules`` uses the list to find unused and hidden imports.
"""

from __future__ import annotations

from scanner.lang import ast
from scanner.model import Location

Reference = tuple[str, Location]


def file_references(pf: ast.PolicyFile) -> list[Reference]:
    """Every free name and called function of ``pf``, in source order."""
    out: list[Reference] = []
    for item in pf.order:
        if isinstance(item, ast.Param):
            _walk(item.default, frozenset(), out)
        elif isinstance(item, ast.Let):
            _walk(item.expr, frozenset(), out)
        elif isinstance(item, ast.Def):
            _walk(item.body, frozenset(item.params), out)
        else:
            _policy(item, out)
    return out


def _policy(policy: ast.Policy, out: list[Reference]) -> None:
    bound = frozenset(i.name for i in policy.items if isinstance(i, ast.Let))
    for item in policy.items:
        if isinstance(item, ast.Let):
            _walk(item.expr, bound, out)
        elif isinstance(item, ast.When):
            _walk(item.expr, bound, out)
        elif isinstance(item, ast.Assertion):
            _walk(item.expr, bound, out)
            if item.message is not None:
                for part in item.message.parts:
                    if not isinstance(part, str):
                        _walk(part, bound, out)
        elif isinstance(item, ast.Fix):
            for step in item.path.steps:
                if isinstance(step, ast.Match):
                    for _, value in step.fields:
                        _walk(value, bound, out)
                elif isinstance(step, ast.Filter):
                    _walk(step.predicate, bound, out)
            if item.value is not None:
                _walk(item.value, bound, out)
        elif isinstance(item, ast.Example):
            _walk(item.body, bound, out)
            if item.others is not None:
                _walk(item.others, bound, out)


def _walk(node: ast.Expr, bound: frozenset[str], out: list[Reference]) -> None:
    stack: list[tuple[ast.Expr, frozenset[str]]] = [(node, bound)]
    while stack:
        current, names = stack.pop()
        if isinstance(current, ast.Name):
            if current.name not in names:
                out.append((current.name, current.loc))
            continue
        if isinstance(current, ast.Call):
            out.append((current.name, current.name_loc))
        if isinstance(current, ast.Quantifier):
            stack.append((current.body, names | {current.var}))
            stack.append((current.collection, names))
            continue
        stack.extend((child, names) for child in reversed(ast.children(current)))
