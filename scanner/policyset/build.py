"""One checked ``policy`` block to a ``CompiledPolicy``: metadata, conditions, fixes,
message templates and examples."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from scanner.engine.closures import ExprCompiler
from scanner.engine.messages import template
from scanner.engine.program import CompiledCondition, CompiledExample, CompiledPolicy
from scanner.lang import ast
from scanner.lang.constants import constant_value
from scanner.lang.scope import Scope
from scanner.loaders.cfn_values import declared_names, typed
from scanner.model import (
    Document,
    Each,
    FixOp,
    FixStep,
    Keyed,
    Location,
    PolicyInfo,
    Resource,
    Severity,
    Status,
    TemplateOrigin,
    line_at,
)

EXAMPLE_SUBJECT = "Subject"


def build_policy(
    policy: ast.Policy, compiler: ExprCompiler, params: Mapping[str, Any], lines: list[str]
) -> CompiledPolicy:
    scope = compiler.file_scope.child()
    whens: list[CompiledCondition] = []
    assertions: list[CompiledCondition] = []
    fixes: list[FixOp] = []
    examples: list[ast.Example] = []
    for item in policy.items:
        if isinstance(item, ast.Let):
            compiler.bind_let(scope, item)
        elif isinstance(item, ast.When):
            node = compiler.condition(item.expr, scope)
            whens.append(CompiledCondition(node, source_text(lines, item.expr.loc), item.loc))
        elif isinstance(item, ast.Assertion):
            assertions.append(_assertion(item, compiler, scope, lines))
        elif isinstance(item, ast.Fix):
            fixes.append(_fix(item, compiler, scope, params, lines))
        elif isinstance(item, ast.Example):
            examples.append(item)
    info = _info(policy, tuple(fixes))
    id_meta = _meta(policy).get("id")
    id_loc = id_meta.loc if id_meta is not None else None
    return CompiledPolicy(
        info=info,
        whens=tuple(whens),
        assertions=tuple(assertions),
        example_builder=functools.cache(
            lambda: tuple(_example(e, info, scope, params) for e in examples)
        ),
        id_loc=id_loc,
        id_line=line_at(lines, id_loc.line) if id_loc else None,
    )


def _fix(
    item: ast.Fix, compiler: ExprCompiler, scope: Scope, params: Mapping[str, Any], lines: list[str]
) -> FixOp:
    steps: list[FixStep] = []
    for step in item.path.steps:
        if isinstance(step, ast.Match):
            fields = tuple((k, constant_value(v, scope, params)) for k, v in step.fields)
            steps.append(Keyed(fields))
        elif isinstance(step, ast.Filter):
            _, test = compiler._step(step, scope)  # the compiled filter of a path expression
            text = source_text(lines, step.predicate.loc)
            steps.append(Each(text, test))
        else:
            steps.append(step)
    value = None if item.value is None else constant_value(item.value, scope, params)
    return FixOp(item.kind, tuple(steps), value)


def _assertion(
    item: ast.Assertion, compiler: ExprCompiler, scope: Scope, lines: list[str]
) -> CompiledCondition:
    node = compiler.condition(item.expr, scope)
    message = None
    if item.message is not None:
        parts = [
            p if isinstance(p, str) else compiler.compile(p, scope) for p in item.message.parts
        ]
        message = template(parts)
    return CompiledCondition(node, source_text(lines, item.expr.loc), item.loc, message)


def _meta(policy: ast.Policy) -> dict[str, ast.Expr]:
    return {i.key: i.value for i in policy.items if isinstance(i, ast.Meta)}


def _info(policy: ast.Policy, fixes: tuple[FixOp, ...]) -> PolicyInfo:
    meta = _meta(policy)

    def text(key: str) -> str:
        node = meta.get(key)
        return node.value if isinstance(node, ast.Literal) else ""

    def strings(key: str) -> tuple[str, ...]:
        node = meta.get(key)
        if not isinstance(node, ast.ListExpr):
            return ()
        return tuple(i.value for i in node.items if isinstance(i, ast.Literal))

    severity = meta["severity"]
    level = severity.name if isinstance(severity, ast.Name) else text("severity")
    types = tuple(t for i in policy.items if isinstance(i, ast.Targets) for t, _ in i.types)
    return PolicyInfo(
        id=text("id"),
        name=policy.name,
        title=text("title"),
        severity=Severity(level),
        resource_types=tuple(dict.fromkeys(types)),
        description=text("description"),
        controls=strings("controls"),
        equivalents=strings("equivalents"),
        tags=strings("tags"),
        help=text("help"),
        help_url=text("help_url") or None,
        fixes=fixes,
        source=policy.loc,
    )


def _example(
    example: ast.Example, info: PolicyInfo, scope: Scope, params: Mapping[str, Any]
) -> CompiledExample:
    document = Document(path=example.loc.file, format="example")
    body = typed(dict(constant_value(example.body, scope, params)))
    kind = body.get("Type")
    if not isinstance(kind, str):
        kind = info.resource_types[0]
        body = {"Type": kind, **body}
    subject = _example_resource(kind, EXAMPLE_SUBJECT, body, document)
    others = []
    if example.others is not None:
        for name, value in constant_value(example.others, scope, params).items():
            others.append(_example_resource(value["Type"], name, typed(value), document))
    at = example.at.keys if example.at is not None else None
    return CompiledExample(Status(example.status), at, subject, tuple(others), example.loc)


def _example_resource(kind: str, name: str, body: Any, document: Document) -> Resource:
    """An example resource, read as the template loader reads a resource."""
    names, nameable = declared_names(kind, body)
    origin = TemplateOrigin(names=names, nameable=nameable)
    return Resource(type=kind, id=name, body=body, document=document, origin=origin)


def source_text(lines: list[str], loc: Location) -> str:
    """The source of a node, on one line (inner whitespace collapsed)."""
    if loc.end_line is None or loc.end_column is None:
        return ""
    first, last = loc.line - 1, loc.end_line - 1
    if first == last:
        return lines[first][loc.column - 1 : loc.end_column - 1] if first < len(lines) else ""
    chunk = [
        lines[first][loc.column - 1 :],
        *lines[first + 1 : last],
        lines[last][: loc.end_column - 1],
    ]
    return " ".join(" ".join(part.split()) for part in chunk if part.strip())
