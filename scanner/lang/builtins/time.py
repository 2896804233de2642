"""Time: days_since, measured against the scan's fixed ``now``."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.values import EvaluationError


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise EvaluationError(f"days_since(): {value!r} is not an ISO 8601 time") from None
    else:
        raise EvaluationError("days_since() needs an ISO 8601 timestamp string")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _days_since(now: datetime, value: Any) -> int:
    """Whole days from ``value`` to the scan time (negative for the future)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return (now - _moment(value)).days


FUNCTIONS = (
    Builtin(
        "days_since",
        _days_since,
        ("any",),
        "int",
        "whole days from an ISO 8601 timestamp to the scan time",
        needs_now=True,
    ),
)
