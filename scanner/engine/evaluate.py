"""Running compiled policies over resources. Pure: no I/O, no printing, no clock reads
except for a default ``now``.

A resource meets only the policies of its type (a dict lookup). Per (policy, resource):
the resource is not created (its ``Condition`` is false) -> skip; ``when`` false -> skip,
unknown -> unknown; then every assertion true -> pass, any
false -> fail, else unknown; an exception while evaluating -> error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from scanner.engine.context import MAX_STEPS, Ctx
from scanner.engine.messages import (
    conditions_suffix,
    first_missing,
    origin_note,
    related_reason,
    unknown_reason,
)
from scanner.engine.program import CompiledCondition, CompiledPolicy, Program
from scanner.engine.relations import Relations
from scanner.gc_pause import paused_gc
from scanner.model import (
    Finding,
    Location,
    Path,
    Resource,
    Status,
    TemplateOrigin,
    locate,
    path_text,
)
from scanner.values import EvaluationError

# A policy that used up its step budget (MAX_STEPS) on this many resources is not run on
# the rest: each of them gets an error finding at once, so a hostile policy costs a few
# budgets per scan, not one per resource.
GIVE_UP_AFTER = 3


def evaluate(
    program: Program,
    resources: Sequence[Resource],
    *,
    now: datetime | None = None,
    spent: dict[CompiledPolicy, int] | None = None,
    jobs: int = 1,
) -> list[Finding]:
    """One finding per (policy, resource of a type it targets), in resource order.

    ``spent`` counts, per policy, the resources it used up its step budget on: a scan
    that evaluates its inputs in several calls passes the same dict to each. With
    ``jobs`` above 1, a large evaluation is shared with a forked process
    (``scanner.engine.split``).
    """
    when = now if now is not None else datetime.now(timezone.utc)
    relations = Relations(resources)
    # the policies of each type present, looked up once (``by_type`` may compile them then)
    by_type = program.by_type
    index = {kind: by_type.get(kind) for kind in {r.type for r in resources}}
    if spent is None:
        spent = {}  # policies that used up their step budget, how often
    with paused_gc():
        findings = _evaluate_shared(index, resources, when, relations, spent, jobs)
    if any(_assumes(r) for r in resources):
        return merge_variants(findings)
    return findings


def _evaluate_shared(
    index: dict[str, tuple[CompiledPolicy, ...] | None],
    resources: Sequence[Resource],
    when: datetime,
    relations: Relations,
    spent: dict[CompiledPolicy, int],
    jobs: int,
) -> list[Finding]:
    """``_evaluate_all``, split with a forked process when that is safe and pays."""

    def run(part: Sequence[Resource], counts: dict[Any, int]) -> list[Finding]:
        return _evaluate_all(index, part, when, relations, counts)

    if jobs <= 1:
        return run(resources, spent)
    from scanner.engine.split import can_split, cut_at, evaluate_split

    pairs = [len(index.get(resource.type) or ()) for resource in resources]
    if not can_split(sum(pairs), jobs):
        return run(resources, spent)
    policies = [policy for found in index.values() if found for policy in found]
    infos = [policy.info for policy in policies]
    return evaluate_split(run, resources, cut_at(pairs), infos, spent, policies)


def _evaluate_all(
    index: dict[str, tuple[CompiledPolicy, ...] | None],
    resources: Sequence[Resource],
    when: datetime,
    relations: Relations,
    spent: dict[CompiledPolicy, int],
) -> list[Finding]:
    findings: list[Finding] = []
    append = findings.append
    ctx: Ctx | None = None
    for resource in resources:
        policies = index.get(resource.type)
        if not policies:
            continue
        origin = resource.origin
        absent = origin.not_created if type(origin) is TemplateOrigin else None
        if absent is not None:  # its condition is false: nothing to check
            findings.extend(not_created(policy, resource, absent) for policy in policies)
            continue
        if ctx is None:
            ctx = Ctx(resource, when, relations)
        else:  # one context per resource: lets are cached per resource, not per policy
            ctx.resource = resource
            ctx.body = resource.body
            ctx.slots = {}
            ctx.located = {}
            ctx.memo = {}
        for policy in policies:
            if spent and spent.get(policy, 0) >= GIVE_UP_AFTER:
                append(_given_up(policy, resource, ctx))
                continue
            append(_run(policy, resource, ctx))
            if ctx.budget < 0:
                spent[policy] = spent.get(policy, 0) + 1
    return findings


def not_created(policy: CompiledPolicy, resource: Resource, why: str) -> Finding:
    """The skip finding of a resource the template does not create, at its ``Condition``."""
    message = f"resource {resource.id} is not created: {why}"
    where: Path = ("Condition",)
    location = locate(resource, where)
    return Finding(policy.info, resource, Status.SKIP, message, where, location)


def _given_up(policy: CompiledPolicy, resource: Resource, ctx: Ctx) -> Finding:
    message = (
        f"not evaluated: the policy used up its step budget on {GIVE_UP_AFTER} resources "
        "already in this scan"
    )
    return _finding(ctx, policy, resource, Status.ERROR, message)


def merge_variants(findings: list[Finding]) -> list[Finding]:
    """One finding where every variant of a resource got the same verdict.

    A resource whose values depend on an undecided condition is evaluated once per
    assumption. A policy that does not look at those values gets the same result from
    each; reporting it once per assumption is noise. Findings that differ in status,
    path, location or message stay apart, each naming its condition.
    """
    groups: dict[tuple[str, int, str], list[int]] = {}
    for n, finding in enumerate(findings):
        resource = finding.resource
        if _assumes(resource):
            key = (finding.policy.id, id(resource.document), resource.id)
            groups.setdefault(key, []).append(n)
    drop: set[int] = set()
    merged: dict[int, Finding] = {}
    plain: dict[int, Resource] = {}  # one unconditional copy of each variant, shared
    for members in groups.values():
        variants = [findings[n] for n in members]
        if len(variants) > 1 and len({_verdict(f) for f in variants}) == 1:
            merged[members[0]] = _unconditional(variants[0], plain)
            drop.update(members[1:])
    return [merged.get(n, f) for n, f in enumerate(findings) if n not in drop]


def _verdict(finding: Finding) -> tuple[Any, ...]:
    suffix = conditions_suffix(finding.resource)
    message = finding.message.removesuffix(suffix) if suffix else finding.message
    return (finding.status, finding.path, finding.location, message)


def _unconditional(finding: Finding, plain: dict[int, Resource]) -> Finding:
    """``finding`` as if no condition had been assumed (``plain``: the copies made so far)."""
    resource = finding.resource
    origin = resource.template
    if origin is not None:
        copy = plain.get(id(resource))
        if copy is None:
            copy = plain[id(resource)] = replace(resource, origin=replace(origin, conditions={}))
        resource = copy
    return replace(finding, resource=resource, message=_verdict(finding)[3])


def _assumes(resource: Resource) -> bool:
    """Whether ``resource`` is one variant of several, under assumed conditions."""
    origin = resource.origin
    return type(origin) is TemplateOrigin and bool(origin.conditions)


def run_policy(
    policy: CompiledPolicy, resource: Resource, now: datetime, relations: Any
) -> Finding:
    """The finding of one policy on one resource (``relations`` from its template)."""
    return _run(policy, resource, Ctx(resource, now, relations))


def _run(policy: CompiledPolicy, resource: Resource, ctx: Ctx) -> Finding:
    ctx.budget = MAX_STEPS
    try:
        if not policy.whens:
            for n, cond in enumerate(policy.assertions):
                verdict = cond.node.ev(ctx)
                if verdict is not True:
                    return _settle(policy, resource, ctx, n, verdict)
            return Finding(
                policy.info,
                resource,
                Status.PASS,
                policy.info.title,
                (),
                _locate(ctx, ()),
            )
        return _judge(policy, resource, ctx)
    except EvaluationError as exc:
        return _finding(ctx, policy, resource, Status.ERROR, f"evaluation failed: {exc.message}")
    except RecursionError:
        return _finding(
            ctx, policy, resource, Status.ERROR, "evaluation failed: data nested too deeply"
        )
    except Exception as exc:  # a defect in pacscan: keep scanning, report it on this pair
        return _finding(
            ctx,
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
            message = f"not applicable: `{cond.text}` is false"
            return _finding(ctx, policy, resource, Status.SKIP, message)
        if verdict is not True and undecided is None:
            undecided = cond
    if undecided is not None:
        return _unknown(policy, resource, ctx, undecided, "whether the policy applies")
    for n, cond in enumerate(policy.assertions):
        verdict = cond.node.ev(ctx)
        if verdict is not True:
            return _settle(policy, resource, ctx, n, verdict)
    return _finding(ctx, policy, resource, Status.PASS, policy.info.title)


def _settle(
    policy: CompiledPolicy, resource: Resource, ctx: Ctx, first: int, verdict: Any
) -> Finding:
    """Assertion ``first`` was not true: fail if it or a later one is false, else unknown."""
    assertions = policy.assertions
    if verdict is False:
        return _fail(policy, resource, ctx, assertions[first])
    for cond in assertions[first + 1 :]:
        if cond.node.ev(ctx) is False:
            return _fail(policy, resource, ctx, cond)
    undecided = assertions[first]
    return _unknown(policy, resource, ctx, undecided, f"whether `{undecided.text}` holds")


def _fail(policy: CompiledPolicy, resource: Resource, ctx: Ctx, cond: CompiledCondition) -> Finding:
    path = _where(ctx, cond)
    if cond.message is not None:
        message = cond.message(ctx)
    else:
        at = f" at {path_text(path)}" if path else ""
        message = f"{resource.id}: `{cond.text}` does not hold{at}"
    message += origin_note(resource, path) + conditions_suffix(resource)
    return _finding(ctx, policy, resource, Status.FAIL, message, path, fix=True)


def _unknown(
    policy: CompiledPolicy, resource: Resource, ctx: Ctx, cond: CompiledCondition, what: str
) -> Finding:
    path = _where(ctx, cond)
    reason = None if path else _related_reason(ctx, cond)
    if reason is None:
        reason = unknown_reason(resource.body, path or None)
    note = origin_note(resource, path)
    message = f"{resource.id}: cannot tell {what}: {reason}{note}{conditions_suffix(resource)}"
    return _finding(ctx, policy, resource, Status.UNKNOWN, message, path)


def _related_reason(ctx: Ctx, cond: CompiledCondition) -> str | None:
    """What ``related(...)`` left open in ``cond``: evaluated again, noting its calls."""
    relations = ctx.relations
    if not isinstance(relations, Relations):
        return None
    ctx.memo = {}  # def results remembered from the first run would hide their related() calls
    asked = relations.record(lambda: cond.node.ev(ctx))
    return related_reason(relations, ctx.resource, asked) if asked else None


def _where(ctx: Ctx, cond: CompiledCondition) -> Path:
    found = cond.node.where(ctx)
    if not found:
        return ()
    return first_missing(ctx.body, found)


def _finding(
    ctx: Ctx,
    policy: CompiledPolicy,
    resource: Resource,
    status: Status,
    message: str,
    path: Path = (),
    fix: bool = False,
) -> Finding:
    fixes = policy.info.fixes if fix else ()
    return Finding(policy.info, resource, status, message, path, _locate(ctx, path), fixes)


def _locate(ctx: Ctx, path: Path) -> Location | None:
    """``locate`` once per (resource, path): most findings of a resource share a path."""
    located = ctx.located
    if path in located:
        return located[path]
    location = located[path] = locate(ctx.resource, path)
    return location
