"""Which failed findings of a live account can be fixed, and with which API calls.

A finding's edits come from its policy's ``fix`` clause (``set``/``remove``/``append``
applied to a copy of the snapshot's properties; each top-level property that changes is
one edit) or, for a policy without one, from a writer module's ``Remedy``. Each edit
goes to the ``PropertyWriter`` of its resource type and property, which names the calls.
A finding is skipped, with its reason, when it is suppressed, when no writer knows the
property, when the value would be guessed (no fix clause, or a value the snapshot could
not read), or when the same edit is already planned.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from scanner.aws.writers import remedy_for, writer_for
from scanner.aws.writers.base import Call, Edit, Judge, Target, target_of
from scanner.fix.select import plain_ops
from scanner.fix.targets import ops_for
from scanner.model import Finding, FixOp, Resource, Severity, Status, Unknown

CREDENTIALS_NEED_FLAG = "a credential change (access keys): only with --allow-credential-changes"
MAX_FIX_DEPTH = 32  # a fix path deeper than this is not a property a writer knows


@dataclass(frozen=True, slots=True)
class Change:
    """The calls that should make one failed finding pass; ``calls`` pair an edit index
    with each call."""

    finding: Finding
    edits: tuple[Edit, ...]
    calls: tuple[tuple[int, Call], ...]

    @property
    def target(self) -> Target:
        return target_of(self.finding.resource)

    def to_json(self) -> dict[str, Any]:
        shown = finding_json(self.finding)
        shown["calls"] = [call.to_json() for _, call in self.calls]
        shown["before"] = {edit_name(e, self.target): to_plain(e.before) for e in self.edits}
        shown["after"] = {edit_name(e, self.target): to_plain(e.after) for e in self.edits}
        return shown


@dataclass(frozen=True, slots=True)
class Skip:
    """A failed finding the plan does not change, and why; ``covered``: an earlier
    change of the plan fixes it too."""

    finding: Finding
    reason: str
    covered: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**finding_json(self.finding), "reason": self.reason}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def left(self) -> bool:
        """Whether failed findings are left that no change of the plan fixes."""
        return any(not s.covered for s in self.skipped)

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for c in self.changes],
            "skipped": [s.to_json() for s in self.skipped],
        }


def finding_json(finding: Finding) -> dict[str, Any]:
    resource = finding.resource
    live = resource.live
    return {
        "policy_id": finding.policy.id,
        "resource": {"type": resource.type, "id": resource.id},
        "account": live.account if live else None,
        "region": live.region if live else None,
    }


def edit_name(edit: Edit, owner: Target) -> str:
    """How the plan names an edit's property: its key on the finding's own resource,
    ``Type.Key`` on a related one, ``Properties`` for all of them at once."""
    key = edit.key or "Properties"
    return key if edit.target.id == owner.id else f"{edit.target.type}.{key}"


def make_plan(
    findings: Sequence[Finding],
    resources: Mapping[str, Resource],
    judge_of: Any,
    fail_on: Severity,
    allow_credentials: bool = False,
) -> Plan:
    """The changes for the failed findings at or above ``fail_on``, in finding order;
    ``judge_of(finding, resource)`` gives the ``Judge`` a remedy may use.

    Changes to one property follow one another: a later finding's edit starts from the
    value the earlier changes leave (two rules of one security group, or of the password
    policy, are two changes, the second from the first one's after-state). A finding
    the earlier changes already fix is skipped as covered.
    """
    plan = Plan()
    planned = Planned(dict(resources))
    for finding in findings:
        if finding.resource.live is None or finding.policy.severity.rank < fail_on.rank:
            continue
        if finding.status is Status.SUPPRESSED:
            suppression = finding.triage.suppression
            if suppression is None or suppression.was in (None, Status.FAIL):
                plan.skipped.append(Skip(finding, "suppressed"))
            continue
        if finding.status is not Status.FAIL:
            continue
        outcome = _change(finding, planned, judge_of, allow_credentials)
        if isinstance(outcome, Skip):
            plan.skipped.append(outcome)
            continue
        planned.record(outcome)
        plan.changes.append(outcome)
    return plan


class Planned:
    """The snapshot's resources as the changes planned so far leave them."""

    def __init__(self, resources: dict[str, Resource]) -> None:
        self.resources = resources
        self.by: dict[tuple[str, str], str] = {}  # (resource id, property) -> policy id

    def current(self, resource: Resource) -> Resource:
        return self.resources.get(resource.id, resource)

    def record(self, change: Change) -> None:
        for edit in change.edits:
            self.by[(edit.target.id, edit.key)] = change.finding.policy.id
            found = self.resources.get(edit.target.id)
            if found is None:
                continue
            props = dict(edit.after or {}) if edit.key == "" else dict(found.properties)
            if edit.key:
                props[edit.key] = edit.after
            body = {**found.body, "Properties": props}
            self.resources[found.id] = replace(found, body=body)

    def covered_by(self, resource: Resource) -> str | None:
        return next((p for (rid, _), p in self.by.items() if rid == resource.id), None)


def _change(
    finding: Finding, planned: Planned, judge_of: Any, allow_credentials: bool
) -> Change | Skip:
    ops = ops_for(finding)  # the fix lines for this resource's type
    if not ops and (finding.fix or finding.policy.fixes):
        return Skip(finding, f"no writer: the policy's fix is not for {finding.resource.type}")
    resource = planned.current(finding.resource)
    if ops:
        edits = edits_from_fix(resource, ops)
    else:
        remedy = remedy_for(finding.policy.id, resource.type)
        if remedy is None:
            return Skip(
                finding, "value would be guessed: the policy has no fix clause and no live remedy"
            )
        judge: Judge = judge_of(finding, resource)
        edits = remedy.edits(resource, planned.resources, judge)
    if isinstance(edits, str):
        return Skip(finding, edits)
    if not edits:
        earlier = planned.covered_by(resource)
        if earlier is not None:
            return Skip(finding, f"covered by the change for {earlier}", covered=True)
        return Skip(finding, "the fix changes nothing the snapshot shows")
    return _calls(finding, edits, allow_credentials)


def _calls(finding: Finding, edits: list[Edit], allow_credentials: bool) -> Change | Skip:
    calls: list[tuple[int, Call]] = []
    for number, edit in enumerate(edits):
        writer = writer_for(edit.target.type, edit.key)
        if writer is None:
            return Skip(finding, f"no writer for {edit.target.type} {edit.key or 'Properties'}")
        if writer.credential and not allow_credentials:
            return Skip(finding, CREDENTIALS_NEED_FLAG)
        if contains_unknown(edit.before):
            return Skip(
                finding,
                f"value would be guessed: the current {edit.key or 'settings'} could not "
                "be read at collection",
            )
        calls.extend((number, call) for call in writer.write(edit.target, edit.before, edit.after))
    return Change(finding, tuple(edits), tuple(calls))


def edits_from_fix(resource: Resource, ops: Iterable[FixOp]) -> list[Edit] | str:
    """Apply the fix clause to a copy of the properties; one edit per changed key.

    List steps of the fix (``[K = v]``, ``[? cond]``) are made concrete on the live
    values first (``scanner.fix.select``)."""
    before = resource.properties
    after = copy.deepcopy(dict(before))
    plain = plain_ops(tuple(ops), resource)
    if isinstance(plain, str):
        return f"the fix does not fit the live value: {plain}"
    for op in plain:
        path = op.path
        if len(path) < 2 or path[0] != "Properties" or len(path) > MAX_FIX_DEPTH:
            return f"no writer: the fix changes {'.'.join(map(str, path))}, not a property"
        if contains_unknown(op.value) or not is_plain(op.value):
            return "value would be guessed: the fix value is not a literal"
        problem = _apply_op(after, op.kind, path[1:], op.value)
        if problem:
            return problem
    target = target_of(resource)
    keys = sorted(set(before) | set(after))
    return [
        Edit(target, key, before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def _apply_op(props: dict[str, Any], kind: str, path: tuple[Any, ...], value: Any) -> str | None:
    node: Any = props
    for key in path[:-1]:
        if type(node) is dict and type(key) is str:
            child = node.get(key)
            if child is None and kind != "remove":
                child = node[key] = {}
            node = child
        elif type(node) is list and type(key) is int and -len(node) <= key < len(node):
            node = node[key]
        else:
            return None if kind == "remove" else "the fix path does not fit the live value"
        if node is None:
            return None  # nothing to remove
        if isinstance(node, Unknown):
            return "value would be guessed: the current value could not be read at collection"
    last = path[-1]
    if type(node) is not dict or type(last) is not str:
        return "the fix path does not fit the live value"
    if kind == "set":
        node[last] = copy.deepcopy(value)
    elif kind == "remove":
        node.pop(last, None)
    elif kind == "append":
        items = node.get(last)
        if items is None:
            items = node[last] = []
        if type(items) is not list:
            return "the fix appends to a value that is not a list"
        if value not in items:
            items.append(copy.deepcopy(value))
    return None


def contains_unknown(value: Any) -> bool:
    stack = [value]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return False


def is_plain(value: Any) -> bool:
    """JSON data only: no reference, partial string or unknown."""
    stack = [value]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        item = stack.pop()
        if type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
        elif item is not None and type(item) not in (str, int, float, bool):
            return False
    return True


def to_plain(value: Any) -> Any:
    """A JSON-ready copy (an unknown value shows as its text)."""
    if type(value) is dict:
        return {str(k): to_plain(v) for k, v in value.items()}
    if type(value) is list:
        return [to_plain(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    return str(value)
