"""A fix clause of a policy over several resource types: each op is made only on the types
that have its property."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.fix.describe import describe_all
from scanner.fix.targets import applies
from scanner.model import FixOp

TRACING = FixOp("set", ("Properties", "TracingEnabled"), True)
STAGE_TRACING = FixOp("set", ("Properties", "StageDescription", "TracingEnabled"), True)
STAGE, DEPLOYMENT = "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"


@pytest.mark.parametrize(
    ("resource_type", "op", "expected"),
    [
        (STAGE, TRACING, True),
        (STAGE, STAGE_TRACING, False),
        (DEPLOYMENT, TRACING, False),
        (DEPLOYMENT, STAGE_TRACING, True),
        # lists are transparent, and below a free-form object nothing is checked
        ("AWS::EC2::LaunchTemplate", FixOp("set", ("Properties", "LaunchTemplateData",
         "NetworkInterfaces", 0, "AssociatePublicIpAddress"), False), True),
        ("AWS::S3::BucketPolicy", FixOp("set", ("Properties", "PolicyDocument", "X"), 1), True),
        ("Custom::Thing", FixOp("set", ("Properties", "Anything"), 1), True),
    ],
)  # fmt: skip
def test_an_op_is_for_the_types_that_have_its_property(
    resource_type: str, op: FixOp, expected: bool
) -> None:
    assert applies(resource_type, op) is expected


def test_the_description_names_the_type_each_op_is_for() -> None:
    assert describe_all((TRACING, STAGE_TRACING), (STAGE, DEPLOYMENT)) == (
        f"sets Properties.TracingEnabled to true on {STAGE} and "
        f"sets Properties.StageDescription.TracingEnabled to true on {DEPLOYMENT}"
    )
    assert describe_all((TRACING,), (STAGE,)) == "sets Properties.TracingEnabled to true"


TEMPLATE = """\
Resources:
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: api
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: api
      StageName: prod
  Service:
    Type: AWS::ECS::Service
    Properties:
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: ENABLED
          Subnets: [subnet-1]
  TaskSet:
    Type: AWS::ECS::TaskSet
    Properties:
      Cluster: c
      Service: s
      TaskDefinition: t
      NetworkConfiguration:
        AwsVpcConfiguration:
          AssignPublicIp: ENABLED
          Subnets: [subnet-1]
"""


def test_each_resource_gets_the_ops_for_its_type(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(TEMPLATE)
    args = ["fix", str(path), "--no-config", "--policy", "PAC-APIGATEWAY-002"]
    done = CliRunner().invoke(cli, [*args, "--policy", "PAC-ECS-002"])
    assert done.exit_code == 1, done.output  # the task set is left as it is
    assert (
        "PAC-ECS-002 TaskSet Properties.NetworkConfiguration.AwsVpcConfiguration.AssignPublicIp: "
        "the policy's fix is for its other resource types, not AWS::ECS::TaskSet" in done.output
    )
    expected = (
        TEMPLATE.replace(
            "      RestApiId: api\n  Deployment",
            "      RestApiId: api\n      TracingEnabled: true\n  Deployment",
        )
        .replace(
            "      StageName: prod\n",
            "      StageName: prod\n      StageDescription:\n        TracingEnabled: true\n",
        )
        .replace("          AssignPublicIp: ENABLED\n          Subnets: [subnet-1]\n  TaskSet",
                 "          AssignPublicIp: DISABLED\n          Subnets: [subnet-1]\n  TaskSet")
    )  # fmt: skip
    assert path.read_text() == expected
