"""Classic Load Balancer policies folded into their aws_elb (PAC-ELB-013), and CloudFront
S3 origins written without s3_origin_config (fixtures/terraform/folds)."""

from __future__ import annotations

import pytest

from scanner.model import Status
from tests.terraform.helpers import FIXTURES, props, scan, verdicts

PASS, FAIL, SKIP = Status.PASS, Status.FAIL, Status.SKIP
CF = "aws_cloudfront_distribution"


@pytest.fixture(scope="module")
def folds() -> dict[tuple[str, str], tuple[Status, str | None]]:
    return verdicts(scan("folds"))


@pytest.mark.parametrize(
    ("policy", "address", "expected"),
    [
        # aws_load_balancer_policy + aws_load_balancer_listener_policy naming it by reference
        ("PAC-ELB-013", "aws_elb.strong", (PASS, "folds/elb.tf:4")),
        # the strong policy is declared but no listener names it: the default policy applies
        ("PAC-ELB-013", "aws_elb.declared", (FAIL, "folds/elb.tf:48")),
        # aws_lb_ssl_negotiation_policy with a predefined reference policy, on the listener's port
        ("PAC-ELB-013", "aws_elb.negotiated", (PASS, "folds/elb.tf:59")),
        # aws_lb_ssl_negotiation_policy listing protocols, not a predefined policy
        ("PAC-ELB-013", "aws_elb.custom", (FAIL, "folds/elb.tf:97")),
        # an origin with neither s3_origin_config nor custom_origin_config is an S3 origin
        (
            "PAC-CLOUDFRONT-011",
            f"{CF}.controlled",
            (PASS, "folds/cloudfront.tf:4"),
        ),
        (
            "PAC-CLOUDFRONT-001",
            f"{CF}.controlled",
            (FAIL, "folds/cloudfront.tf:4"),
        ),
        (
            "PAC-CLOUDFRONT-011",
            f"{CF}.open",
            (FAIL, "folds/cloudfront.tf:27"),
        ),
        (
            "PAC-CLOUDFRONT-001",
            f"{CF}.open",
            (PASS, "folds/cloudfront.tf:23"),
        ),
        # a custom origin is not an S3 origin
        ("PAC-CLOUDFRONT-001", f"{CF}.api", (SKIP, "folds/cloudfront.tf:42")),
        # settings written as resources of their own (folds/services.tf)
        ("PAC-GUARDDUTY-002", "aws_guardduty_detector.main", (PASS, "folds/services.tf:3")),
        # the feature it names is not Runtime Monitoring: pointed at the feature resource
        ("PAC-GUARDDUTY-007", "aws_guardduty_detector.main", (FAIL, "folds/services.tf:7")),
        ("PAC-EFS-004", "aws_efs_file_system.data", (PASS, "folds/services.tf:13")),
        ("PAC-ECR-003", "aws_ecr_repository.app", (PASS, "folds/services.tf:25")),
        ("PAC-SNS-003", "aws_sns_topic.events", (PASS, "folds/services.tf:36")),
        # a key in a custom key store: CloudHSM or external, which the key does not say
        ("PAC-KMS-001", "aws_kms_key.hsm", (Status.UNKNOWN, "folds/services.tf:43")),
        # aws_iam_policy_attachment attaches to each user it lists
        ("PAC-IAM-002", "aws_iam_user.alice", (FAIL, "folds/services.tf:48")),
        ("PAC-IAM-002", "aws_iam_user.bob", (PASS, "folds/services.tf:52")),
    ],
)
def test_folded_settings_decide(
    folds: dict[tuple[str, str], tuple[Status, str | None]],
    policy: str,
    address: str,
    expected: tuple[Status, str | None],
) -> None:
    assert folds[(policy, address)] == expected


def test_a_listener_names_the_policy_folded_in() -> None:
    body = props(FIXTURES / "folds", "aws_elb.strong")
    assert body["Listeners"][0]["PolicyNames"] == ["tls12"]
    assert body["Policies"] == [
        {
            "PolicyName": "tls12",
            "PolicyType": "SSLNegotiationPolicyType",
            "Attributes": [
                {"Name": "Reference-Security-Policy", "Value": "ELBSecurityPolicy-TLS-1-2-2017-01"}
            ],
        }
    ]
