"""The plan, the outcomes of ``--apply`` and of ``--undo``, as text for a person."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scanner.escape import printable
from scanner.remediate.apply import Outcome
from scanner.remediate.plan import Plan, finding_json
from scanner.remediate.undo import UndoOutcome

MAX_SHOWN = 400  # characters of one value or parameter list shown in the text plan


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return printable(text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "...")


def _heading(fields: dict[str, Any]) -> str:
    resource = fields["resource"]
    return printable(
        f"{fields['policy_id']} {resource['type']} {resource['id']} "
        f"({fields['account']}, {fields['region']})"
    )


def plan_text(plan: Plan) -> str:
    lines = []
    for number, change in enumerate(plan.changes, 1):
        shown = change.to_json()
        lines.append(f"change {number}: {_heading(shown)}")
        for key, value in shown["before"].items():
            lines.append(f"  before  {printable(key)} = {_short(value)}")
        for call in shown["calls"]:
            dry = " (DryRun first)" if call.get("dry_run_first") else ""
            lines.append(
                f"  call    {call['service']}:{call['operation']}{dry} {_short(call['parameters'])}"
            )
    for skip in plan.skipped:
        lines.append(f"skipped {_heading(finding_json(skip.finding))}: {printable(skip.reason)}")
    changes, skipped = len(plan.changes), len(plan.skipped)
    lines.append(
        f"{changes} change{'s' * (changes != 1)} planned, "
        f"{skipped} finding{'s' * (skipped != 1)} skipped"
    )
    return "\n".join(lines) + "\n"


def outcomes_text(outcomes: Sequence[Outcome], interrupted: bool) -> str:
    lines = []
    for number, outcome in enumerate(outcomes, 1):
        head = _heading(finding_json(outcome.change.finding))
        if outcome.status == "applied":
            state = "applied, verified" if outcome.verified else "applied, NOT verified"
        else:
            state = outcome.status
        why = f": {printable(outcome.reason)}" if outcome.reason else ""
        lines.append(f"{state:22} {number} {head}{why}")
    verified = sum(1 for o in outcomes if o.verified)
    lines.append(
        f"{len(outcomes)} change{'s' * (len(outcomes) != 1)} tried, {verified} verified"
        + (", interrupted" if interrupted else "")
    )
    return "\n".join(lines) + "\n"


def undo_text(outcomes: Sequence[UndoOutcome]) -> str:
    lines = []
    for outcome in outcomes:
        why = f": {printable(outcome.reason)}" if outcome.reason else ""
        lines.append(
            f"{outcome.status:15} change {outcome.change} {printable(outcome.policy_id)} "
            f"{printable(outcome.resource_id)}{why}"
        )
    restored = sum(1 for o in outcomes if o.status in ("restored", "approximated"))
    lines.append(
        f"{len(outcomes)} change{'s' * (len(outcomes) != 1)} in the journal, {restored} undone"
    )
    return "\n".join(lines) + "\n"
