"""Running compiled policies over resources. Pure: no I/O, no printing, no clock reads
except for a default ``now``.

A resource meets only the policies of its type (a dict lookup). Per (policy, resource):
``when`` false -> skip, unknown -> unknown; then every assertion true -> pass, any
false -> fail, else unknown; an exception while evaluating -> error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from scanner.engine.context import Ctx
from scanner.engine.messages import conditions_suffix, first_missing, show_path, unknown_reason
from scanner.engine.program import CompiledCondition, CompiledPolicy, Program
from scanner.engine.relations import Relations
from scanner.engine.values import EvaluationError
from scanner.model import Finding, Path, Resource, Status, locate


def evaluate(
    program: Program, resources: Sequence[Resource], *, now: datetime | None = None
) -> list[Finding]:
    """One finding per (policy, resource of a type it targets), in resource order."""
    when = now if now is not None else datetime.now(timezone.utc)
    relations = Relations(resources)
    index = program.by_type
    findings: list[Finding] = []
    append = findings.append
    for resource in resources:
        for policy in index.get(resource.type, ()):
            append(run_policy(policy, resource, when, relations))
    return findings


def run_policy(
    policy: CompiledPolicy, resource: Resource, now: datetime, relations: Any
) -> Finding:
    ctx = Ctx(resource, now, relations)
    try:
        return _judge(policy, resource, ctx)
    except EvaluationError as exc:
        return _finding(policy, resource, Status.ERROR, f"evaluation failed: {exc.message}")
    except RecursionError:
        return _finding(policy, resource, Status.ERROR, "evaluation failed: data nested too deeply")
    except Exception as exc:  # a defect in pacscan: keep scanning, report it on this pair
        return _finding(
            policy,
            resource,
            Status.ERROR,
            f"internal error while evaluating: {type(exc).__name__}: {exc}",
        )


def _judge(policy: CompiledPolicy, resource: Resource, ctx: Ctx) -> Finding:
    undecided: CompiledCondition | None = None
    for cond in policy.whens:
        verdict = cond.node.ev(ctx)
        if verdict is False:
            return _finding(
                policy, resource, Status.SKIP, f"not applicable: `{cond.text}` is false"
            )
        if verdict is not True and undecided is None:
            undecided = cond
    if undecided is not None:
        return _unknown(policy, resource, ctx, undecided, "whether the policy applies")
    for cond in policy.assertions:
        verdict = cond.node.ev(ctx)
        if verdict is True:
            continue
        if verdict is False:
            return _fail(policy, resource, ctx, cond)
        if undecided is None:
            undecided = cond
    if undecided is not None:
        return _unknown(policy, resource, ctx, undecided, f"whether `{undecided.text}` holds")
    return _finding(policy, resource, Status.PASS, policy.info.title)


def _fail(policy: CompiledPolicy, resource: Resource, ctx: Ctx, cond: CompiledCondition) -> Finding:
    path = _where(ctx, cond)
    if cond.message is not None:
        message = cond.message(ctx)
    else:
        at = f" at {show_path(path)}" if path else ""
        message = f"{resource.id}: `{cond.text}` does not hold{at}"
    message += conditions_suffix(resource)
    return _finding(policy, resource, Status.FAIL, message, path, fix=True)


def _unknown(
    policy: CompiledPolicy, resource: Resource, ctx: Ctx, cond: CompiledCondition, what: str
) -> Finding:
    path = _where(ctx, cond)
    reason = unknown_reason(resource.body, path or None)
    message = f"{resource.id}: cannot tell {what}: {reason}{conditions_suffix(resource)}"
    return _finding(policy, resource, Status.UNKNOWN, message, path)


def _where(ctx: Ctx, cond: CompiledCondition) -> Path:
    found = cond.node.where(ctx)
    if not found:
        return ()
    return first_missing(ctx.body, found)


def _finding(
    policy: CompiledPolicy,
    resource: Resource,
    status: Status,
    message: str,
    path: Path = (),
    fix: bool = False,
) -> Finding:
    return Finding(
        policy=policy.info,
        resource=resource,
        status=status,
        message=message,
        path=path,
        location=locate(resource, path),
        fix=policy.info.fixes if fix else (),
    )
