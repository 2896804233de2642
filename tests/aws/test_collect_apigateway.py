"""API Gateway stages and routes: collected shape and built-in verdicts.

moto ignores a stage's ``clientCertificateId`` (and its server has no
``GenerateClientCertificate``), so every moto stage fails PAC-APIGATEWAY-004; the
certificate and the web ACL of a stage are checked with botocore's Stubber.
"""

from __future__ import annotations

from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit
from test_pagination import stubbed

from scanner.aws.apigateway import collect_rest

REST_POLICIES = ["PAC-APIGATEWAY-001", "PAC-APIGATEWAY-002", "PAC-APIGATEWAY-003",
                 "PAC-APIGATEWAY-004"]  # fmt: skip
V2_POLICIES = ["PAC-APIGATEWAY-006", "PAC-APIGATEWAY-007"]
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api"


def patch(path: str, value: str) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": value}


def make_rest_stages(aws: MotoAWS) -> None:
    api = aws.client("apigateway")
    api_id = api.create_rest_api(name="shop")["id"]
    root = api.get_resources(restApiId=api_id)["items"][0]["id"]
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = api.create_deployment(restApiId=api_id)["id"]
    api.create_stage(restApiId=api_id, stageName="prod", deploymentId=deployment,
                     tracingEnabled=True)  # fmt: skip
    api.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            patch("/*/*/logging/loglevel", "ERROR"),
            patch("/*/*/caching/enabled", "true"),
            patch("/*/*/caching/dataEncrypted", "true"),
        ],
    )
    api.create_stage(restApiId=api_id, stageName="dev", deploymentId=deployment)
    api.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[
            patch("/*/*/caching/enabled", "true"),
            patch("/*/*/caching/dataEncrypted", "false"),
        ],
    )


def test_rest_stages_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_rest_stages(aws)
    snapshot, done = aws.collect("--service", "apigateway")
    assert done.returncode == 0, snapshot["errors"]
    stages = resources_of(snapshot, "AWS::ApiGateway::Stage")
    prod = stages["prod"]
    assert prod["id"].startswith("arn:aws:apigateway:us-east-1::/restapis/")
    assert prod["id"].endswith("/stages/prod")
    props = prod["properties"]
    assert props["TracingEnabled"] is True
    (everything,) = props["MethodSettings"]
    assert (everything["ResourcePath"], everything["HttpMethod"]) == ("/*", "*")
    assert everything["LoggingLevel"] == "ERROR"
    assert (everything["CachingEnabled"], everything["CacheDataEncrypted"]) == (True, True)
    assert stages["dev"]["properties"]["TracingEnabled"] is False


def test_rest_stage_verdicts(aws: MotoAWS) -> None:
    make_rest_stages(aws)
    assert audit(aws, ["apigateway"], REST_POLICIES) == {
        **{(policy, "prod"): "pass" for policy in REST_POLICIES if policy != "PAC-APIGATEWAY-004"},
        **{(policy, "dev"): "fail" for policy in REST_POLICIES},
        ("PAC-APIGATEWAY-004", "prod"): "fail",  # moto keeps no client certificate
    }


def make_http_api(aws: MotoAWS) -> dict[str, Any]:
    api = aws.client("apigatewayv2")
    api_id = api.create_api(Name="events", ProtocolType="HTTP")["ApiId"]
    api.create_stage(ApiId=api_id, StageName="logged", AccessLogSettings={
        "DestinationArn": LOG_GROUP, "Format": "$context.requestId"})  # fmt: skip
    api.create_stage(ApiId=api_id, StageName="silent")
    authorizer = api.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT", IdentitySource=["$request.header.Auth"],
        JwtConfiguration={"Audience": ["events"], "Issuer": "https://idp.example.com"},
    )["AuthorizerId"]  # fmt: skip
    guarded = api.create_route(ApiId=api_id, RouteKey="POST /events", AuthorizationType="JWT",
                               AuthorizerId=authorizer)["RouteId"]  # fmt: skip
    open_route = api.create_route(ApiId=api_id, RouteKey="GET /health")["RouteId"]
    return {"guarded": guarded, "open": open_route}


def test_http_api_stages_and_routes(aws: MotoAWS) -> None:
    routes = make_http_api(aws)
    snapshot, done = aws.collect("--service", "apigatewayv2")
    assert done.returncode == 0, snapshot["errors"]
    stages = resources_of(snapshot, "AWS::ApiGatewayV2::Stage")
    assert stages["logged"]["properties"]["AccessLogSettings"]["DestinationArn"] == LOG_GROUP
    assert "AccessLogSettings" not in stages["silent"]["properties"]
    found = resources_of(snapshot, "AWS::ApiGatewayV2::Route")
    assert found["POST /events"]["id"].endswith(f"/routes/{routes['guarded']}")
    assert found["POST /events"]["properties"]["AuthorizationType"] == "JWT"
    verdicts = audit(aws, ["apigatewayv2"], V2_POLICIES)
    assert verdicts == {
        ("PAC-APIGATEWAY-006", routes["guarded"]): "pass",
        ("PAC-APIGATEWAY-006", routes["open"]): "fail",
        ("PAC-APIGATEWAY-007", "logged"): "pass",
        ("PAC-APIGATEWAY-007", "silent"): "fail",
    }


def test_client_certificate_and_web_acl_of_a_stage() -> None:
    ctx, stubber = stubbed("apigateway")
    web_acl = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/api/1"
    stubber.add_response("get_rest_apis", {"items": [{"id": "a1", "name": "shop"}]})
    stage = {"stageName": "prod", "deploymentId": "d1", "clientCertificateId": "cert1",
             "webAclArn": web_acl, "tracingEnabled": True}  # fmt: skip
    stubber.add_response("get_stages", {"item": [stage]})
    with stubber:
        collect_rest(ctx)
    by_type = {r["type"]: r for r in ctx.resources}
    collected = by_type["AWS::ApiGateway::Stage"]
    assert collected["id"] == "arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod"
    assert collected["properties"]["ClientCertificateId"] == "cert1"
    assert by_type["AWS::WAFv2::WebACLAssociation"]["properties"] == {
        "ResourceArn": collected["id"],
        "WebACLArn": web_acl,
    }
