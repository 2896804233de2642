"""Backups, logging, isolation and encryption settings read from Terraform: each policy
passes a careful module and fails a careless one at the attribute that decides it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Status
from tests.terraform.helpers import scan, verdicts, write

CAREFUL = """\
resource "aws_docdb_cluster" "docs" {
  backup_retention_period = 7
}
resource "aws_msk_cluster" "stream" {
  cluster_name = "stream"
  logging_info {
    broker_logs {
      s3 {
        enabled = true
        bucket  = "logs"
      }
    }
  }
}
resource "aws_mq_broker" "events" {
  broker_name = "events"
  engine_type = "ActiveMQ"
  logs {
    audit = true
  }
}
resource "aws_athena_workgroup" "analysts" {
  name = "analysts"
  configuration {
    result_configuration {
      output_location = "s3://results/"
    }
  }
}
resource "aws_glue_security_configuration" "etl" {
  name = "etl"
  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
    }
    s3_encryption {
      s3_encryption_mode = "SSE-S3"
    }
  }
}
resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = jsonencode([{ name = "app", image = "app:1" }])
  volume {
    name = "shared"
    efs_volume_configuration {
      file_system_id     = "fs-1"
      transit_encryption = "ENABLED"
    }
  }
}
resource "aws_appsync_graphql_api" "api" {
  name                = "api"
  authentication_type = "AWS_IAM"
  log_config {
    cloudwatch_logs_role_arn = "arn:aws:iam::111122223333:role/logs"
    field_log_level          = "ERROR"
  }
}
"""

CARELESS = """\
resource "aws_docdb_cluster" "docs" {
  cluster_identifier = "docs"
}
resource "aws_mq_broker" "events" {
  broker_name = "events"
  engine_type = "ActiveMQ"
  logs {
    general = true
    audit   = false
  }
}
resource "aws_athena_workgroup" "analysts" {
  name = "analysts"
  configuration {
    enforce_workgroup_configuration = false
  }
}
resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = jsonencode([{ name = "app", image = "app:1" }])
  volume {
    name = "shared"
    efs_volume_configuration {
      file_system_id = "fs-1"
    }
  }
}
"""


@pytest.fixture(scope="module")
def careful(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Status]:
    root = write(tmp_path_factory.mktemp("careful"), {"main.tf": CAREFUL})
    return {key: status for key, (status, _) in verdicts(scan(root)).items()}


@pytest.mark.parametrize(
    ("policy", "address"),
    [
        ("PAC-DOCDB-005", "aws_docdb_cluster.docs"),
        ("PAC-MSK-002", "aws_msk_cluster.stream"),
        ("PAC-MQ-002", "aws_mq_broker.events"),
        ("PAC-ATHENA-001", "aws_athena_workgroup.analysts"),  # enforcement defaults to true
        ("PAC-GLUE-002", "aws_glue_security_configuration.etl"),
        ("PAC-ECS-010", "aws_ecs_task_definition.app"),
        ("PAC-APPSYNC-001", "aws_appsync_graphql_api.api"),
        ("PAC-APPSYNC-002", "aws_appsync_graphql_api.api"),
    ],
)
def test_a_careful_module_passes(
    careful: dict[tuple[str, str], Status], policy: str, address: str
) -> None:
    assert careful[(policy, address)] is Status.PASS


@pytest.mark.parametrize(
    ("policy", "address", "line"),
    [
        ("PAC-DOCDB-005", "aws_docdb_cluster.docs", 1),  # Terraform's default, 1 day
        ("PAC-MQ-002", "aws_mq_broker.events", 9),
        ("PAC-ATHENA-001", "aws_athena_workgroup.analysts", 15),
        ("PAC-ECS-010", "aws_ecs_task_definition.app", 21),  # the volume without it
    ],
)
def test_a_careless_module_fails_at_the_deciding_attribute(
    tmp_path: Path, policy: str, address: str, line: int
) -> None:
    root = write(tmp_path, {"main.tf": CARELESS})
    status, where = verdicts(scan(root))[(policy, address)]
    assert (status, where is not None and where.endswith(f"main.tf:{line}")) == (Status.FAIL, True)
