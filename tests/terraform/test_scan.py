"""The built-in policies on the Terraform fixture modules: exact statuses and lines."""

from __future__ import annotations

import pytest

from scanner.model import Status
from tests.terraform.helpers import scan, verdicts

PASS, FAIL, UNKNOWN, SKIP, SUPPRESSED = (
    Status.PASS,
    Status.FAIL,
    Status.UNKNOWN,
    Status.SKIP,
    Status.SUPPRESSED,
)


@pytest.fixture(scope="module")
def s3() -> dict[tuple[str, str], tuple[Status, str | None]]:
    return verdicts(scan("s3"))


@pytest.mark.parametrize(
    ("policy", "address", "expected"),
    [
        # set by aws_s3_bucket_public_access_block, at its attribute
        ("PAC-S3-002", "aws_s3_bucket.data", (FAIL, "s3/main.tf:12")),
        # aws_s3_bucket_server_side_encryption_configuration names a KMS key
        ("PAC-S3-001", "aws_s3_bucket.data", (PASS, "s3/main.tf:3")),
        # aws_s3_bucket_logging targets aws_s3_bucket.logs (a reference)
        ("PAC-S3-008", "aws_s3_bucket.data", (PASS, "s3/main.tf:3")),
        # folded by name from another file: the finding points there
        ("PAC-S3-009", "aws_s3_bucket.data", (FAIL, "s3/versioning.tf:4")),
        # inline versioning block, enabled = false
        ("PAC-S3-009", "aws_s3_bucket.logs", (FAIL, "s3/main.tf:40")),
        # the log bucket is related to through the reference: not asked to log itself
        ("PAC-S3-008", "aws_s3_bucket.logs", (SKIP, "s3/main.tf:37")),
        # a missing property points at the resource block
        ("PAC-S3-001", "aws_s3_bucket.logs", (FAIL, "s3/main.tf:37")),
        # # pacscan:ignore above the block
        ("PAC-S3-010", "aws_s3_bucket.logs", (SUPPRESSED, "s3/main.tf:37")),
        ("PAC-KMS-001", "aws_kms_key.data", (PASS, "s3/main.tf:31")),
    ],
)
def test_s3_split_resources_fold_into_the_bucket(
    s3: dict[tuple[str, str], tuple[Status, str | None]],
    policy: str,
    address: str,
    expected: tuple[Status, str],
) -> None:
    assert s3[(policy, address)] == expected


def test_split_resources_are_not_resources_of_their_own() -> None:
    result = scan("s3")
    assert {f.resource.id for f in result.findings} == {
        "aws_s3_bucket.data",
        "aws_s3_bucket.logs",
        "aws_kms_key.data",
    }
    assert result.resources == 3


@pytest.fixture(scope="module")
def groups() -> dict[tuple[str, str], tuple[Status, str | None]]:
    return verdicts(scan("security_groups"))


@pytest.mark.parametrize(
    ("policy", "address", "expected"),
    [
        # aws_security_group_rule folded into the group, at its cidr_blocks
        ("PAC-EC2-001", "aws_security_group.web", (FAIL, "security_groups/main.tf:21")),
        # aws_vpc_security_group_ingress_rule, at its cidr_ipv4
        ("PAC-EC2-002", "aws_security_group.admin", (FAIL, "security_groups/main.tf:34")),
        ("PAC-EC2-001", "aws_security_group.admin", (PASS, "security_groups/main.tf:24")),
        # a variable with no value: unknown, at the attribute that reads it
        ("PAC-EC2-001", "aws_security_group.internal", (UNKNOWN, "security_groups/main.tf:45")),
    ],
)
def test_security_group_rules_fold_into_the_group(
    groups: dict[tuple[str, str], tuple[Status, str | None]],
    policy: str,
    address: str,
    expected: tuple[Status, str],
) -> None:
    assert groups[(policy, address)] == expected


def test_the_unknown_names_the_variable_and_a_value_decides_it() -> None:
    unknown = scan("security_groups")
    finding = next(
        f
        for f in unknown.findings
        if f.policy.id == "PAC-EC2-001" and f.resource.id == "aws_security_group.internal"
    )
    assert "variable office_cidr has no value" in finding.message
    given = verdicts(scan("security_groups", terraform_vars=(("office_cidr", "0.0.0.0/0"),)))
    assert given[("PAC-EC2-001", "aws_security_group.internal")] == (
        FAIL,
        "security_groups/main.tf:45",
    )
