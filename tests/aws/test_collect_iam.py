"""IAM users, roles, managed policies, password policy and root account, against moto."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def make_identities(aws: MotoAWS) -> str:
    iam = aws.client("iam")
    policy = iam.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    iam.create_policy_version(
        PolicyArn=policy["Arn"], PolicyDocument=json.dumps(READ_S3), SetAsDefault=True
    )
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "ops"}])
    iam.create_login_profile(
        UserName="alice", Password="Pa55word!Pa55word", PasswordResetRequired=True
    )
    iam.attach_user_policy(UserName="alice", PolicyArn=policy["Arn"])
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(ADMIN))
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.create_access_key(UserName="alice")
    iam.create_user(UserName="bob")
    iam.create_role(
        RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2), MaxSessionDuration=7200
    )
    iam.attach_role_policy(RoleName="app", PolicyArn=policy["Arn"])
    iam.put_role_policy(RoleName="app", PolicyName="s3", PolicyDocument=json.dumps(READ_S3))
    return str(policy["Arn"])


def test_user_policies_groups_mfa_keys_and_login(aws: MotoAWS) -> None:
    policy_arn = make_identities(aws)
    snapshot, done = aws.collect("--service", "iam")
    assert done.returncode == 0, snapshot["errors"]
    users = resources_of(snapshot, "AWS::IAM::User")
    alice = users["alice"]
    assert (alice["id"], alice["region"]) == (f"arn:aws:iam::{ACCOUNT}:user/alice", "global")
    props = alice["properties"]
    [key] = props.pop("AccessKeys")
    [mfa] = props.pop("MFADevices")
    assert props == {
        "UserName": "alice",
        "Path": "/",
        "ManagedPolicyArns": [policy_arn],
        "Policies": [{"PolicyName": "inline", "PolicyDocument": ADMIN}],
        "Groups": ["ops"],
        "LoginProfile": {"PasswordResetRequired": False},
        "Tags": [{"Key": "team", "Value": "ops"}],
    }
    assert key["Status"] == "Active" and key["AccessKeyId"].startswith("AKIA")
    assert key["CreateDate"].endswith("Z")
    assert mfa["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    bob = users["bob"]["properties"]
    assert (bob["AccessKeys"], bob["MFADevices"], "LoginProfile" in bob) == ([], [], False)


def test_role_trust_and_permissions(aws: MotoAWS) -> None:
    policy_arn = make_identities(aws)
    snapshot, _ = aws.collect("--service", "iam")
    role = resources_of(snapshot, "AWS::IAM::Role")["app"]
    assert role["properties"] == {
        "RoleName": "app",
        "Path": "/",
        "MaxSessionDuration": 7200,
        "AssumeRolePolicyDocument": TRUST_EC2,
        "ManagedPolicyArns": [policy_arn],
        "Policies": [{"PolicyName": "s3", "PolicyDocument": READ_S3}],
    }


def test_managed_policy_uses_its_default_version(aws: MotoAWS) -> None:
    policy_arn = make_identities(aws)
    snapshot, _ = aws.collect("--service", "iam")
    [policy] = resources_of(snapshot, "AWS::IAM::ManagedPolicy").values()
    assert policy["id"] == policy_arn
    assert policy["properties"] == {
        "ManagedPolicyName": "admin",
        "Path": "/",
        "PolicyDocument": READ_S3,
        "Groups": [],
        "Roles": ["app"],
        "Users": ["alice"],
    }


def test_password_policy_absent_then_set(aws: MotoAWS) -> None:
    snapshot, _ = aws.collect("--service", "iam")
    [unset] = resources_of(snapshot, "Pacscan::IAM::PasswordPolicy").values()
    assert (unset["id"], unset["properties"]) == (
        f"arn:aws:iam::{ACCOUNT}:account-password-policy",
        {},
    )
    aws.client("iam").update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, PasswordReusePrevention=24
    )
    snapshot, _ = aws.collect("--service", "iam")
    [policy] = resources_of(snapshot, "Pacscan::IAM::PasswordPolicy").values()
    assert policy["properties"]["MinimumPasswordLength"] == 14
    assert policy["properties"]["RequireSymbols"] is True
    assert policy["properties"]["PasswordReusePrevention"] == 24
    assert policy["properties"]["RequireNumbers"] is False


def test_root_account_summary(aws: MotoAWS) -> None:
    snapshot, _ = aws.collect("--service", "iam")
    [root] = resources_of(snapshot, "Pacscan::IAM::RootAccount").values()
    assert root["id"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["properties"] == {
        "MfaEnabled": False,
        "AccessKeysPresent": False,
        "VirtualMfa": False,
    }  # moto's credential report has no <root_account> row: no AccessKeys/PasswordLastUsed
