"""A fix clause in words: what ``pacscan policies show`` and SARIF fix descriptions say."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scanner.model import FixOp, path_text

_VERBS = {"set": ("sets", "Set"), "remove": ("removes", "Remove"), "append": ("appends", "Append")}


def describe(op: FixOp, imperative: bool = False) -> str:
    """``sets Properties.X to "Y"`` (or ``Set ...`` when ``imperative``)."""
    third, command = _VERBS.get(op.kind, (op.kind, op.kind.capitalize()))
    verb = command if imperative else third
    where = path_text(op.path)
    if op.kind == "set":
        return f"{verb} {where} to {value_text(op.value)}"
    if op.kind == "append":
        return f"{verb} {value_text(op.value)} to {where} if it is not there"
    return f"{verb} {where}"


def describe_all(ops: Sequence[FixOp]) -> str:
    """Every op of a fix clause in one sentence: ``sets A to 1 and removes B``."""
    parts = [describe(op) for op in ops]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def value_text(value: Any) -> str:
    """A value as JSON text (what YAML and JSON files read alike)."""
    return json.dumps(value, ensure_ascii=False, default=str)
