"""Second-wave policies on whole templates, where the loader makes values the policy
examples cannot write: ARNs built with Fn::Sub from pseudo parameters, and resource
policies beside the resources they govern."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Status
from scanner.pipeline import Run, ScanRequest, run_scan, select_policies

TEMPLATE = """\
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"
  OwnAdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/AdministratorAccess"
  PowerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"
  ShellGroup:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/AWSCloudShellFullAccess"
  Deployer:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: !GetAtt AdminRole.Arn
          - Effect: Allow
            Action: sts:AssumeRole
            Resource: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployer"
"""


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Status]:
    root: Path = tmp_path_factory.mktemp("cfn")
    (root / "template.yaml").write_text(TEMPLATE)
    result = run_scan(ScanRequest(paths=(str(root),), jobs=1), select_policies(Run()))
    return {(f.policy.id, f.resource.id): f.status for f in result.findings}


@pytest.mark.parametrize(
    ("policy", "resource", "status"),
    [
        # The known text of the Fn::Sub names the AWS managed policy, whatever the partition.
        ("PAC-IAM-022", "AdminRole", Status.FAIL),
        # The unknown account part of a partial string could, as far as its text goes, be
        # "aws": the finding says it cannot tell rather than passing or failing.
        ("PAC-IAM-022", "OwnAdminRole", Status.UNKNOWN),
        ("PAC-IAM-023", "PowerRole", Status.FAIL),
        ("PAC-IAM-011", "ShellGroup", Status.FAIL),
        ("PAC-IAM-022", "PowerRole", Status.PASS),
        # A reference or a built ARN names one resource, never every resource.
        ("PAC-IAM-019", "Deployer", Status.PASS),
        ("PAC-IAM-024", "Deployer", Status.PASS),
        ("PAC-IAM-026", "Deployer", Status.PASS),
    ],
)
def test_verdicts_on_values_the_loader_builds(
    verdicts: dict[tuple[str, str], Status], policy: str, resource: str, status: Status
) -> None:
    assert verdicts[(policy, resource)] is status
