"""Static checks of expressions: names, functions, arity, argument types, regexes and the
value/collection distinction. Every problem is collected; checking goes on after one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scanner.errors import PolicyError
from scanner.lang import ast, codes
from scanner.lang.builtins import REGISTRY, SPECIAL
from scanner.lang.regex_safety import RegexProblem, compile_regex
from scanner.lang.scope import (
    BODY_KEYS,
    COLLECTION,
    SPECIAL_NAMES,
    VALUE,
    Scope,
    did_you_mean,
    is_body_root,
    path_has_fanout,
)
from scanner.model import UNKNOWN, Location
from scanner.values import TYPE_NAMES

_LITERAL_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float, str)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: False,
    "map": lambda v: False,
}


class ExprChecker:
    """Walks expressions in a scope; returns each one's shape (value or collection)."""

    def __init__(self, defs: Mapping[str, ast.Def], errors: list[PolicyError]) -> None:
        self.defs = defs
        self.errors = errors
        self.def_shapes: dict[str, str] = {}
        self.strict_roots = True
        # the module that defines a name this file does not know (a missing `use`)
        self.elsewhere: Callable[[str], str | None] | None = None

    def error(self, code: str, message: str, loc: Location) -> None:
        self.errors.append(PolicyError(message, code=code, location=loc))

    def check(self, node: ast.Expr, scope: Scope) -> str:
        method = getattr(self, f"_{type(node).__name__}")
        shape: str = method(node, scope)
        return shape

    def condition(self, node: ast.Expr, scope: Scope, what: str) -> None:
        """An expression used as a truth value (when, assert, and/or/not, bodies)."""
        if self.check(node, scope) == COLLECTION:
            self.error(
                codes.COLLECTION_OPERAND,
                f"{what} is a collection, not a condition; use `any`, `all` or `none`",
                _loc(node),
            )

    # ------------------------------------------------------------ atoms

    def _Literal(self, node: ast.Literal, scope: Scope) -> str:
        if node.value is UNKNOWN and scope.lookup("<example>") is None:
            self.error(
                codes.MISPLACED,
                "`unknown` is a value only in examples; test for it with `is unknown`",
                node.loc,
            )
        return VALUE

    def _ListExpr(self, node: ast.ListExpr, scope: Scope) -> str:
        for item in node.items:
            self.check(item, scope)
        return VALUE

    def _MapExpr(self, node: ast.MapExpr, scope: Scope) -> str:
        seen: set[str] = set()
        for key, value in node.entries:
            if key in seen:
                self.error(codes.DUPLICATE_NAME, f"key `{key}` appears twice in map", node.loc)
            seen.add(key)
            self.check(value, scope)
        return VALUE

    def _TypeLiteral(self, node: ast.TypeLiteral, scope: Scope) -> str:
        self.error(
            codes.MISPLACED,
            f"resource type {node.name} is only valid as the first argument of related()",
            node.loc,
        )
        return VALUE

    def _Current(self, node: ast.Current, scope: Scope) -> str:
        if scope.lookup("@") is None:
            self.error(
                codes.UNKNOWN_NAME, "`@` is only defined inside a filter `[? ...]`", node.loc
            )
        return VALUE

    def _Name(self, node: ast.Name, scope: Scope) -> str:
        binding = scope.lookup(node.name)
        if binding is not None:
            return binding.shape
        if node.name in SPECIAL_NAMES or not self.strict_roots:
            return VALUE
        if is_body_root(node.name):
            if node.name not in BODY_KEYS:
                hint = did_you_mean(node.name, BODY_KEYS)
                self.error(
                    codes.UNKNOWN_ATTRIBUTE,
                    f"`{node.name}` is not a top-level key of a resource{hint}",
                    node.loc,
                )
            return VALUE
        if self._not_imported(node.name, node.loc):
            return VALUE
        names = [n for n in scope.visible() if not n.startswith(("@", "<")) and "." not in n]
        hint = did_you_mean(node.name, [*names, *SPECIAL_NAMES, *BODY_KEYS])
        self.error(codes.UNKNOWN_NAME, f"unknown name `{node.name}`{hint}", node.loc)
        return VALUE

    def _not_imported(self, name: str, loc: Location) -> bool:
        """Report a name that a module defines but the file does not import."""
        fix = self.elsewhere(name) if self.elsewhere is not None else None
        if fix is None:
            return False
        self.error(codes.NOT_IMPORTED, f"`{name}` is not imported; {fix}", loc)
        return True

    # ------------------------------------------------------------ paths

    def _PathExpr(self, node: ast.PathExpr, scope: Scope) -> str:
        shape = self.check(node.base, scope)
        for step in node.steps:
            if isinstance(step, ast.Filter):
                inner = scope.child()
                inner.bind("@", "current", VALUE, step)
                self.condition(step.predicate, inner, "filter condition")
        if shape == COLLECTION or path_has_fanout(node.steps):
            return COLLECTION
        return VALUE

    # ------------------------------------------------------------ logic

    def _Not(self, node: ast.Not, scope: Scope) -> str:
        self.condition(node.operand, scope, "operand of `not`")
        return VALUE

    def _BoolOp(self, node: ast.BoolOp, scope: Scope) -> str:
        self.condition(node.left, scope, f"left side of `{node.op}`")
        self.condition(node.right, scope, f"right side of `{node.op}`")
        return VALUE

    def _Quantifier(self, node: ast.Quantifier, scope: Scope) -> str:
        self.check(node.collection, scope)
        inner = scope.child()
        inner.bind(node.var, "var", VALUE, node)
        self.condition(node.body, inner, f"body of `{node.kind}`")
        return VALUE

    def _Compare(self, node: ast.Compare, scope: Scope) -> str:
        left = self.check(node.left, scope)
        right = self.check(node.right, scope)
        if left == COLLECTION and node.op != "contains":
            self._collection_operand(node.op, node.left)
        if right == COLLECTION and node.op not in ("in", "not in"):
            self._collection_operand(node.op, node.right)
        if node.op == "matches":
            self.regex(node.right, "`matches`")
        return VALUE

    def _collection_operand(self, op: str, operand: ast.Expr) -> None:
        self.error(
            codes.COLLECTION_OPERAND,
            f"`{op}` compares one value, but this is a collection; use `any`, `all` or `none`",
            _loc(operand),
        )

    def _Test(self, node: ast.Test, scope: Scope) -> str:
        shape = self.check(node.operand, scope)
        if node.kind not in ("exists", "empty") and node.kind not in TYPE_NAMES:
            hint = did_you_mean(node.kind, TYPE_NAMES)
            self.error(codes.UNKNOWN_TYPE_NAME, f"unknown type `{node.kind}`{hint}", node.kind_loc)
        if shape == COLLECTION and node.kind != "empty":
            word = "exists" if node.kind == "exists" else f"is {node.kind}"
            self.error(
                codes.COLLECTION_OPERAND,
                f"`{word}` tests one value, but this is a collection; use `is empty`, "
                "`count(...)` or a quantifier",
                _loc(node.operand),
            )
        return VALUE

    # ------------------------------------------------------------ calls

    def _Call(self, node: ast.Call, scope: Scope) -> str:
        if node.name in self.defs:
            return self._def_call(node, scope)
        if node.name == "related":
            return self._related(node, scope)
        builtin = REGISTRY.get(node.name)
        if builtin is None:
            if not self._not_imported(node.name, node.name_loc):
                defs = [n for n in self.defs if "." not in n]
                hint = did_you_mean(node.name, [*REGISTRY, *SPECIAL, *defs])
                self.error(
                    codes.UNKNOWN_FUNCTION, f"unknown function `{node.name}`{hint}", node.name_loc
                )
            for arg in node.args:
                self.check(arg, scope)
            return VALUE
        if not builtin.accepts(len(node.args)):
            self.error(
                codes.ARITY,
                f"{node.name}() takes {_count(builtin.params, builtin.variadic)}, "
                f"got {len(node.args)} (signature: {builtin.signature()})",
                node.loc,
            )
        for position, arg in enumerate(node.args):
            wanted = builtin.param_type(position)
            if wanted == "regex":
                self.regex(arg, f"{node.name}()")
                continue
            shape = self.check(arg, scope)
            if shape == COLLECTION and wanted not in ("list", "any"):
                self._collection_operand(f"{node.name}()", arg)
            self._literal_type(node.name, position, wanted, arg)
        return VALUE

    def _literal_type(self, fn: str, position: int, wanted: str, arg: ast.Expr) -> None:
        test = _LITERAL_TYPES.get(wanted)
        bad = False
        if isinstance(arg, ast.Literal) and test is not None and arg.value is not UNKNOWN:
            bad = not test(arg.value)
        elif isinstance(arg, ast.ListExpr):
            bad = wanted not in ("list", "any")
        elif isinstance(arg, ast.MapExpr):
            bad = wanted not in ("map", "any")
        if bad:
            self.error(
                codes.ARGUMENT_TYPE,
                f"{fn}() argument {position + 1} must be a {wanted}",
                _loc(arg),
            )

    def _def_call(self, node: ast.Call, scope: Scope) -> str:
        target = self.defs[node.name]
        if len(node.args) != len(target.params):
            self.error(
                codes.ARITY,
                f"{node.name}() takes {_count(target.params, False)}, got {len(node.args)}",
                node.loc,
            )
        for arg in node.args:
            self.check(arg, scope)
        return self.def_shapes.get(node.name, VALUE)

    def _related(self, node: ast.Call, scope: Scope) -> str:
        if len(node.args) != 2:
            self.error(codes.ARITY, "related() takes 2 arguments: related(TYPE, PATH)", node.loc)
            return COLLECTION
        kind, path = node.args
        if not isinstance(kind, ast.TypeLiteral) and not (
            isinstance(kind, ast.Literal) and isinstance(kind.value, str)
        ):
            self.error(codes.BAD_RELATED, "related() needs a resource type first", _loc(kind))
        root = path.base if isinstance(path, ast.PathExpr) else path
        if not isinstance(root, ast.Name) or not is_body_root(root.name):
            self.error(
                codes.BAD_RELATED,
                "related() needs a path in the other resource, like Properties.Bucket",
                _loc(path),
            )
        elif isinstance(path, ast.PathExpr):
            for step in path.steps:
                if isinstance(step, ast.Filter):
                    self.error(codes.BAD_RELATED, "related() paths cannot filter", step.loc)
        return COLLECTION

    def regex(self, node: ast.Expr, where: str) -> None:
        if not isinstance(node, ast.Literal) or not isinstance(node.value, str):
            self.error(
                codes.REGEX_NOT_LITERAL,
                f"{where} needs a regular expression written as a string literal",
                _loc(node),
            )
            return
        try:
            compile_regex(node.value)
        except RegexProblem as exc:
            self.error(exc.code, str(exc), node.loc)


def _count(params: tuple[str, ...], variadic: bool) -> str:
    n = len(params)
    noun = "argument" if n == 1 else "arguments"
    return f"at least {n} {noun}" if variadic else f"{n} {noun}"


def _loc(node: Any) -> Location:
    loc: Location = node.loc
    return loc
