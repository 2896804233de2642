"""IAM groups with inline and attached policies against moto: shape and built-in verdicts.

moto does not know the AWS managed policy ``AWSCloudShellFullAccess``; a customer managed
policy of that name (what PAC-IAM-011 looks for: ``…:policy/AWSCloudShellFullAccess``)
stands in for it.
"""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

CLOUDSHELL = f"arn:aws:iam::{ACCOUNT}:policy/AWSCloudShellFullAccess"
SESSIONS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "cloudshell:CreateSession", "Resource": "*"}],
}
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_REPORTS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
    ],
}
POLICIES = ["PAC-IAM-001", "PAC-IAM-003", "PAC-IAM-011", "PAC-KMS-004"]


def make_groups(aws: MotoAWS) -> None:
    iam = aws.client("iam")
    iam.create_policy(PolicyName="AWSCloudShellFullAccess", PolicyDocument=json.dumps(SESSIONS))
    iam.create_group(GroupName="admins", Path="/ops/")
    iam.put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=json.dumps(ADMIN))
    iam.attach_group_policy(GroupName="admins", PolicyArn=CLOUDSHELL)
    iam.create_group(GroupName="readers")
    iam.put_group_policy(
        GroupName="readers", PolicyName="reports", PolicyDocument=json.dumps(READ_REPORTS)
    )


def test_groups_with_inline_and_attached_policies(aws: MotoAWS) -> None:
    make_groups(aws)
    snapshot, done = aws.collect("--service", "iam")
    assert done.returncode == 0, snapshot["errors"]
    groups = resources_of(snapshot, "AWS::IAM::Group")
    admins = groups["admins"]
    assert admins["id"] == f"arn:aws:iam::{ACCOUNT}:group/ops/admins"
    assert admins["region"] == "global"
    assert admins["properties"] == {
        "GroupName": "admins",
        "Path": "/ops/",
        "ManagedPolicyArns": [CLOUDSHELL],
        "Policies": [{"PolicyName": "all", "PolicyDocument": ADMIN}],
    }
    assert groups["readers"]["properties"]["ManagedPolicyArns"] == []


def test_group_verdicts(aws: MotoAWS) -> None:
    make_groups(aws)
    assert audit(aws, ["iam"], POLICIES) == {
        **{(policy, "admins"): "fail" for policy in POLICIES},
        **{(policy, "readers"): "pass" for policy in POLICIES},
        # the stand-in managed policy itself (PAC-KMS-004 reads inline policies only)
        ("PAC-IAM-001", "AWSCloudShellFullAccess"): "pass",
        ("PAC-IAM-003", "AWSCloudShellFullAccess"): "pass",
    }
