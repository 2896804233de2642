"""AppSync: GraphQL APIs with their logging settings, from ``ListGraphqlApis``."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, with_tags

TYPE = "AWS::AppSync::GraphQLApi"
TYPES = (TYPE,)


def collect(ctx: CollectContext) -> None:
    for api in ctx.pages("ListGraphqlApis", "graphqlApis", lists=TYPES).items():
        tags = {str(k): str(v) for k, v in (api.get("tags") or {}).items()}
        ctx.add(TYPE, api["arn"], api.get("name"), with_tags(api_properties(api), tags),
                tags=tags)  # fmt: skip


def api_properties(api: dict[str, Any]) -> dict[str, Any]:
    """A ``ListGraphqlApis`` entry as ``AWS::AppSync::GraphQLApi`` properties;
    ``LogConfig`` is absent when the API writes no logs."""
    log = api.get("logConfig") or {}
    return drop_none(
        {
            "Name": api.get("name"),
            "AuthenticationType": api.get("authenticationType"),
            "ApiType": api.get("apiType"),
            "Visibility": api.get("visibility"),
            "XrayEnabled": api.get("xrayEnabled"),
            "LogConfig": drop_none(
                {
                    "CloudWatchLogsRoleArn": log.get("cloudWatchLogsRoleArn"),
                    "FieldLogLevel": log.get("fieldLogLevel"),
                    "ExcludeVerboseContent": log.get("excludeVerboseContent"),
                }
            )
            or None,
        }
    )


COLLECTORS = (Collector("appsync.graphql_apis", "appsync", REGIONAL, collect, TYPES),)
