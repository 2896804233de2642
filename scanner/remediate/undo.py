"""Playing a journal backwards: every change AWS accepted, newest first.

Only the edits with at least one accepted ``call`` record are undone, so a change that
was interrupted, or denied part-way, is undone as far as it went. Before undoing, the
property is read again: if it is no longer what the change left (someone changed it
since), it is left alone and reported. After undoing, it is read back: ``restored``
when it equals the before-state, ``approximated`` when the writer says the API cannot
return to it exactly (a bucket's versioning goes back to ``Suspended``, not unset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.aws.writers import writer_for
from scanner.aws.writers.base import Call, PropertyWriter, Target
from scanner.remediate.apply import CallFailure, make_call, read_targets
from scanner.remediate.journal import Journal
from scanner.remediate.live import LiveAccount
from scanner.remediate.plan import CREDENTIALS_NEED_FLAG

RESTORED, APPROXIMATED, NOT_RESTORED = "restored", "approximated", "not restored"
NOTHING = "nothing to undo"  # AWS accepted no call of the change
SKIPPED, FAILED = "skipped", "failed"


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    change: int
    policy_id: str
    resource_id: str
    status: str
    reason: str = ""


@dataclass
class Journaled:
    """One change as the journal tells it."""

    number: int
    begin: Mapping[str, Any]
    accepted: set[int]
    end: Mapping[str, Any] | None = None


def journaled_changes(records: Sequence[Mapping[str, Any]]) -> list[Journaled]:
    """The changes with a ``begin`` record, in the order they were made; a journal that
    several runs appended to tells their changes apart by ``run``."""
    changes: dict[tuple[str, int], Journaled] = {}
    for record in records:
        number = record.get("change")
        if type(number) is not int:
            continue
        key = (str(record.get("run")), number)
        kind = record["record"]
        if kind == "begin":
            changes[key] = Journaled(number, record, set())
        elif key in changes and kind == "call" and "response" in record:
            edit = record.get("edit")
            if type(edit) is int:
                changes[key].accepted.add(edit)
        elif key in changes and kind == "end":
            changes[key].end = record
    return list(changes.values())


def undo_all(
    records: Sequence[Mapping[str, Any]],
    live: LiveAccount,
    journal: Journal,
    allow_credentials: bool = False,
) -> list[UndoOutcome]:
    outcomes = []
    for change in reversed(journaled_changes(records)):
        outcome = undo_one(change, live, allow_credentials)
        journal.write("undo", change=outcome.change, policy_id=outcome.policy_id,
                      resource={"id": outcome.resource_id}, status=outcome.status,
                      reason=outcome.reason)  # fmt: skip
        outcomes.append(outcome)
    return outcomes


@dataclass(frozen=True, slots=True)
class Step:
    """One edit to take back: where, with which writer, from what the change left."""

    target: Target
    writer: PropertyWriter
    key: str
    before: Any
    left: Any  # what the change left, as read back (else as intended)


def undo_one(change: Journaled, live: LiveAccount, allow_credentials: bool) -> UndoOutcome:
    begin = change.begin
    policy_id = str(begin.get("policy_id"))
    resource_id = str((begin.get("resource") or {}).get("id"))

    def outcome(status: str, reason: str = "") -> UndoOutcome:
        return UndoOutcome(change.number, policy_id, resource_id, status, reason)

    steps = _steps(change)
    if isinstance(steps, tuple):
        return outcome(*steps)
    if any(s.writer.credential for s in steps) and not allow_credentials:
        return outcome(SKIPPED, CREDENTIALS_NEED_FLAG)
    one_way = next((s.writer for s in steps if not s.writer.reversible), None)
    if one_way is not None:
        return outcome(SKIPPED, f"cannot be undone: {one_way.undo_note}")
    fresh = read_targets(live, [s.target for s in steps])
    if fresh.problem:
        return outcome(SKIPPED, f"cannot read the resource again: {fresh.problem}")
    plans: list[tuple[Step, list[Call]]] = []
    for step in steps:
        now = fresh.value(step.target, step.key)
        if not step.writer.same(now, step.left):
            name = step.key or "Properties"
            return outcome(SKIPPED, f"{name} changed since the change; left alone")
        plans.append((step, step.writer.write(step.target, now, step.before)))
    for step, calls in plans:
        for call in calls:
            answer = make_call(live, step.target, call)
            if isinstance(answer, CallFailure):
                return outcome(FAILED, f"{call.operation}: {answer.code}: {answer.message}")
    after = read_targets(live, [s.target for s in steps])
    if all(s.writer.same(after.value(s.target, s.key), s.before) for s in steps):
        return outcome(RESTORED)
    approximate = [s.writer.undo_note for s in steps if s.writer.approximate_undo]
    if approximate:
        return outcome(APPROXIMATED, approximate[0])
    return outcome(NOT_RESTORED, "the state read back differs from the before-state")


def _steps(change: Journaled) -> list[Step] | tuple[str, str]:
    """The edits of ``change`` that AWS accepted a call for, or (status, reason) why none."""
    edits = change.begin.get("edits")
    if type(edits) is not list:
        return SKIPPED, "the begin record lists no edits"
    touched = sorted(i for i in change.accepted if 0 <= i < len(edits))
    if not touched:
        return NOTHING, "AWS accepted no call of this change"
    read_back = (change.end or {}).get("read_back")
    steps = []
    for index in touched:
        edit = edits[index]
        target = _target(edit)
        if target is None:
            return SKIPPED, f"edit {index} of the journal is malformed"
        key = str(edit["property"])
        writer = writer_for(target.type, key)
        if writer is None:
            return SKIPPED, f"no writer for {target.type} {key}"
        left = edit.get("after")
        if type(read_back) is list and index < len(read_back):
            left = read_back[index]
        steps.append(Step(target, writer, key, edit.get("before"), left))
    return steps


def _target(edit: Any) -> Target | None:
    if type(edit) is not dict:
        return None
    resource = edit.get("resource") or {}
    type_, id_ = resource.get("type"), resource.get("id")
    account, region, name = edit.get("account"), edit.get("region"), resource.get("name")
    if not (type(type_) is type(id_) is type(account) is type(region) is str):
        return None
    if type(edit.get("property")) is not str:
        return None
    return Target(str(type_), str(id_), name if type(name) is str else None,
                  str(account), str(region), {})  # fmt: skip
