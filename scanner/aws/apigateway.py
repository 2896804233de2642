"""API Gateway: REST API stages (with their WAF association) and methods, and
HTTP/WebSocket API stages and routes.

``GetStages`` keys method settings by ``resource/method`` (``*/*`` for every method);
they become CloudFormation's ``MethodSettings`` list with ``ResourcePath`` and
``HttpMethod``. A stage with a web ACL also gives an ``AWS::WAFv2::WebACLAssociation``
whose ``ResourceArn`` is the stage's ARN, as a template associates one. Stage variables
are not collected: they may hold secrets and no policy reads them. Each method of a REST
API is an ``AWS::ApiGateway::Method``, read with ``GetResources`` and its methods embedded.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY

STAGE = "AWS::ApiGateway::Stage"
ASSOCIATION = "AWS::WAFv2::WebACLAssociation"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
V2_ROUTE = "AWS::ApiGatewayV2::Route"
METHOD = "AWS::ApiGateway::Method"
REST_TYPES = (STAGE, ASSOCIATION, METHOD)
V2_TYPES = (V2_STAGE, V2_ROUTE)
METHOD_SETTINGS = {
    "loggingLevel": "LoggingLevel",
    "metricsEnabled": "MetricsEnabled",
    "dataTraceEnabled": "DataTraceEnabled",
    "cachingEnabled": "CachingEnabled",
    "cacheDataEncrypted": "CacheDataEncrypted",
    "cacheTtlInSeconds": "CacheTtlInSeconds",
    "throttlingBurstLimit": "ThrottlingBurstLimit",
    "throttlingRateLimit": "ThrottlingRateLimit",
}


def collect_rest(ctx: CollectContext) -> None:
    for api in ctx.pages("GetRestApis", "items", lists=REST_TYPES).items():
        answer = ctx.call("GetStages", restApiId=api["id"], lists=REST_TYPES)
        for stage in (answer.data or {}).get("item") or []:
            _collect_stage(ctx, api["id"], stage)
        _collect_methods(ctx, api["id"])


def _collect_methods(ctx: CollectContext, api_id: str) -> None:
    base = f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}/resources"
    listing = ctx.pages("GetResources", "items", restApiId=api_id, embed=["methods"],
                        lists=(METHOD,))  # fmt: skip
    for resource in listing.items():
        for verb, method in (resource.get("resourceMethods") or {}).items():
            ctx.add(METHOD, f"{base}/{resource['id']}/methods/{verb}",
                    f"{verb} {resource.get('path', '')}",
                    method_properties(api_id, resource["id"], verb, method or {}))  # fmt: skip


def _collect_stage(ctx: CollectContext, api_id: str, stage: dict[str, Any]) -> None:
    name = stage["stageName"]
    stage_arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}/stages/{name}"
    tags = {str(k): str(v) for k, v in (stage.get("tags") or {}).items()}
    props = with_tags(stage_properties(api_id, stage), tags)
    ctx.add(STAGE, stage_arn, name, props, tags=tags)
    if stage.get("webAclArn"):
        association = {"ResourceArn": stage_arn, "WebACLArn": stage["webAclArn"]}
        ctx.add(ASSOCIATION, f"{stage_arn}#webacl", name, association)


def stage_properties(api_id: str, stage: dict[str, Any]) -> dict[str, Any]:
    """A ``GetStages`` item in the shape of ``AWS::ApiGateway::Stage`` properties."""
    props: dict[str, Any] = drop_none(
        {
            "RestApiId": api_id,
            "StageName": stage.get("stageName"),
            "DeploymentId": stage.get("deploymentId"),
            "ClientCertificateId": stage.get("clientCertificateId") or None,
            "CacheClusterEnabled": stage.get("cacheClusterEnabled"),
            "CacheClusterSize": stage.get("cacheClusterSize"),
            "TracingEnabled": bool(stage.get("tracingEnabled", False)),
        }
    )
    props["MethodSettings"] = [
        _method_setting(key, setting)
        for key, setting in (stage.get("methodSettings") or {}).items()
    ]
    log = stage.get("accessLogSettings") or {}
    if log.get("destinationArn"):
        props["AccessLogSetting"] = drop_none(
            {"DestinationArn": log["destinationArn"], "Format": log.get("format")}
        )
    return props


def method_properties(
    api_id: str, resource_id: str, verb: str, method: dict[str, Any]
) -> dict[str, Any]:
    """An embedded method of ``GetResources`` as ``AWS::ApiGateway::Method`` properties.

    API Gateway always answers a method's ``authorizationType``; should it be missing,
    it is unknown rather than the template default (``NONE``)."""
    props: dict[str, Any] = drop_none(
        {
            "RestApiId": api_id,
            "ResourceId": resource_id,
            "HttpMethod": method.get("httpMethod", verb),
            "AuthorizationType": method.get("authorizationType"),
            "AuthorizerId": method.get("authorizerId"),
            "AuthorizationScopes": method.get("authorizationScopes"),
            "ApiKeyRequired": method.get("apiKeyRequired"),
            "OperationName": method.get("operationName"),
            "RequestValidatorId": method.get("requestValidatorId"),
        }
    )
    if "AuthorizationType" not in props:
        props["AuthorizationType"] = {UNKNOWN_KEY: "GetResources: no authorizationType"}
    return props


def _method_setting(key: str, setting: dict[str, Any]) -> dict[str, Any]:
    path, _, method = key.rpartition("/")
    shaped: dict[str, Any] = {"ResourcePath": f"/{path}", "HttpMethod": method}
    shaped.update({cfn: setting[api] for api, cfn in METHOD_SETTINGS.items() if api in setting})
    return shaped


def collect_v2(ctx: CollectContext) -> None:
    for api in ctx.pages("GetApis", "Items", lists=V2_TYPES).items():
        api_id = api["ApiId"]
        base = f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{api_id}"
        for stage in ctx.pages("GetStages", "Items", ApiId=api_id, lists=(V2_STAGE,)).items():
            ctx.add(V2_STAGE, f"{base}/stages/{stage['StageName']}", stage["StageName"],
                    v2_stage_properties(api_id, stage))  # fmt: skip
        for route in ctx.pages("GetRoutes", "Items", ApiId=api_id, lists=(V2_ROUTE,)).items():
            props = drop_none(
                {
                    "ApiId": api_id,
                    "RouteKey": route.get("RouteKey"),
                    "AuthorizationType": route.get("AuthorizationType"),
                    "AuthorizerId": route.get("AuthorizerId"),
                    "Target": route.get("Target"),
                }
            )
            ctx.add(V2_ROUTE, f"{base}/routes/{route['RouteId']}", route.get("RouteKey"), props)


def v2_stage_properties(api_id: str, stage: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = drop_none(
        {
            "ApiId": api_id,
            "StageName": stage.get("StageName"),
            "AutoDeploy": stage.get("AutoDeploy"),
            "DeploymentId": stage.get("DeploymentId"),
        }
    )
    log = stage.get("AccessLogSettings") or {}
    if log.get("DestinationArn"):
        props["AccessLogSettings"] = drop_none(
            {"DestinationArn": log["DestinationArn"], "Format": log.get("Format")}
        )
    return props


COLLECTORS = (
    Collector("apigateway.rest_stages", "apigateway", REGIONAL, collect_rest, REST_TYPES),
    Collector("apigatewayv2.apis", "apigatewayv2", REGIONAL, collect_v2, V2_TYPES),
)
