"""Denied calls of the Neptune, RDS parameter group, MSK, Firehose, Amazon MQ, Transfer,
Cognito, EKS node group, SageMaker endpoint configuration, API Gateway method and Lambda
layer collectors: an unknown value or a gap of the types the call would have listed,
never a resource judged on what was not read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber
from test_collect_denied import denied
from test_pagination import stubbed

from scanner.aws import (
    apigateway,
    cognito_identity,
    eks,
    firehose,
    lambda_functions,
    mq,
    msk,
    neptune,
    rds_parameter_groups,
    sagemaker,
    transfer,
)
from scanner.aws.context import CollectContext

ACCOUNT = "123456789012"
GROUP_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:pg:strict"
LAYER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared"
STREAMS = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream"


def stub_parameters(stubber: Stubber) -> None:
    group = {"DBParameterGroupName": "strict", "DBParameterGroupFamily": "postgres14",
             "Description": "d", "DBParameterGroupArn": GROUP_ARN}  # fmt: skip
    stubber.add_response("describe_db_parameter_groups", {"DBParameterGroups": [group]})
    denied(stubber, "describe_db_parameters")
    stubber.add_response("describe_db_cluster_parameter_groups", {"DBClusterParameterGroups": []})


def test_denied_parameters_are_unknown() -> None:
    ctx, stubber = stubbed("rds")
    stub_parameters(stubber)
    with stubber:
        rds_parameter_groups.collect(ctx)
    (group,) = ctx.resources
    assert group["properties"]["Parameters"] == {"$unknown": "DescribeDBParameters: AccessDenied"}
    assert group["properties"]["Family"] == "postgres14"
    assert [e["operation"] for e in ctx.errors] == ["DescribeDBParameters"]


def stub_mq(stubber: Stubber) -> None:
    summary = {"BrokerId": "b-1", "BrokerName": "orders", "DeploymentMode": "SINGLE_INSTANCE",
               "EngineType": "ACTIVEMQ"}  # fmt: skip
    stubber.add_response("list_brokers", {"BrokerSummaries": [summary]})
    denied(stubber, "describe_broker")


def stub_transfer(stubber: Stubber) -> None:
    server = {
        "Arn": f"arn:aws:transfer:us-east-1:{ACCOUNT}:server/s-0123456789abcdef0",
        "ServerId": "s-0123456789abcdef0",
    }
    stubber.add_response("list_servers", {"Servers": [server]})
    denied(stubber, "describe_server")


def stub_cognito(stubber: Stubber) -> None:
    pool = {"IdentityPoolId": "us-east-1:p-1", "IdentityPoolName": "guests"}
    stubber.add_response("list_identity_pools", {"IdentityPools": [pool]})
    denied(stubber, "describe_identity_pool")


def stub_firehose(stubber: Stubber) -> None:
    denied(stubber, "list_delivery_streams")


def stub_msk(stubber: Stubber) -> None:
    denied(stubber, "list_clusters_v2")


def stub_neptune(stubber: Stubber) -> None:
    denied(stubber, "describe_db_clusters")


def stub_nodegroups(stubber: Stubber) -> None:
    stubber.add_response("list_clusters", {"clusters": ["apps"]})
    cluster = {"name": "apps", "arn": f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/apps"}
    stubber.add_response("describe_cluster", {"cluster": cluster})
    stubber.add_response("list_nodegroups", {"nodegroups": ["workers"]})
    denied(stubber, "describe_nodegroup")


def stub_endpoint_configs(stubber: Stubber) -> None:
    config_arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/e"
    config = {"EndpointConfigName": "e", "CreationTime": "2024-01-01T00:00:00Z",
              "EndpointConfigArn": config_arn}  # fmt: skip
    stubber.add_response("list_endpoint_configs", {"EndpointConfigs": [config]})
    denied(stubber, "describe_endpoint_config")


def stub_methods(stubber: Stubber) -> None:
    stubber.add_response("get_rest_apis", {"items": [{"id": "api1", "name": "shop"}]})
    stubber.add_response("get_stages", {"item": []})
    denied(stubber, "get_resources")


def stub_layers(stubber: Stubber) -> None:
    stubber.add_response(
        "list_layers", {"Layers": [{"LayerName": "shared", "LayerArn": LAYER_ARN}]}
    )
    version = {"LayerVersionArn": f"{LAYER_ARN}:1", "Version": 1}
    stubber.add_response("list_layer_versions", {"LayerVersions": [version]})
    denied(stubber, "get_layer_version_policy")


GAPS = [
    ("mq", mq.collect, stub_mq, "DescribeBroker", ["AWS::AmazonMQ::Broker"]),
    ("transfer", transfer.collect, stub_transfer, "DescribeServer", ["AWS::Transfer::Server"]),
    ("cognito-identity", cognito_identity.collect, stub_cognito, "DescribeIdentityPool",
     ["AWS::Cognito::IdentityPool"]),
    ("firehose", firehose.collect, stub_firehose, "ListDeliveryStreams",
     ["AWS::KinesisFirehose::DeliveryStream"]),
    ("kafka", msk.collect, stub_msk, "ListClustersV2", ["AWS::MSK::Cluster"]),
    ("neptune", neptune.collect, stub_neptune, "DescribeDBClusters", ["AWS::Neptune::DBCluster"]),
    ("eks", eks.collect, stub_nodegroups, "DescribeNodegroup", ["AWS::EKS::Nodegroup"]),
    ("sagemaker", sagemaker.collect_endpoint_configs, stub_endpoint_configs,
     "DescribeEndpointConfig", ["AWS::SageMaker::EndpointConfig"]),
    ("apigateway", apigateway.collect_rest, stub_methods, "GetResources",
     ["AWS::ApiGateway::Method"]),
    ("lambda", lambda_functions.collect_layers, stub_layers, "GetLayerVersionPolicy",
     ["AWS::Lambda::LayerVersionPermission"]),
]  # fmt: skip


@pytest.mark.parametrize(("service", "run", "stub", "operation", "types"), GAPS)
def test_denied_call_is_a_gap_of_its_types(
    service: str,
    run: Callable[[CollectContext], None],
    stub: Callable[[Stubber], None],
    operation: str,
    types: list[str],
) -> None:
    ctx, stubber = stubbed(service)
    stub(stubber)
    with stubber:
        run(ctx)
    errors: list[dict[str, Any]] = [e for e in ctx.errors if e["operation"] == operation]
    assert [(e["code"], e["types"]) for e in errors] == [("AccessDenied", types)]
    assert [r for r in ctx.resources if r["type"] in types] == []


def test_firehose_listing_stops_after_its_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(firehose, "MAX_PAGES", 2)
    ctx, stubber = stubbed("firehose")
    for page in (["a"], ["b"]):
        listing = {"DeliveryStreamNames": page, "HasMoreDeliveryStreams": True}
        stubber.add_response("list_delivery_streams", listing)
    for name in ("a", "b"):
        stream = {"DeliveryStreamName": name, "DeliveryStreamStatus": "ACTIVE",
                  "DeliveryStreamARN": f"{STREAMS}/{name}",
                  "DeliveryStreamType": "DirectPut", "VersionId": "1", "Destinations": [],
                  "HasMoreDestinations": False}  # fmt: skip
        stubber.add_response("describe_delivery_stream", {"DeliveryStreamDescription": stream})
    with stubber:
        firehose.collect(ctx)
    assert [r["name"] for r in ctx.resources] == ["a", "b"]
    assert [(e["code"], e["types"]) for e in ctx.errors] == [
        ("LimitExceeded", ["AWS::KinesisFirehose::DeliveryStream"])
    ]
