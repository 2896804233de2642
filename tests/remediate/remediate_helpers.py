"""Running ``pacscan remediate`` against the moto server, and checking by ``pacscan audit``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from moto_fixtures import MotoAWS
from test_audit import Verdicts, audit, policy_args


def remediate(
    aws: MotoAWS,
    services: list[str],
    policies: list[str],
    *extra: str,
    code: int | None = 0,
    env: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Run ``pacscan remediate`` with a plan file; the plan and the text output."""
    plan_file = aws.tmp / "plan.json"
    plan_file.unlink(missing_ok=True)
    args = ["remediate", "--quiet", "--no-config", "--plan-out", str(plan_file)]
    for service in services:
        args += ["--service", service]
    done = aws.pacscan(*args, *policy_args(policies), *extra, env=env)
    if code is not None:
        assert done.returncode == code, done.stdout + done.stderr
    plan = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    return plan, done.stdout + done.stderr


def undo(aws: MotoAWS, journal: Path, code: int = 0) -> str:
    done = aws.pacscan("remediate", "--undo", str(journal), "--yes")
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


def journal_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def statuses(verdicts: Verdicts) -> set[str]:
    return set(verdicts.values())


def changed(plan: dict[str, Any]) -> set[tuple[str, str]]:
    """(policy id, resource name) of the plan's changes."""
    return {(c["policy_id"], c["resource"]["id"].rsplit(":", 1)[-1]) for c in plan["changes"]}


__all__ = ["audit", "remediate", "undo", "journal_records", "changed", "statuses"]
