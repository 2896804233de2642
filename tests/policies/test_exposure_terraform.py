"""The public exposure, network and IAM policies of the second wave judge Terraform: each
mapped type is failed by a careless resource at the attribute that decides it, and a
careful one passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Status
from scanner.pipeline import Run, ScanRequest, run_scan, select_policies

CARELESS = """\
resource "aws_lambda_layer_version_permission" "open" {
  layer_name     = "libs"
  version_number = 1
  statement_id   = "all"
  action         = "lambda:GetLayerVersion"
  principal      = "*"
}

resource "aws_api_gateway_method" "open" {
  rest_api_id   = "api"
  resource_id   = "res"
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_cognito_identity_pool" "guests" {
  identity_pool_name               = "guests"
  allow_unauthenticated_identities = true
}

resource "aws_dms_replication_instance" "default_public" {
  replication_instance_id    = "migrate"
  replication_instance_class = "dms.t3.medium"
}

resource "aws_mq_broker" "public" {
  broker_name         = "events"
  engine_type         = "ActiveMQ"
  publicly_accessible = true
}

resource "aws_msk_cluster" "public" {
  cluster_name = "stream"
  broker_node_group_info {
    connectivity_info {
      public_access {
        type = "SERVICE_PROVIDED_EIPS"
      }
    }
  }
}

resource "aws_transfer_server" "default_public" {
  protocols = ["SFTP"]
}

resource "aws_eks_node_group" "ssh" {
  cluster_name = "batch"
  remote_access {
    ec2_ssh_key = "ops"
  }
}

resource "aws_launch_configuration" "public" {
  image_id                    = "ami-1"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
  root_block_device {
    encrypted = false
  }
}

resource "aws_sagemaker_notebook_instance" "default_open" {
  name          = "nb"
  instance_type = "ml.t3.medium"
}

resource "aws_ecr_repository" "shared" {
  name = "shared"
}

resource "aws_ecr_repository_policy" "shared" {
  repository = aws_ecr_repository.shared.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "ecr:BatchGetImage" }]
  })
}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_iam_group_policy_attachment" "admins" {
  group      = aws_iam_group.admins.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
      { Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" },
    ]
  })
}

resource "aws_security_group" "egress" {
  name = "egress"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.egress.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
"""

CAREFUL = """\
resource "aws_lambda_layer_version_permission" "org" {
  layer_name      = "libs"
  version_number  = 1
  statement_id    = "org"
  action          = "lambda:GetLayerVersion"
  principal       = "*"
  organization_id = "o-abc123"
}

resource "aws_api_gateway_method" "iam" {
  rest_api_id   = "api"
  resource_id   = "res"
  http_method   = "GET"
  authorization = "AWS_IAM"
}

resource "aws_cognito_identity_pool" "members" {
  identity_pool_name = "members"
}

resource "aws_dms_replication_instance" "private" {
  replication_instance_id    = "migrate"
  replication_instance_class = "dms.t3.medium"
  publicly_accessible        = false
}

resource "aws_mq_broker" "private" {
  broker_name = "events"
  engine_type = "ActiveMQ"
}

resource "aws_transfer_server" "vpc" {
  endpoint_type = "VPC"
  endpoint_details {
    vpc_id     = "vpc-1"
    subnet_ids = ["subnet-1"]
  }
}

resource "aws_eks_node_group" "no_ssh" {
  cluster_name = "batch"
}

resource "aws_launch_configuration" "private" {
  image_id      = "ami-1"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
  }
}

resource "aws_sagemaker_notebook_instance" "private" {
  name                   = "nb"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
}
"""

FAILS = [
    ("PAC-LAMBDA-004", "aws_lambda_layer_version_permission.open", 6),
    ("PAC-APIGATEWAY-008", "aws_api_gateway_method.open", 13),
    ("PAC-COGNITO-001", "aws_cognito_identity_pool.guests", 18),
    ("PAC-DMS-001", "aws_dms_replication_instance.default_public", 21),
    ("PAC-MQ-001", "aws_mq_broker.public", 29),
    ("PAC-MSK-001", "aws_msk_cluster.public", 37),
    ("PAC-TRANSFER-001", "aws_transfer_server.default_public", 43),
    ("PAC-EKS-005", "aws_eks_node_group.ssh", 50),
    ("PAC-AUTOSCALING-001", "aws_launch_configuration.public", 57),
    ("PAC-EC2-008", "aws_launch_configuration.public", 58),
    ("PAC-SAGEMAKER-001", "aws_sagemaker_notebook_instance.default_open", 63),
    ("PAC-ECR-004", "aws_ecr_repository.shared", 74),
    ("PAC-IAM-022", "aws_iam_group.admins", 85),
    ("PAC-IAM-026", "aws_iam_policy.deploy", 88),
    ("PAC-IAM-019", "aws_iam_policy.deploy", 90),
    ("PAC-EC2-023", "aws_security_group.egress", 105),
]


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Status, str]]:
    root = tmp_path_factory.mktemp("tf")
    for name, text in (("careless", CARELESS), ("careful", CAREFUL)):
        (root / name).mkdir()
        (root / name / "main.tf").write_text(text)
    result = run_scan(ScanRequest(paths=(str(root),), jobs=1), select_policies(Run()))
    return {
        (f.policy.id, f.resource.id): (
            f.status,
            f"{f.location.file}:{f.location.line}" if f.location is not None else "",
        )
        for f in result.findings
    }


@pytest.mark.parametrize(("policy", "address", "line"), FAILS)
def test_a_careless_resource_fails_at_the_deciding_attribute(
    judged: dict[tuple[str, str], tuple[Status, str]], policy: str, address: str, line: int
) -> None:
    status, where = judged[(policy, address)]
    assert status is Status.FAIL
    assert Path(where).name == f"main.tf:{line}" and "careless" in where


def test_the_careful_resources_pass(judged: dict[tuple[str, str], tuple[Status, str]]) -> None:
    new = {p for p, _, _ in FAILS}
    careful = {
        key: status
        for key, (status, where) in judged.items()
        if "careful" in where and key[0] in new
    }
    assert len({address for _, address in careful}) == 9
    assert set(careful.values()) <= {Status.PASS, Status.SKIP}
