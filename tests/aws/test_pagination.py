"""Listings that span many pages.

moto pages ``ListRoles`` like AWS (100 per page), so that one runs against moto. moto
answers ``DescribeSecurityGroups``, ``DescribeInstances`` and
``GetAccountAuthorizationDetails`` in one page whatever the page size, so their paging
is checked with botocore's Stubber: each page asks for the token the last one gave.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import boto3
from botocore.stub import Stubber
from moto_fixtures import ACCOUNT, MotoAWS, resources_of

from scanner.aws.context import CollectContext
from scanner.aws.iam import collect as collect_iam
from scanner.aws.session import AccountClients, ClientSettings
from scanner.aws.vpc import collect as collect_network

REGION = "us-east-1"
WHEN = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_many_roles_over_several_pages_from_moto(aws: MotoAWS) -> None:
    iam = aws.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for n in range(130):
        iam.create_role(RoleName=f"role-{n:03d}", AssumeRolePolicyDocument=trust)
    pages = list(iam.get_paginator("list_roles").paginate())
    assert len(pages) == 2  # the collector really has to follow the marker
    snapshot, done = aws.collect("--service", "iam")
    assert done.returncode == 0, snapshot["errors"]
    assert sorted(resources_of(snapshot, "AWS::IAM::Role")) == [f"role-{n:03d}" for n in range(130)]


def stubbed(service: str) -> tuple[CollectContext, Stubber]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    clients = AccountClients(ACCOUNT, session, ClientSettings(max_attempts=1))
    stubber = Stubber(clients.client(service, REGION))
    ctx = CollectContext(ACCOUNT, REGION, service, clients, REGION)
    return ctx, stubber


def group(group_id: str) -> dict[str, Any]:
    return {
        "GroupId": group_id,
        "GroupName": group_id,
        "Description": "d",
        "OwnerId": ACCOUNT,
        "VpcId": "vpc-1",
        "IpPermissions": [],
        "IpPermissionsEgress": [],
    }


def test_security_groups_follow_next_token() -> None:
    ctx, stubber = stubbed("ec2")
    stubber.add_response("describe_vpcs", {"Vpcs": []})
    stubber.add_response("describe_flow_logs", {"FlowLogs": []})
    tokens = [None, "page-2", "page-3"]
    for n, token in enumerate(tokens):
        answer: dict[str, Any] = {"SecurityGroups": [group(f"sg-{n}a"), group(f"sg-{n}b")]}
        if n + 1 < len(tokens):
            answer["NextToken"] = tokens[n + 1]
        stubber.add_response(
            "describe_security_groups", answer, {"NextToken": token} if token else {}
        )
    with stubber:
        collect_network(ctx)
    stubber.assert_no_pending_responses()
    assert ctx.errors == []
    names = [r["name"] for r in ctx.resources if r["type"] == "AWS::EC2::SecurityGroup"]
    assert names == ["sg-0a", "sg-0b", "sg-1a", "sg-1b", "sg-2a", "sg-2b"]


def test_a_page_that_fails_keeps_the_pages_before_it() -> None:
    ctx, stubber = stubbed("ec2")
    stubber.add_response("describe_vpcs", {"Vpcs": []})
    stubber.add_response("describe_flow_logs", {"FlowLogs": []})
    stubber.add_response(
        "describe_security_groups", {"SecurityGroups": [group("sg-first")], "NextToken": "t"}
    )
    stubber.add_client_error(
        "describe_security_groups", "UnauthorizedOperation", "not allowed", 403
    )
    with stubber:
        collect_network(ctx)
    assert [r["name"] for r in ctx.resources] == ["sg-first"]
    [error] = ctx.errors
    assert (error["operation"], error["code"]) == (
        "DescribeSecurityGroups",
        "UnauthorizedOperation",
    )


ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def role_detail(name: str, policy_arn: str) -> dict[str, Any]:
    return {
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<16}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "Path": "/",
        "CreateDate": WHEN,
        "AssumeRolePolicyDocument": "%7B%22Statement%22%3A%20%5B%5D%7D",
        "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": "admin", "PolicyArn": policy_arn}],
    }


ROLE_LISTING = ("RoleName", "RoleId", "Arn", "Path", "CreateDate", "AssumeRolePolicyDocument")


def test_authorization_details_are_merged_across_pages() -> None:
    ctx, stubber = stubbed("iam")
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/admin"
    filters = {"Filter": ["User", "Role", "Group", "LocalManagedPolicy"]}
    user = {
        "UserName": "alice",
        "UserId": "AIDAALICE0000000",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "Path": "/",
        "CreateDate": WHEN,
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
        },
    }
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [user], "RoleDetailList": [role_detail("first", policy_arn)],
         "IsTruncated": True, "Marker": "m-2"},
        filters,
    )  # fmt: skip
    policy = {
        "PolicyName": "admin",
        "Arn": policy_arn,
        "Path": "/",
        "DefaultVersionId": "v2",
        "PolicyVersionList": [
            {
                "Document": json.dumps({"Statement": []}),
                "VersionId": "v1",
                "IsDefaultVersion": False,
            },
            {"Document": json.dumps(ADMIN), "VersionId": "v2", "IsDefaultVersion": True},
        ],
    }
    stubber.add_response(
        "get_account_authorization_details",
        {"RoleDetailList": [role_detail("second", policy_arn)], "Policies": [policy],
         "IsTruncated": False},
        {**filters, "Marker": "m-2"},
    )  # fmt: skip
    listed_user = {k: user[k] for k in ("UserName", "UserId", "Arn", "Path", "CreateDate")}
    stubber.add_response("list_users", {"Users": [listed_user]})
    stubber.add_client_error("get_login_profile", "NoSuchEntity", "none", 404)
    stubber.add_response("list_access_keys", {"AccessKeyMetadata": []})
    stubber.add_response("list_mfa_devices", {"MFADevices": []})
    roles = [{k: role_detail(n, policy_arn)[k] for k in ROLE_LISTING} for n in ("first", "second")]
    stubber.add_response("list_roles", {"Roles": roles[:1], "IsTruncated": True, "Marker": "r-2"})
    stubber.add_response(
        "list_roles", {"Roles": roles[1:], "IsTruncated": False}, {"Marker": "r-2"}
    )
    with stubber:
        collect_iam(ctx)
    stubber.assert_no_pending_responses()
    assert ctx.errors == []
    found = {r["name"]: r["properties"] for r in ctx.resources}
    assert found["second"]["ManagedPolicyArns"] == [policy_arn]
    assert found["first"]["AssumeRolePolicyDocument"] == {"Statement": []}
    assert found["alice"]["PermissionsBoundary"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert found["admin"]["PolicyDocument"] == ADMIN
    assert found["admin"]["Roles"] == ["first", "second"]
