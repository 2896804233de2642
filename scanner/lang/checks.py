"""Static checks of a parsed policy file: declarations, metadata, fixes and examples.

Expressions are checked by ``ExprChecker``. Every problem becomes a ``PolicyError`` in the
returned list; an empty list means the file compiles. Cross-file checks (duplicate
policy ids, unknown ``--param`` names) live in ``scanner.policyset.compiler``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from scanner.errors import PolicyError
from scanner.lang import ast, codes
from scanner.lang.constants import constant_value, is_constant
from scanner.lang.expr_checks import ExprChecker
from scanner.lang.limits import MAX_DEF_DEPTH
from scanner.lang.modules import NO_IMPORTS, Imports
from scanner.lang.params import PARAM_TYPES, param_value_problem
from scanner.lang.resource_schema import check_properties
from scanner.lang.scope import (
    METADATA_KEYS,
    VALUE,
    Scope,
    did_you_mean,
    is_body_root,
)
from scanner.model import Location, Severity

POLICY_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_REQUIRED = ("id", "title", "severity")
_STRING_KEYS = ("id", "title", "description", "help", "help_url")
_LIST_KEYS = ("controls", "equivalents", "tags")


def check_file(
    pf: ast.PolicyFile,
    overrides: Mapping[str, Any],
    imports: Imports = NO_IMPORTS,
    elsewhere: Callable[[str], str | None] | None = None,
) -> list[PolicyError]:
    """Every problem of ``pf``, whose ``use`` lines brought in ``imports``. ``elsewhere``
    says which `use` would bring in a name the file does not know (None: none would)."""
    errors: list[PolicyError] = []
    scope, checker = _check_declarations(pf, overrides, imports, errors)
    checker.elsewhere = elsewhere
    for policy in pf.policies:
        _check_policy(policy, scope, checker)
    return errors


def check_module(
    pf: ast.PolicyFile, imports: Imports, elsewhere: Callable[[str], str | None] | None = None
) -> tuple[dict[str, str], list[PolicyError]]:
    """The shape (value or collection) of each ``let``/``def`` of a module, and its
    problems."""
    errors: list[PolicyError] = []
    scope, checker = _check_declarations(pf, {}, imports, errors)
    checker.elsewhere = elsewhere
    shapes = {name: b.shape for name, b in scope.names.items()}
    shapes.update((d.name, checker.def_shapes[d.name]) for d in pf.defs)
    return shapes, errors


def _check_declarations(
    pf: ast.PolicyFile, overrides: Mapping[str, Any], imports: Imports, errors: list[PolicyError]
) -> tuple[Scope, ExprChecker]:
    defs = {d.name: d for d in imports.defs}
    defs.update((name, defs[renamed]) for name, renamed in imports.names.items() if renamed in defs)
    checker = ExprChecker({**defs, **{d.name: d for d in pf.defs}}, errors)
    checker.def_shapes.update((name, imports.shapes[d.name]) for name, d in defs.items())
    scope = Scope()
    for let in imports.lets:
        scope.bind(let.name, "let", imports.shapes[let.name], let)
    for name, renamed in imports.names.items():
        binding = scope.names.get(renamed)
        if binding is not None:
            scope.alias(name, binding)
    _check_duplicates(pf, errors)
    for param in pf.params:
        _check_param(param, overrides, scope, checker)
        scope.bind(param.name, "param", VALUE, param)
    for item in pf.order:
        if isinstance(item, ast.Let):
            shape = checker.check(item.expr, scope)
            scope.bind(item.name, "let", shape, item)
    for d in pf.defs:
        inner = scope.child()
        for name in d.params:
            inner.bind(name, "arg", VALUE, d)
        checker.def_shapes[d.name] = checker.check(d.body, inner)
    if not _check_recursion(pf.defs, errors):
        named = tuple(replace(d, name=name) for name, d in defs.items())
        _check_depth((*named, *pf.defs), errors)
    return scope, checker


def _check_duplicates(pf: ast.PolicyFile, errors: list[PolicyError]) -> None:
    seen: dict[str, Location] = {}
    for item in pf.order:
        if isinstance(item, ast.Policy):
            name, loc = item.name, item.name_loc
        else:
            name, loc = item.name, item.loc
        if name in seen:
            first = seen[name]
            errors.append(
                PolicyError(
                    f"`{name}` is already defined on line {first.line}",
                    code=codes.DUPLICATE_NAME,
                    location=loc,
                )
            )
        else:
            seen[name] = loc


def _check_param(
    param: ast.Param, overrides: Mapping[str, Any], scope: Scope, checker: ExprChecker
) -> None:
    if param.type not in PARAM_TYPES:
        hint = did_you_mean(param.type, PARAM_TYPES)
        checker.error(
            codes.UNKNOWN_TYPE_NAME, f"unknown param type `{param.type}`{hint}", param.type_loc
        )
        return
    checker.check(param.default, scope)
    if not is_constant(param.default, scope):
        checker.error(codes.PARAM_TYPE, "a param default must be a constant", _loc(param.default))
        return
    problem = param_value_problem(param.type, constant_value(param.default, scope, {}))
    if problem:
        checker.error(codes.PARAM_TYPE, f"default of param `{param.name}` {problem}", param.loc)
    if param.name in overrides:
        problem = param_value_problem(param.type, overrides[param.name])
        if problem:
            checker.error(codes.PARAM_OVERRIDE, f"--param {param.name}: value {problem}", param.loc)


def _check_recursion(defs: tuple[ast.Def, ...], errors: list[PolicyError]) -> bool:
    """Report each def that calls itself; True when there is one."""
    names = {d.name for d in defs}
    calls = {d.name: _called(d.body) & names for d in defs}
    found = False
    for d in defs:
        if _reaches(d.name, d.name, calls, set()):
            found = True
            errors.append(
                PolicyError(
                    f"def `{d.name}` calls itself (directly or through other defs); "
                    "recursion is not allowed",
                    code=codes.RECURSIVE_DEF,
                    location=d.loc,
                )
            )
    return found


def _check_depth(defs: tuple[ast.Def, ...], errors: list[PolicyError]) -> None:
    """Report the first def whose chain of calls to other defs is over MAX_DEF_DEPTH.

    Depths are computed callees first, each def once, so a long chain costs one pass.
    """
    names = {d.name for d in defs}
    calls = {d.name: _called(d.body) & names for d in defs}
    depth: dict[str, int] = {}
    for d in defs:
        stack = [d.name]
        while stack:
            name = stack[-1]
            waiting = [c for c in calls[name] if c not in depth]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            depth[name] = 1 + max((depth[c] for c in calls[name]), default=0)
    for d in defs:
        if depth[d.name] > MAX_DEF_DEPTH:
            errors.append(
                PolicyError(
                    f"def `{d.name}` starts a chain of {depth[d.name]} nested def calls; "
                    f"the limit is {MAX_DEF_DEPTH}",
                    code=codes.LIMIT,
                    location=d.loc,
                )
            )
            return


def _called(node: ast.Expr) -> set[str]:
    found = {node.name} if isinstance(node, ast.Call) else set()
    for child in ast.children(node):
        found |= _called(child)
    return found


def _reaches(start: str, goal: str, calls: dict[str, set[str]], seen: set[str]) -> bool:
    for callee in calls.get(start, ()):
        if callee == goal:
            return True
        if callee not in seen:
            seen.add(callee)
            if _reaches(callee, goal, calls, seen):
                return True
    return False


# ---------------------------------------------------------------- policies


def _check_policy(policy: ast.Policy, file_scope: Scope, checker: ExprChecker) -> None:
    metas = [i for i in policy.items if isinstance(i, ast.Meta)]
    _check_metadata(policy, metas, checker)
    targets = [t for item in policy.items if isinstance(item, ast.Targets) for t in item.types]
    if not targets:
        checker.error(
            codes.MISSING_METADATA,
            f"policy {policy.name} has no `resource TYPE` line",
            policy.name_loc,
        )
    checker.strict_roots = all("::" in name for name, _ in targets)
    scope = file_scope.child()
    for item in policy.items:
        if isinstance(item, ast.Let):
            if scope.names.get(item.name) is not None:
                checker.error(codes.DUPLICATE_NAME, f"`{item.name}` is already defined", item.loc)
            scope.bind(item.name, "let", checker.check(item.expr, scope), item)
        elif isinstance(item, ast.When):
            checker.condition(item.expr, scope, "`when` condition")
        elif isinstance(item, ast.Assertion):
            checker.condition(item.expr, scope, "assertion")
            if item.message is not None:
                for part in item.message.parts:
                    if not isinstance(part, str):
                        checker.check(part, scope)
        elif isinstance(item, ast.Fix):
            _check_fix(item, scope, checker)
        elif isinstance(item, ast.Example):
            _check_example(item, scope, checker)
    checker.strict_roots = True
    bound = file_scope.lookup
    check_properties(policy, checker.error, lambda name: bound(name) is not None, checker.defs)


def _check_metadata(policy: ast.Policy, metas: list[ast.Meta], checker: ExprChecker) -> None:
    seen: set[str] = set()
    for meta in metas:
        if meta.key not in METADATA_KEYS:
            hint = did_you_mean(meta.key, METADATA_KEYS)
            checker.error(
                codes.UNKNOWN_METADATA, f"unknown metadata key `{meta.key}`{hint}", meta.loc
            )
            continue
        if meta.key in seen:
            checker.error(codes.DUPLICATE_METADATA, f"`{meta.key}` is given twice", meta.loc)
        seen.add(meta.key)
        _check_meta_value(meta, checker)
    for key in _REQUIRED:
        if key not in seen:
            checker.error(
                codes.MISSING_METADATA, f"policy {policy.name} has no `{key}`", policy.name_loc
            )


def _check_meta_value(meta: ast.Meta, checker: ExprChecker) -> None:
    value = meta.value
    if meta.key == "severity":
        word = value.name if isinstance(value, ast.Name) else None
        if isinstance(value, ast.Literal) and isinstance(value.value, str):
            word = value.value
        levels = [s.value for s in Severity]
        if word not in levels:
            hint = did_you_mean(str(word), levels) if word else ""
            shown = f"`{word}`" if word else "this value"
            checker.error(
                codes.BAD_SEVERITY,
                f"severity {shown} is not one of {', '.join(levels)}{hint}",
                _loc(value),
            )
        return
    if meta.key in _STRING_KEYS:
        if not (isinstance(value, ast.Literal) and isinstance(value.value, str)):
            checker.error(codes.BAD_METADATA_VALUE, f"`{meta.key}` must be a string", _loc(value))
        elif meta.key == "id" and not POLICY_ID.match(value.value):
            checker.error(
                codes.BAD_POLICY_ID,
                f"policy id {value.value!r} must look like PAC-S3-001 "
                "(capitals and digits in dash-separated parts)",
                value.loc,
            )
        return
    ok = isinstance(value, ast.ListExpr) and all(
        isinstance(i, ast.Literal) and isinstance(i.value, str) for i in value.items
    )
    if not ok:
        checker.error(
            codes.BAD_METADATA_VALUE, f"`{meta.key}` must be a list of strings", _loc(value)
        )


def _check_fix(fix: ast.Fix, scope: Scope, checker: ExprChecker) -> None:
    steps = fix.path.steps
    first = steps[0]
    if not isinstance(first, str) or not is_body_root(first):
        checker.error(
            codes.BAD_FIX,
            "a fix path starts at the resource body, like Properties.Name",
            fix.path.loc,
        )
    _check_fix_steps(fix, scope, checker)
    if fix.value is not None:
        checker.check(fix.value, scope)
        if not is_constant(fix.value, scope):
            checker.error(
                codes.BAD_FIX,
                "a fix value must be a constant (literals, params, constant lets)",
                _loc(fix.value),
            )


def _check_fix_steps(fix: ast.Fix, scope: Scope, checker: ExprChecker) -> None:
    """``[K = v]`` and ``[? cond]`` steps: where they may stand and what they may hold."""
    steps = fix.path.steps
    matched = False  # a [K = v] step came before: a new element is built from the rest
    for n, step in enumerate(steps):
        if isinstance(step, (ast.Match, ast.Filter)) and n == len(steps) - 1:
            checker.error(codes.BAD_FIX, "a fix path ends in a key, after any list step", step.loc)
        if isinstance(step, ast.Match):
            matched = True
            _check_match(fix, step, scope, checker)
        elif isinstance(step, ast.Filter):
            if matched:
                checker.error(
                    codes.BAD_FIX,
                    "a `[? ...]` step cannot follow a `[K = v]` step (a new element has no "
                    "elements to pick)",
                    step.loc,
                )
            inner = scope.child()
            inner.bind("@", "current", VALUE, step)
            checker.condition(step.predicate, inner, "fix filter condition")
            related = _calls_related(step.predicate, checker.defs)
            if related is not None:
                checker.error(
                    codes.BAD_FIX, "a fix filter sees one resource: no related()", related
                )
        elif isinstance(step, int) and matched:
            checker.error(
                codes.BAD_FIX,
                "an index cannot follow a `[K = v]` step (a new element has no elements)",
                fix.path.loc,
            )


def _check_match(fix: ast.Fix, step: ast.Match, scope: Scope, checker: ExprChecker) -> None:
    if fix.kind != "set":
        checker.error(codes.BAD_FIX, "a `[K = v]` step is for `fix set`", step.loc)
    seen: set[str] = set()
    for name, value in step.fields:
        if name in seen:
            checker.error(codes.BAD_FIX, f"`{name}` is matched twice", step.loc)
        seen.add(name)
        checker.check(value, scope)
        if not is_constant(value, scope):
            checker.error(
                codes.BAD_FIX,
                "a `[K = v]` value must be a constant (literals, params, constant lets)",
                _loc(value),
            )


def _calls_related(node: ast.Expr, defs: Mapping[str, ast.Def]) -> Location | None:
    """Where ``node`` (or a def it calls, at any depth) calls related(), or None."""
    stack = [node]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            if current.name == "related":
                return current.loc
            target = defs.get(current.name)
            if target is not None and current.name not in seen:
                seen.add(current.name)
                stack.append(target.body)
        stack.extend(ast.children(current))
    return None


def _check_example(example: ast.Example, scope: Scope, checker: ExprChecker) -> None:
    inner = scope.child()
    inner.bind("<example>", "let", VALUE, example)
    for part in (example.body, example.others):
        if part is None:
            continue
        checker.check(part, inner)
        if not is_constant(part, inner):
            checker.error(
                codes.BAD_EXAMPLE,
                "an example holds data only (literals, params, constant lets)",
                part.loc,
            )
    if example.others is not None:
        for name, value in example.others.entries:
            if not _has_type(value):
                checker.error(
                    codes.BAD_EXAMPLE,
                    f"resource `{name}` in `with` needs a map with a Type string",
                    _loc(value),
                )


def _has_type(value: ast.Expr) -> bool:
    if not isinstance(value, ast.MapExpr):
        return False
    for key, item in value.entries:
        if key == "Type":
            return isinstance(item, ast.Literal) and isinstance(item.value, str)
    return False


def _loc(node: Any) -> Location:
    loc: Location = node.loc
    return loc
