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
from scanner.aws.writers.base import Call, Target
from scanner.remediate.apply import CallFailure, make_call, read_targets
from scanner.remediate.journal import Journal
from scanner.remediate.live import LiveAccount

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
    """The changes with a ``begin`` record, in the order they were made."""
    changes: dict[int, Journaled] = {}
    for record in records:
        number = record.get("change")
        if type(number) is not int:
            continue
        kind = record["record"]
        if kind == "begin":
            changes[number] = Journaled(number, record, set())
        elif number in changes and kind == "call" and "response" in record:
            edit = record.get("edit")
            if type(edit) is int:
                changes[number].accepted.add(edit)
        elif number in changes and kind == "end":
            changes[number].end = record
    return list(changes.values())


def undo_all(
    records: Sequence[Mapping[str, Any]], live: LiveAccount, journal: Journal
) -> list[UndoOutcome]:
    outcomes = []
    for change in reversed(journaled_changes(records)):
        outcome = undo_one(change, live)
        journal.write("undo", change=outcome.change, policy_id=outcome.policy_id,
                      resource={"id": outcome.resource_id}, status=outcome.status,
                      reason=outcome.reason)  # fmt: skip
        outcomes.append(outcome)
    return outcomes


def undo_one(change: Journaled, live: LiveAccount) -> UndoOutcome:
    begin = change.begin
    policy_id = str(begin.get("policy_id"))
    resource_id = str((begin.get("resource") or {}).get("id"))

    def outcome(status: str, reason: str = "") -> UndoOutcome:
        return UndoOutcome(change.number, policy_id, resource_id, status, reason)

    edits = begin.get("edits")
    if type(edits) is not list:
        return outcome(SKIPPED, "the begin record lists no edits")
    touched = sorted(i for i in change.accepted if 0 <= i < len(edits))
    if not touched:
        return outcome(NOTHING, "AWS accepted no call of this change")
    plans: list[tuple[Target, Mapping[str, Any], list[Call]]] = []
    for index in touched:
        edit = edits[index]
        target = _target(edit)
        if target is None:
            return outcome(SKIPPED, f"edit {index} of the journal is malformed")
        writer = writer_for(target.type, str(edit.get("property")))
        if writer is None:
            return outcome(SKIPPED, f"no writer for {target.type} {edit.get('property')}")
        plans.append((target, edit, []))
    fresh = read_targets(live, [t for t, _, _ in plans])
    if fresh.problem:
        return outcome(SKIPPED, f"cannot read the resource again: {fresh.problem}")
    read_back = (change.end or {}).get("read_back")
    for index, (target, edit, calls) in zip(touched, plans, strict=True):
        key = str(edit["property"])
        now = fresh.value(target, key)
        left = edit.get("after")
        if type(read_back) is list and index < len(read_back):
            left = read_back[index]  # what the change left, as read back
        writer = writer_for(target.type, key)
        assert writer is not None
        if not writer.same(now, left):
            return outcome(SKIPPED, f"{key or 'Properties'} changed since the change; left alone")
        calls.extend(writer.write(target, now, edit.get("before")))
    for target, _, calls in plans:
        for call in calls:
            answer = make_call(live, target, call)
            if isinstance(answer, CallFailure):
                return outcome(FAILED, f"{call.operation}: {answer.code}: {answer.message}")
    after = read_targets(live, [t for t, _, _ in plans])
    exact = all(
        _same(t, str(e["property"]), after.value(t, str(e["property"])), e.get("before"))
        for t, e, _ in plans
    )
    if exact:
        return outcome(RESTORED)
    approximate = [
        w.undo_note
        for t, e, _ in plans
        if (w := writer_for(t.type, str(e["property"]))) is not None and w.approximate_undo
    ]
    if approximate:
        return outcome(APPROXIMATED, approximate[0])
    return outcome(NOT_RESTORED, "the state read back differs from the before-state")


def _same(target: Target, key: str, a: Any, b: Any) -> bool:
    writer = writer_for(target.type, key)
    return writer.same(a, b) if writer is not None else bool(a == b)


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
