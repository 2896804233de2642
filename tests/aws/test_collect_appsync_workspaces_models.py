"""AppSync APIs, WorkSpaces and SageMaker models against moto: the collected properties
and the verdicts of their built-in policies."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS, resources_of
from test_audit import audit, policy_args

LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/appsync-logs"
MODEL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/model"


def test_appsync_apis(aws: MotoAWS) -> None:
    appsync = aws.client("appsync")
    log_config = {"fieldLogLevel": "ERROR", "cloudWatchLogsRoleArn": LOGS_ROLE}
    logged = appsync.create_graphql_api(name="logged", authenticationType="AWS_IAM",
                                        logConfig=log_config, tags={"team": "api"})  # fmt: skip
    appsync.create_graphql_api(name="silent", authenticationType="API_KEY")
    snapshot, done = aws.collect("--service", "appsync")
    assert done.returncode == 0, snapshot["errors"]
    apis = resources_of(snapshot, "AWS::AppSync::GraphQLApi")
    api_id = logged["graphqlApi"]["apiId"]
    assert apis["logged"]["id"] == f"arn:aws:appsync:us-east-1:{ACCOUNT}:apis/{api_id}"
    props = apis["logged"]["properties"]
    assert props["LogConfig"] == {"CloudWatchLogsRoleArn": LOGS_ROLE, "FieldLogLevel": "ERROR"}
    assert props["AuthenticationType"] == "AWS_IAM"
    assert props["Tags"] == [{"Key": "team", "Value": "api"}]
    assert "LogConfig" not in apis["silent"]["properties"]
    silent_id = apis["silent"]["id"].rsplit("/", 1)[-1]
    policies = ["PAC-APPSYNC-001", "PAC-APPSYNC-002"]
    assert audit(aws, ["appsync"], policies) == {
        **{(policy, api_id): "pass" for policy in policies},
        **{(policy, silent_id): "fail" for policy in policies},
    }


def make_directory(aws: MotoAWS) -> str:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    directory = aws.client("ds").create_directory(Name="corp.example.com", Password="Passw0rd!",
        Size="Small", VpcSettings={"VpcId": vpc, "SubnetIds": subnets})["DirectoryId"]  # fmt: skip
    aws.client("workspaces").register_workspace_directory(DirectoryId=directory)
    return directory


def test_workspaces(aws: MotoAWS) -> None:
    directory = make_directory(aws)
    created = aws.client("workspaces").create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": "ana", "BundleId": "wsb-1",
         "RootVolumeEncryptionEnabled": True, "UserVolumeEncryptionEnabled": True,
         "VolumeEncryptionKey": "alias/aws/workspaces"},
        {"DirectoryId": directory, "UserName": "bob", "BundleId": "wsb-1"},
    ])["PendingRequests"]  # fmt: skip
    ids = {w["UserName"]: w["WorkspaceId"] for w in created}
    snapshot, done = aws.collect("--service", "workspaces")
    assert done.returncode == 0, snapshot["errors"]
    workspaces = resources_of(snapshot, "AWS::WorkSpaces::Workspace")
    sealed = workspaces[ids["ana"]]
    assert sealed["id"] == f"arn:aws:workspaces:us-east-1:{ACCOUNT}:workspace/{ids['ana']}"
    assert sealed["properties"] == {
        "BundleId": "wsb-1",
        "DirectoryId": directory,
        "UserName": "ana",
        "RootVolumeEncryptionEnabled": True,
        "UserVolumeEncryptionEnabled": True,
        "VolumeEncryptionKey": "alias/aws/workspaces",
        "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"},
    }
    plain = workspaces[ids["bob"]]["properties"]
    assert plain["RootVolumeEncryptionEnabled"] is False
    assert plain["UserVolumeEncryptionEnabled"] is False
    policies = ["PAC-WORKSPACES-001", "PAC-WORKSPACES-002"]
    assert audit(aws, ["workspaces"], policies) == {
        **{(policy, ids["ana"]): "pass" for policy in policies},
        **{(policy, ids["bob"]): "fail" for policy in policies},
    }


def isolated_model(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
    """Answers ``DescribeModel`` of the model ``isolated`` (moto's ``CreateModel`` drops
    ``EnableNetworkIsolation``, so moto alone has no isolated model)."""
    if json.loads(body or b"{}").get("ModelName") != "isolated":
        return None
    answer = {"ModelName": "isolated", "ExecutionRoleArn": MODEL_ROLE,
              "ModelArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/isolated",
              "CreationTime": 1700000000, "EnableNetworkIsolation": True,
              "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}}  # fmt: skip
    return 200, json.dumps(answer).encode()


def test_sagemaker_models(aws: MotoAWS) -> None:
    sagemaker = aws.client("sagemaker")
    for name in ("isolated", "open"):
        sagemaker.create_model(ModelName=name, ExecutionRoleArn=MODEL_ROLE,
                               PrimaryContainer={"Image": "image"})  # fmt: skip
    with FaultProxy(aws.url, isolated_model) as proxy:
        env = {"AWS_ENDPOINT_URL_SAGEMAKER": proxy.url}
        snapshot, done = aws.collect("--service", "sagemaker", env=env)
        assert done.returncode == 0, snapshot["errors"]
        models = resources_of(snapshot, "AWS::SageMaker::Model")
        assert models["isolated"]["properties"] == {
            "ModelName": "isolated",
            "ExecutionRoleArn": MODEL_ROLE,
            "EnableNetworkIsolation": True,
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
        }
        assert models["open"]["id"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/open"
        assert models["open"]["properties"] == {
            "ModelName": "open",
            "ExecutionRoleArn": MODEL_ROLE,
            "EnableNetworkIsolation": False,
        }
        args = ["audit", "--quiet", "--no-config", "--format", "json", "--include-passed",
                "--service", "sagemaker", *policy_args(["PAC-SAGEMAKER-002"])]  # fmt: skip
        done = aws.pacscan(*args, env=env)
    assert done.returncode == 1, done.stderr
    verdicts = {
        f["resource"]["id"].rsplit("/", 1)[-1]: f["status"]
        for f in json.loads(done.stdout)["findings"]
    }
    assert verdicts == {"isolated": "pass", "open": "fail"}
