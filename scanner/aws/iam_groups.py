"""IAM groups with their inline and attached policies (a global collector).

One paginated ``GetAccountAuthorizationDetails`` (filter ``Group``) gives every group's
inline policy documents and attached managed policies, in the shape of
``AWS::IAM::Group``: ``Policies[]`` (``PolicyName``, ``PolicyDocument``) and
``ManagedPolicyArns``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import GLOBAL, CollectContext, Collector
from scanner.aws.shapes import policy_document

TYPES = ("AWS::IAM::Group",)


def collect(ctx: CollectContext) -> None:
    answer = ctx.pages(
        "GetAccountAuthorizationDetails", "GroupDetailList", Filter=["Group"], lists=TYPES
    )
    for group in answer.items():
        ctx.add("AWS::IAM::Group", group["Arn"], group["GroupName"], group_properties(group))


def group_properties(group: dict[str, Any]) -> dict[str, Any]:
    """A ``GroupDetailList`` entry in the shape of ``AWS::IAM::Group`` properties."""
    return {
        "GroupName": group["GroupName"],
        "Path": group.get("Path", "/"),
        "ManagedPolicyArns": sorted(
            p["PolicyArn"] for p in group.get("AttachedManagedPolicies") or []
        ),
        "Policies": [
            {
                "PolicyName": p["PolicyName"],
                "PolicyDocument": policy_document(p.get("PolicyDocument")),
            }
            for p in group.get("GroupPolicyList") or []
        ],
    }


COLLECTORS = (Collector("iam.groups", "iam", GLOBAL, collect, TYPES),)
