"""The 45- and 90-day unused-credential policies share one judgement (the credentials
module's stale_password and stale_key) and differ only in the age they pass to it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from scanner.engine.evaluate import evaluate
from scanner.engine.program import Program
from scanner.model import UNKNOWN, Resource, Status

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
POLICIES = ("PAC-IAM-016", "PAC-IAM-017")  # 45 and 90 days


def _ago(days: int) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def _findings(program: Program, props: dict[str, Any]) -> dict[str, tuple[Status, str]]:
    user = Resource("AWS::IAM::User", "bob", {"Type": "AWS::IAM::User", "Properties": props})
    found = evaluate(program.select(set(POLICIES), set()), [user], now=NOW)
    return {f.policy.id: (f.status, f.message) for f in found}


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, (Status.PASS, Status.PASS)),
        (60, (Status.FAIL, Status.PASS)),
        (120, (Status.FAIL, Status.FAIL)),
    ],
)
def test_a_console_password_is_stale_after_each_policys_age(
    program: Program, days: int, expected: tuple[Status, Status]
) -> None:
    got = _findings(program, {"LoginProfile": {}, "PasswordLastUsed": _ago(days)})
    assert (got["PAC-IAM-016"][0], got["PAC-IAM-017"][0]) == expected
    if expected[0] is Status.FAIL:
        assert (
            got["PAC-IAM-016"][1] == "user bob has a console password unused for more than 45 days"
        )


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, (Status.PASS, Status.PASS)),
        (60, (Status.FAIL, Status.PASS)),
        (120, (Status.FAIL, Status.FAIL)),
    ],
)
def test_an_active_access_key_is_stale_after_each_policys_age(
    program: Program, days: int, expected: tuple[Status, Status]
) -> None:
    key = {"AccessKeyId": "AKIA1", "Status": "Active", "CreateDate": _ago(400)}
    got = _findings(program, {"AccessKeys": [{**key, "LastUsedDate": _ago(days)}]})
    assert (got["PAC-IAM-016"][0], got["PAC-IAM-017"][0]) == expected


def test_a_password_without_a_login_profile_is_not_judged(program: Program) -> None:
    got = _findings(program, {"PasswordLastUsed": _ago(400)})
    assert got["PAC-IAM-016"][0] is Status.PASS


def test_an_unknown_last_use_names_the_judgement_and_the_value(program: Program) -> None:
    got = _findings(program, {"LoginProfile": {}, "PasswordLastUsed": UNKNOWN})
    assert got["PAC-IAM-017"] == (
        Status.UNKNOWN,
        "bob: cannot tell whether `not stale_password(Properties, unused_days)` holds: "
        "Properties.PasswordLastUsed is unknown (it cannot be resolved statically)",
    )
