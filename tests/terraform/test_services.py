"""Every mapped service judged by its policies: a compliant module passes, a careless one
fails at the attribute that decides it."""

from __future__ import annotations

import pytest

from scanner.model import Status
from tests.terraform.helpers import scan, verdicts


@pytest.fixture(scope="module")
def services() -> dict[tuple[str, str], tuple[Status, str | None]]:
    return verdicts(scan("services"))


def test_the_compliant_resources_pass_every_policy_that_applies(
    services: dict[tuple[str, str], tuple[Status, str | None]],
) -> None:
    good = {
        key: verdict
        for key, verdict in services.items()
        if verdict[1] is not None and verdict[1].startswith("services/main.tf")
    }
    assert len({address for _, address in good}) == 20
    assert {status for status, _ in good.values()} <= {Status.PASS, Status.SKIP}
    assert len(good) >= 70


@pytest.mark.parametrize(
    ("policy", "address", "line"),
    [
        ("PAC-CLOUDFRONT-002", "aws_cloudfront_distribution.open", 17),
        ("PAC-CLOUDFRONT-006", "aws_cloudfront_distribution.open", 19),
        ("PAC-CLOUDFRONT-008", "aws_cloudfront_distribution.open", 11),
        ("PAC-OPENSEARCH-001", "aws_opensearch_domain.plain", 27),
        ("PAC-OPENSEARCH-003", "aws_opensearch_domain.plain", 24),
        ("PAC-REDSHIFT-001", "aws_redshift_cluster.public", 34),
        ("PAC-ELB-004", "aws_lb.lax", 37),
        ("PAC-ELB-011", "aws_lb.lax", 39),
        ("PAC-ECS-004", "aws_ecs_task_definition.root", 45),
        ("PAC-EKS-001", "aws_eks_cluster.public", 50),
        ("PAC-LAMBDA-002", "aws_lambda_function.old", 62),
        ("PAC-IAM-001", "aws_iam_policy.admin", 68),
    ],
)
def test_the_careless_resources_fail_at_their_line(
    services: dict[tuple[str, str], tuple[Status, str | None]],
    policy: str,
    address: str,
    line: int,
) -> None:
    assert services[(policy, address)] == (Status.FAIL, f"services/bad.tf:{line}")
