"""IAM identities: users, roles and customer managed policies (a global collector).

``GetAccountAuthorizationDetails`` gives every user's and role's inline and attached
policies and every managed policy's versions in a few pages; ``ListUsers`` and
``ListRoles`` give the fields it lacks (``PasswordLastUsed``, ``MaxSessionDuration``).
Users also get their access keys (age and last use), MFA devices and login profile,
which CloudFormation has no property for (documented in docs/aws.md). Users are read
concurrently (``CollectContext.each``); roles and managed policies need no call of their
own, the listings give everything.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner.aws.context import GLOBAL, Answer, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

DETAIL_FILTER = ["User", "Role", "Group", "LocalManagedPolicy"]


def collect(ctx: CollectContext) -> None:
    auth = AuthorizationDetails(
        ctx.raw_pages(
            "GetAccountAuthorizationDetails",
            Filter=DETAIL_FILTER,
            lists=("AWS::IAM::ManagedPolicy",),
        )
    )
    users = ctx.pages("ListUsers", "Users", lists=("AWS::IAM::User",))
    ctx.each(users.items(), lambda user_ctx, user: _collect_user(user_ctx, user, auth))
    for role in ctx.pages("ListRoles", "Roles", lists=("AWS::IAM::Role",)).items():
        _collect_role(ctx, role, auth)
    for policy in auth.policies:
        _collect_policy(ctx, policy, auth)


class AuthorizationDetails:
    """``GetAccountAuthorizationDetails`` indexed by user, role and policy.

    When the call failed, ``unread`` is the unknown marker for every value it would
    have given (inline and attached policies, groups, permissions boundaries).
    """

    def __init__(self, answer: Answer) -> None:
        self.unread = answer.unknown() if answer.failed else None
        self.users: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        self.policies: list[dict[str, Any]] = []
        self.attached: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for page in answer.items():
            self._read(page)

    def _read(self, page: dict[str, Any]) -> None:
        for user in page.get("UserDetailList") or []:
            self.users[user["UserName"]] = user
            self._note(user, "Users", user["UserName"])
        for role in page.get("RoleDetailList") or []:
            self.roles[role["RoleName"]] = role
            self._note(role, "Roles", role["RoleName"])
        for group in page.get("GroupDetailList") or []:
            self._note(group, "Groups", group["GroupName"])
        self.policies.extend(page.get("Policies") or [])

    def _note(self, entity: dict[str, Any], kind: str, name: str) -> None:
        for attached in entity.get("AttachedManagedPolicies") or []:
            self.attached[attached["PolicyArn"]][kind].append(name)

    def identity_properties(self, detail: dict[str, Any] | None, inline_key: str) -> dict[str, Any]:
        """``ManagedPolicyArns``, ``Policies`` and ``PermissionsBoundary`` of a user or role."""
        if self.unread is not None:
            unread = self.unread
            return {"ManagedPolicyArns": unread, "Policies": unread, "PermissionsBoundary": unread}
        detail = detail or {}
        props: dict[str, Any] = {
            "ManagedPolicyArns": sorted(
                p["PolicyArn"] for p in detail.get("AttachedManagedPolicies") or []
            ),
            "Policies": [
                {
                    "PolicyName": p["PolicyName"],
                    "PolicyDocument": policy_document(p["PolicyDocument"]),
                }
                for p in detail.get(inline_key) or []
            ],
        }
        boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            props["PermissionsBoundary"] = boundary
        return props


def _collect_user(ctx: CollectContext, user: dict[str, Any], auth: AuthorizationDetails) -> None:
    name = user["UserName"]
    detail = auth.users.get(name)
    props: dict[str, Any] = {"UserName": name, "Path": user.get("Path", "/")}
    props.update(auth.identity_properties(detail, "UserPolicyList"))
    props["Groups"] = auth.unread if auth.unread else sorted((detail or {}).get("GroupList") or [])
    fill(
        props,
        "LoginProfile",
        ctx.call("GetLoginProfile", UserName=name, absent=("NoSuchEntity",)),
        lambda data: {
            "PasswordResetRequired": bool(data["LoginProfile"].get("PasswordResetRequired"))
        },
    )
    props["AccessKeys"] = _access_keys(ctx, name)
    fill(
        props,
        "MFADevices",
        ctx.pages("ListMFADevices", "MFADevices", UserName=name),
        lambda devices: [
            drop_none({"SerialNumber": d.get("SerialNumber"), "EnableDate": d.get("EnableDate")})
            for d in devices
        ],
    )
    if user.get("PasswordLastUsed"):
        props["PasswordLastUsed"] = user["PasswordLastUsed"]
    tags = tag_map((detail or {}).get("Tags") or user.get("Tags"))
    ctx.add("AWS::IAM::User", user["Arn"], name, with_tags(props, tags), tags=tags)


def _access_keys(ctx: CollectContext, user_name: str) -> Any:
    listing = ctx.pages("ListAccessKeys", "AccessKeyMetadata", UserName=user_name)
    if listing.failed:
        return listing.unknown()
    keys = []
    for key in listing.items():
        shaped = drop_none(
            {
                "AccessKeyId": key.get("AccessKeyId"),
                "Status": key.get("Status"),
                "CreateDate": key.get("CreateDate"),
            }
        )
        last_used = ctx.call("GetAccessKeyLastUsed", AccessKeyId=key["AccessKeyId"])
        if last_used.failed:
            shaped["LastUsedDate"] = last_used.unknown()
        else:
            used = (last_used.data or {}).get("AccessKeyLastUsed") or {}
            shaped.update(_last_used(used))
        keys.append(shaped)
    return keys


def _last_used(used: dict[str, Any]) -> dict[str, Any]:
    """``LastUsedDate`` only when the key was used; ``N/A`` service/region mean never."""
    shaped: dict[str, Any] = {}
    if used.get("LastUsedDate"):
        shaped["LastUsedDate"] = used["LastUsedDate"]
    for source, target in (("ServiceName", "LastUsedService"), ("Region", "LastUsedRegion")):
        if used.get(source) and used[source] != "N/A":
            shaped[target] = used[source]
    return shaped


def _collect_role(ctx: CollectContext, role: dict[str, Any], auth: AuthorizationDetails) -> None:
    name = role["RoleName"]
    detail = auth.roles.get(name)
    props: dict[str, Any] = drop_none(
        {
            "RoleName": name,
            "Path": role.get("Path", "/"),
            "Description": role.get("Description") or None,
            "MaxSessionDuration": role.get("MaxSessionDuration"),
            "AssumeRolePolicyDocument": policy_document(role.get("AssumeRolePolicyDocument")),
        }
    )
    props.update(auth.identity_properties(detail, "RolePolicyList"))
    last_used = (detail or {}).get("RoleLastUsed") or {}
    if last_used.get("LastUsedDate"):
        props["RoleLastUsed"] = drop_none(
            {"LastUsedDate": last_used["LastUsedDate"], "Region": last_used.get("Region")}
        )
    tags = tag_map((detail or {}).get("Tags") or role.get("Tags"))
    ctx.add("AWS::IAM::Role", role["Arn"], name, with_tags(props, tags), tags=tags)


def _collect_policy(
    ctx: CollectContext, policy: dict[str, Any], auth: AuthorizationDetails
) -> None:
    name = policy.get("PolicyName") or policy["Arn"].rsplit("/", 1)[-1]
    default: dict[str, Any] = next(
        (v for v in policy.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), {}
    )
    attached = auth.attached.get(policy["Arn"], {})
    props: dict[str, Any] = drop_none(
        {
            "ManagedPolicyName": name,
            "Path": policy.get("Path", "/"),
            "Description": policy.get("Description") or None,
            "PolicyDocument": policy_document(default.get("Document")),
        }
    )
    for kind in ("Groups", "Roles", "Users"):
        props[kind] = sorted(attached.get(kind, []))
    tags = tag_map(policy.get("Tags"))
    ctx.add("AWS::IAM::ManagedPolicy", policy["Arn"], name, with_tags(props, tags), tags=tags)


TYPES = ("AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::ManagedPolicy")
COLLECTORS = (Collector("iam.identities", "iam", GLOBAL, collect, TYPES),)
