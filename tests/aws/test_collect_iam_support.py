"""The AWSSupportAccess attachments against moto: the record and the CIS 1.17 verdict."""

from __future__ import annotations

import json
import urllib.request

import pytest
from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture
def managed(aws: MotoAWS, monkeypatch: pytest.MonkeyPatch) -> MotoAWS:
    """moto with the AWS managed policies (read when its IAM backend is reset)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    reset = urllib.request.Request(f"{aws.url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=60) as answer:
        answer.read()
    return aws


def test_support_access_names_what_the_policy_is_attached_to(managed: MotoAWS) -> None:
    iam = managed.client("iam")
    iam.create_role(RoleName="aws-support", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="aws-support", PolicyArn=SUPPORT)
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=SUPPORT)
    snapshot, done = managed.collect("--service", "iam")
    assert done.returncode == 0, snapshot["errors"]
    (record,) = resources_of(snapshot, "Pacscan::IAM::SupportAccess").values()
    assert record["id"] == f"arn:aws:iam::{ACCOUNT}:support-access"
    assert record["region"] == "global"
    assert record["properties"] == {
        "PolicyArn": SUPPORT,
        "Roles": ["aws-support"],
        "Users": ["alice"],
        "Groups": [],
    }


@pytest.mark.parametrize(("role", "verdict"), [(True, "pass"), (False, "fail")])
def test_support_role_verdict(managed: MotoAWS, role: bool, verdict: str) -> None:
    iam = managed.client("iam")
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=SUPPORT)
    if role:
        iam.create_role(RoleName="aws-support", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.attach_role_policy(RoleName="aws-support", PolicyArn=SUPPORT)
    verdicts = audit(managed, ["iam"], ["PAC-IAM-018"])
    assert verdicts == {("PAC-IAM-018", "support-access"): verdict}
