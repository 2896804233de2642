"""Cognito identity pools, Transfer Family servers, EKS node groups, SageMaker endpoint
configurations, API Gateway methods and Lambda layer version permissions against moto:
the collected shape, and the verdicts of the built-in policies that target them."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit, name_of
from test_collect_services import deployment_package

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service"


def test_cognito_identity_pools(aws: MotoAWS) -> None:
    identity = aws.client("cognito-identity")
    closed = identity.create_identity_pool(
        IdentityPoolName="closed", AllowUnauthenticatedIdentities=False,
        SupportedLoginProviders={"accounts.google.com": "client-id"},
        IdentityPoolTags={"team": "web"},
    )["IdentityPoolId"]  # fmt: skip
    guests = identity.create_identity_pool(
        IdentityPoolName="guests", AllowUnauthenticatedIdentities=True
    )["IdentityPoolId"]
    snapshot, done = aws.collect("--service", "cognito")
    assert done.returncode == 0, snapshot["errors"]
    pools = resources_of(snapshot, "AWS::Cognito::IdentityPool")
    assert pools["closed"]["id"] == (
        f"arn:aws:cognito-identity:us-east-1:{ACCOUNT}:identitypool/{closed}"
    )
    assert pools["closed"]["properties"] == {
        "IdentityPoolName": "closed",
        "AllowUnauthenticatedIdentities": False,
        "SupportedLoginProviders": {"accounts.google.com": "client-id"},
        "IdentityPoolTags": [{"Key": "team", "Value": "web"}],
    }
    assert pools["closed"]["tags"] == {"team": "web"}
    assert pools["guests"]["properties"]["AllowUnauthenticatedIdentities"] is True
    assert audit(aws, ["cognito"], ["PAC-COGNITO-001"]) == {
        ("PAC-COGNITO-001", name_of(f"identitypool/{closed}")): "pass",
        ("PAC-COGNITO-001", name_of(f"identitypool/{guests}")): "fail",
    }


def test_transfer_servers(aws: MotoAWS) -> None:
    transfer = aws.client("transfer")
    private = transfer.create_server(
        EndpointType="VPC",
        EndpointDetails={"VpcId": "vpc-1", "SubnetIds": ["subnet-1"]},
        Protocols=["SFTP"], Tags=[{"Key": "team", "Value": "partners"}],
    )["ServerId"]  # fmt: skip
    public = transfer.create_server(EndpointType="PUBLIC", Protocols=["SFTP"])["ServerId"]
    snapshot, done = aws.collect("--service", "transfer")
    assert done.returncode == 0, snapshot["errors"]
    servers = resources_of(snapshot, "AWS::Transfer::Server")
    props = servers[private]["properties"]
    assert servers[private]["id"] == f"arn:aws:transfer:us-east-1:{ACCOUNT}:server/{private}"
    assert props["EndpointType"] == "VPC"
    assert props["EndpointDetails"] == {"VpcId": "vpc-1", "SubnetIds": ["subnet-1"]}
    assert props["Protocols"] == ["SFTP"]
    assert props["Tags"] == [{"Key": "team", "Value": "partners"}]
    assert servers[public]["properties"]["EndpointType"] == "PUBLIC"
    assert audit(aws, ["transfer"], ["PAC-TRANSFER-001"]) == {
        ("PAC-TRANSFER-001", private): "pass",
        ("PAC-TRANSFER-001", public): "fail",
    }


def test_eks_node_groups(aws: MotoAWS) -> None:
    eks = aws.client("eks")
    eks.create_cluster(name="apps", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    fenced = eks.create_nodegroup(
        clusterName="apps", nodegroupName="fenced", subnets=["subnet-1"], nodeRole=ROLE,
        remoteAccess={"ec2SshKey": "ops", "sourceSecurityGroups": ["sg-1"]},
        tags={"team": "platform"},
    )["nodegroup"]["nodegroupArn"]  # fmt: skip
    open_ssh = eks.create_nodegroup(
        clusterName="apps", nodegroupName="open", subnets=["subnet-1"], nodeRole=ROLE,
        remoteAccess={"ec2SshKey": "ops"},
    )["nodegroup"]["nodegroupArn"]  # fmt: skip
    # (moto gives a node group created without remoteAccess an SSH key of its own)
    snapshot, done = aws.collect("--service", "eks")
    assert done.returncode == 0, snapshot["errors"]
    groups = resources_of(snapshot, "AWS::EKS::Nodegroup")
    props = groups["fenced"]["properties"]
    assert groups["fenced"]["id"] == fenced
    assert (props["ClusterName"], props["NodegroupName"], props["NodeRole"]) == (
        "apps", "fenced", ROLE,
    )  # fmt: skip
    assert props["Subnets"] == ["subnet-1"]
    assert props["RemoteAccess"] == {"Ec2SshKey": "ops", "SourceSecurityGroups": ["sg-1"]}
    assert props["Tags"] == {"team": "platform"} == groups["fenced"]["tags"]
    assert groups["open"]["properties"]["RemoteAccess"] == {"Ec2SshKey": "ops"}
    assert audit(aws, ["eks"], ["PAC-EKS-005"]) == {
        ("PAC-EKS-005", name_of(fenced)): "pass",
        ("PAC-EKS-005", name_of(open_ssh)): "fail",
    }


def test_sagemaker_endpoint_configurations(aws: MotoAWS) -> None:
    sagemaker = aws.client("sagemaker")
    sagemaker.create_model(ModelName="model", ExecutionRoleArn=ROLE,
                           PrimaryContainer={"Image": "image:1"})  # fmt: skip
    variant = {"VariantName": "main", "ModelName": "model", "InitialInstanceCount": 1,
               "InstanceType": "ml.m5.large"}  # fmt: skip
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/endpoints"
    sagemaker.create_endpoint_config(EndpointConfigName="sealed", ProductionVariants=[variant],
                                     KmsKeyId=key)  # fmt: skip
    sagemaker.create_endpoint_config(EndpointConfigName="plain", ProductionVariants=[variant])
    snapshot, done = aws.collect("--service", "sagemaker")
    assert done.returncode == 0, snapshot["errors"]
    configs = resources_of(snapshot, "AWS::SageMaker::EndpointConfig")
    assert configs["sealed"]["id"] == (
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/sealed"
    )
    props = configs["sealed"]["properties"]
    assert (props["EndpointConfigName"], props["KmsKeyId"]) == ("sealed", key)
    assert props["ProductionVariants"][0]["ModelName"] == "model"
    assert props["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"
    assert "KmsKeyId" not in configs["plain"]["properties"]
    assert audit(aws, ["sagemaker"], ["PAC-SAGEMAKER-051"]) == {
        ("PAC-SAGEMAKER-051", "sealed"): "pass",
        ("PAC-SAGEMAKER-051", "plain"): "fail",
    }


def test_api_gateway_methods(aws: MotoAWS) -> None:
    gateway = aws.client("apigateway")
    api = gateway.create_rest_api(name="shop")["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    items = gateway.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
    gateway.put_method(restApiId=api, resourceId=items, httpMethod="POST",
                       authorizationType="AWS_IAM")  # fmt: skip
    gateway.put_method(restApiId=api, resourceId=items, httpMethod="GET",
                       authorizationType="NONE", apiKeyRequired=True)  # fmt: skip
    gateway.put_method(restApiId=api, resourceId=items, httpMethod="OPTIONS",
                       authorizationType="NONE")  # fmt: skip
    snapshot, done = aws.collect("--service", "apigateway")
    assert done.returncode == 0, snapshot["errors"]
    methods = resources_of(snapshot, "AWS::ApiGateway::Method")
    assert sorted(methods) == ["GET /items", "OPTIONS /items", "POST /items"]
    post = methods["POST /items"]
    assert post["id"] == (
        f"arn:aws:apigateway:us-east-1::/restapis/{api}/resources/{items}/methods/POST"
    )
    assert post["properties"] == {
        "RestApiId": api,
        "ResourceId": items,
        "HttpMethod": "POST",
        "AuthorizationType": "AWS_IAM",
        "ApiKeyRequired": False,
    }
    assert methods["GET /items"]["properties"]["ApiKeyRequired"] is True
    assert audit(aws, ["apigateway"], ["PAC-APIGATEWAY-008"]) == {
        ("PAC-APIGATEWAY-008", "POST"): "pass",
        ("PAC-APIGATEWAY-008", "GET"): "fail",
    }  # OPTIONS is skipped


def test_lambda_layer_version_permissions(aws: MotoAWS) -> None:
    functions = aws.client("lambda")
    for layer in ("shared", "internal"):
        functions.publish_layer_version(LayerName=layer,
                                        Content={"ZipFile": deployment_package()})  # fmt: skip
    functions.add_layer_version_permission(
        LayerName="shared", VersionNumber=1, StatementId="everyone",
        Action="lambda:GetLayerVersion", Principal="*",
    )  # fmt: skip
    functions.add_layer_version_permission(
        LayerName="internal", VersionNumber=1, StatementId="partner",
        Action="lambda:GetLayerVersion", Principal="111122223333",
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "lambda")
    assert done.returncode == 0, snapshot["errors"]
    permissions = resources_of(snapshot, "AWS::Lambda::LayerVersionPermission")
    shared = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared:1"
    assert permissions["everyone"]["id"] == f"{shared}#permission/everyone"
    assert permissions["everyone"]["properties"] == {
        "LayerVersionArn": shared,
        "Action": "lambda:GetLayerVersion",
        "Principal": "*",
    }
    assert permissions["partner"]["properties"]["Principal"] == "111122223333"
    assert audit(aws, ["lambda"], ["PAC-LAMBDA-004"]) == {
        ("PAC-LAMBDA-004", "everyone"): "fail",
        ("PAC-LAMBDA-004", "partner"): "pass",
    }


def test_a_node_group_without_ssh_has_no_remote_access() -> None:
    from scanner.aws.eks import nodegroup_properties

    props = nodegroup_properties({"nodegroupName": "workers", "subnets": ["subnet-1"]})
    assert props == {"NodegroupName": "workers", "Subnets": ["subnet-1"]}
