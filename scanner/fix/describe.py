"""A fix clause in words: what ``pacscan policies show`` and SARIF fix descriptions say."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scanner.fix.targets import only_for
from scanner.model import Each, FixOp, Keyed, path_text

_VERBS = {"set": ("sets", "Set"), "remove": ("removes", "Remove"), "append": ("appends", "Append")}


def describe(op: FixOp, imperative: bool = False) -> str:
    """``sets Properties.X to "Y"`` (or ``Set ...`` when ``imperative``)."""
    third, command = _VERBS.get(op.kind, (op.kind, op.kind.capitalize()))
    verb = command if imperative else third
    where = path_text(op.path)
    if op.kind == "set":
        text = f"{verb} {where} to {value_text(op.value)}"
    elif op.kind == "append":
        text = f"{verb} {value_text(op.value)} to {where} if it is not there"
    else:
        text = f"{verb} {where}"
    return text + _steps_text(op)


def _steps_text(op: FixOp) -> str:
    """What the list steps of ``op``'s path pick, in words."""
    notes = []
    for step in op.path:
        if isinstance(step, Keyed):
            notes.append(f"the {step} element is added where the list has none")
        elif isinstance(step, Each):
            notes.append("on each element the condition picks")
    return f" ({'; '.join(notes)})" if notes else ""


def describe_all(ops: Sequence[FixOp], resource_types: Sequence[str] = ()) -> str:
    """Every op of a fix clause in one sentence: ``sets A to 1 and removes B``; an op
    for only some of ``resource_types`` names them (``sets A to 1 on AWS::X::Y``)."""
    parts = []
    for op in ops:
        chosen = only_for(op, resource_types)
        parts.append(describe(op) + (f" on {' and '.join(chosen)}" if chosen else ""))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def value_text(value: Any) -> str:
    """A value as JSON text (what YAML and JSON files read alike)."""
    return json.dumps(value, ensure_ascii=False, default=str)
