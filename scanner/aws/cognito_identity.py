"""Amazon Cognito: identity pools, with whether they hand out unauthenticated identities.

The boto3 client is ``cognito-identity``; ``--service cognito`` selects it.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, cfn_tags, drop_none

TYPES = ("AWS::Cognito::IdentityPool",)
CLIENT = "cognito-identity"
PAGE_SIZE = 60  # the most ListIdentityPools allows


def collect(ctx: CollectContext) -> None:
    pages = ctx.pages("ListIdentityPools", "IdentityPools", service=CLIENT,
                      MaxResults=PAGE_SIZE, lists=TYPES)  # fmt: skip
    for summary in pages.items():
        pool_id = summary["IdentityPoolId"]
        answer = ctx.call("DescribeIdentityPool", service=CLIENT, IdentityPoolId=pool_id,
                          absent=("ResourceNotFoundException",), lists=TYPES)  # fmt: skip
        if answer.failed or not answer.data:
            continue  # recorded, or deleted between the listing and now
        pool = answer.data
        tags = {str(k): str(v) for k, v in (pool.get("IdentityPoolTags") or {}).items()}
        pool_arn = arn(ctx.partition, CLIENT, ctx.region, ctx.account, f"identitypool/{pool_id}")
        ctx.add("AWS::Cognito::IdentityPool", pool_arn, pool.get("IdentityPoolName"),
                identity_pool_properties(pool), tags=tags)  # fmt: skip


def identity_pool_properties(pool: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeIdentityPool`` answer in the shape of ``AWS::Cognito::IdentityPool``
    (whose tags are ``IdentityPoolTags``, a list of ``Key``/``Value``)."""
    tags = {str(k): str(v) for k, v in (pool.get("IdentityPoolTags") or {}).items()}
    return drop_none(
        {
            "IdentityPoolName": pool.get("IdentityPoolName"),
            "AllowUnauthenticatedIdentities": pool.get("AllowUnauthenticatedIdentities"),
            "AllowClassicFlow": pool.get("AllowClassicFlow"),
            "DeveloperProviderName": pool.get("DeveloperProviderName"),
            "SupportedLoginProviders": pool.get("SupportedLoginProviders") or None,
            "OpenIdConnectProviderARNs": pool.get("OpenIdConnectProviderARNs") or None,
            "SamlProviderARNs": pool.get("SamlProviderARNs") or None,
            "CognitoIdentityProviders": pool.get("CognitoIdentityProviders") or None,
            "IdentityPoolTags": cfn_tags(tags) or None,
        }
    )


COLLECTORS = (Collector("cognito.identity_pools", "cognito", REGIONAL, collect, TYPES),)
