"""Who may open AWS Support cases: the entities of the AWSSupportAccess policy (global).

An account-wide fact with no CloudFormation type, collected as one
``Pacscan::IAM::SupportAccess`` record per account (CIS AWS 1.17): the names of the
roles, users and groups the AWS managed policy ``AWSSupportAccess`` is attached to.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import GLOBAL, CollectContext, Collector

TYPE = "Pacscan::IAM::SupportAccess"
TYPES = (TYPE,)
ENTITIES = (("Roles", "PolicyRoles", "RoleName"), ("Users", "PolicyUsers", "UserName"),
            ("Groups", "PolicyGroups", "GroupName"))  # fmt: skip
MAX_PAGES = 1000


def collect(ctx: CollectContext) -> None:
    policy_arn = f"arn:{ctx.partition}:iam::aws:policy/AWSSupportAccess"
    props: dict[str, Any] = {"PolicyArn": policy_arn, "Roles": [], "Users": [], "Groups": []}
    marker: str | None = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"PolicyArn": policy_arn}
        if marker:
            kw["Marker"] = marker
        # NoSuchEntity: a partition without the policy, where nothing can have it
        answer = ctx.call("ListEntitiesForPolicy", absent=("NoSuchEntity",), **kw)
        if answer.failed:
            props.update({key: answer.unknown() for key, _, _ in ENTITIES})
            break
        page = answer.data or {}
        for key, field, name in ENTITIES:
            props[key].extend(str(e.get(name)) for e in page.get(field) or [])
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            break
    pseudo_arn = f"arn:{ctx.partition}:iam::{ctx.account}:support-access"
    ctx.add(TYPE, pseudo_arn, ctx.account, props)


COLLECTORS = (Collector("iam.support_access", "iam", GLOBAL, collect, TYPES),)
