"""Terraform plan JSON: planned values, child modules, after-apply and sensitive values."""

from __future__ import annotations

import json

import pytest

from scanner.loaders import LoadOptions, load_inputs
from scanner.model import Status, Unknown
from scanner.report import renderer
from scanner.result import ReportOptions
from tests.terraform.helpers import FIXTURES, scan, verdicts

PLAN = FIXTURES / "plan" / "plan.json"


def _resources() -> dict[str, object]:
    loaded = load_inputs([str(PLAN)], LoadOptions(jobs=1))
    assert loaded.errors == []
    return {r.id: r for r in loaded.resources}


def test_a_plan_is_recognised_by_its_content_and_modules_are_read() -> None:
    assert sorted(_resources()) == [
        "aws_db_instance.main",
        "aws_s3_bucket.data",
        "module.logs.aws_s3_bucket.this[0]",
    ]


def test_values_known_only_once_applied_are_unknown() -> None:
    bucket = _resources()["module.logs.aws_s3_bucket.this[0]"]
    name = bucket.properties["BucketName"]  # type: ignore[attr-defined]
    assert type(name) is Unknown and name.cause == "known only once applied"


@pytest.mark.parametrize(
    ("policy", "address", "expected"),
    [
        # folded by name: the versioning resource's status, at its line
        ("PAC-S3-009", "aws_s3_bucket.data", (Status.FAIL, "plan/plan.json:34")),
        # folded through the configuration's reference (the bucket's name is unknown)
        ("PAC-S3-002", "module.logs.aws_s3_bucket.this[0]", (Status.FAIL, "plan/plan.json:86")),
        ("PAC-RDS-002", "aws_db_instance.main", (Status.FAIL, "plan/plan.json:51")),
        ("PAC-RDS-003", "aws_db_instance.main", (Status.PASS, "plan/plan.json:39")),
        # logging is computed: unknown, not a guess
        ("PAC-S3-008", "aws_s3_bucket.data", (Status.UNKNOWN, "plan/plan.json:17")),
    ],
)
def test_plan_findings(policy: str, address: str, expected: tuple[Status, str]) -> None:
    assert verdicts(scan("plan"))[(policy, address)] == expected


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_sensitive_values_never_appear_in_a_report(fmt: str) -> None:
    result = scan("plan")
    text = renderer(fmt)(result, ReportOptions(include_passed=True))
    assert "plan-secret-do-not-show" not in text
    if fmt == "json":
        assert json.loads(text)["summary"]["resources"] == 3


def test_the_password_is_unknown_in_the_model() -> None:
    db = _resources()["aws_db_instance.main"]
    password = db.properties["MasterUserPassword"]  # type: ignore[attr-defined]
    assert type(password) is Unknown and password.cause == "sensitive: not shown"
    assert db.document is not None and db.document.text is None  # type: ignore[attr-defined]
