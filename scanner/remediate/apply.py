"""Making the changes of a plan, one after another, each journaled as it happens.

For each change: read its resources again (a failed read skips it); if a property it
touches is no longer what the snapshot showed, skip it as drifted; write ``begin``;
make each call (an EC2 call with ``DryRun`` first), writing a ``call`` record after
each; a call that fails (denied, throttled past its retries) ends that change, and the
run goes on with the next one. Then read the resources back, evaluate the policy on
them, and write ``end`` with the state read back and whether the policy now passes.
Nothing is ever deleted here: writers only put settings (undo is ``scanner.remediate.undo``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from scanner.aws.context import CALL_FAILURES, describe_failure, plain
from scanner.aws.writers import reader_for, writer_for
from scanner.aws.writers.base import Call, Edit, Target
from scanner.remediate.journal import Journal
from scanner.remediate.live import Fresh, LiveAccount, WrongAccount
from scanner.remediate.plan import Change, edit_name, finding_json, to_plain

APPLIED, FAILED, SKIPPED = "applied", "failed", "skipped"
DRY_RUN_OK = "DryRunOperation"


@dataclass(frozen=True, slots=True)
class Outcome:
    change: Change
    status: str
    verified: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallFailure:
    code: str
    message: str


def verdict(program: Any, policy_id: str, resources: Iterable[Any], resource_id: str) -> str:
    """The status of ``policy_id`` on ``resource_id`` among ``resources`` ("absent": none)."""
    from scanner.engine.evaluate import evaluate

    one = program.select({policy_id}, set())
    for finding in evaluate(one, list(resources)):
        if finding.resource.id == resource_id:
            return str(finding.status.value)
    return "absent"


def read_targets(live: LiveAccount, targets: Iterable[Target]) -> Fresh:
    """A fresh read of every resource of ``targets`` (one collector run per type)."""
    items: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    done: set[tuple[str, str, str]] = set()
    for target in targets:
        key = (target.type, target.account, target.region)
        if reader_for(target.type) is not None:  # reads one resource: one read per resource
            key = (target.type, target.account, target.id)
        if key in done:
            continue
        done.add(key)
        fresh = live.read(target)
        items.update((i["id"], i) for i in fresh.items)
        if fresh.problem:
            problems.append(fresh.problem)
    return Fresh(tuple(items.values()), problems[0] if problems else None)


def make_call(live: LiveAccount, target: Target, call: Call) -> dict[str, Any] | CallFailure:
    """One call (dry run first where asked); the answer, or why it failed."""
    try:
        if call.dry_run:
            try:
                live.call(target, call, DryRun=True)
            except ClientError as exc:
                code, message = describe_failure(exc)
                if code != DRY_RUN_OK:
                    return CallFailure(code, f"dry run: {message}")
        answer = live.call(target, call)
    except CALL_FAILURES as exc:
        return CallFailure(*describe_failure(exc))
    except WrongAccount as exc:
        return CallFailure("WrongAccount", str(exc))
    return dict(plain(answer))


class Applier:
    def __init__(self, live: LiveAccount, program: Any, journal: Journal) -> None:
        self.live = live
        self.program = program
        self.journal = journal

    def apply(self, number: int, change: Change) -> Outcome:
        owner = change.target
        targets = [owner, *(e.target for e in change.edits)]
        fresh = read_targets(self.live, targets)
        reason = _cannot_start(change, fresh)
        if reason is not None:
            self.journal.write("end", change=number, **finding_json(change.finding),
                               status=SKIPPED, reason=reason)  # fmt: skip
            return Outcome(change, SKIPPED, reason=reason)
        self.journal.write("begin", change=number, **begin_fields(change))
        failure = None
        for edit_number, call in change.calls:
            answer = make_call(self.live, change.edits[edit_number].target, call)
            if isinstance(answer, CallFailure):
                failure = answer
                error = {"code": answer.code, "message": answer.message}
                self.journal.write(
                    "call", change=number, edit=edit_number, **call.to_json(), error=error
                )
                break
            self.journal.write(
                "call", change=number, edit=edit_number, **call.to_json(), response=answer
            )
        after = read_targets(self.live, targets)
        passed = after.problem is None and self._passes(change, after)
        status = FAILED if failure is not None else APPLIED
        why = f"{failure.code}: {failure.message}" if failure is not None else (after.problem or "")
        self.journal.write(
            "end", change=number, **finding_json(change.finding), status=status,
            before=_state(change, fresh), after=_state(change, after), verified=passed,
            reason=why, read_back=[to_plain(after.value(e.target, e.key)) for e in change.edits],
        )  # fmt: skip
        return Outcome(change, status, passed, why)

    def _passes(self, change: Change, after: Fresh) -> bool:
        finding = change.finding
        found = verdict(self.program, finding.policy.id, after.resources(), finding.resource.id)
        return found == "pass"


def _cannot_start(change: Change, fresh: Fresh) -> str | None:
    if fresh.problem is not None:
        return f"cannot read the resource again: {fresh.problem}"
    if fresh.item(change.target.id) is None:
        return "drifted: the resource no longer exists"
    for edit in change.edits:
        now = fresh.value(edit.target, edit.key)
        writer = writer_for(edit.target.type, edit.key)
        if writer is None or not writer.same(now, edit.before):
            return f"drifted: {edit_name(edit, change.target)} changed since the snapshot"
    return None


def _state(change: Change, fresh: Fresh) -> dict[str, Any]:
    owner = change.target
    return {edit_name(e, owner): to_plain(fresh.value(e.target, e.key)) for e in change.edits}


def begin_fields(change: Change) -> dict[str, Any]:
    fields = finding_json(change.finding)
    fields["edits"] = [edit_json(e) for e in change.edits]
    fields["calls"] = [{"edit": n, **call.to_json()} for n, call in change.calls]
    return fields


def edit_json(edit: Edit) -> dict[str, Any]:
    t = edit.target
    return {
        "resource": {"type": t.type, "id": t.id, "name": t.name},
        "account": t.account,
        "region": t.region,
        "property": edit.key,
        "before": to_plain(edit.before),
        "after": to_plain(edit.after),
    }
