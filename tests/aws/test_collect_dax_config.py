"""DAX clusters and AWS Config recorders against moto: collected shape and built-in verdicts."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service"


def make_dax(aws: MotoAWS) -> None:
    dax = aws.client("dax")
    dax.create_cluster(ClusterName="sealed", NodeType="dax.t3.small", ReplicationFactor=3,
                       IamRoleArn=ROLE, SSESpecification={"Enabled": True},
                       ClusterEndpointEncryptionType="TLS")  # fmt: skip
    dax.create_cluster(ClusterName="plain", NodeType="dax.t3.small", ReplicationFactor=1,
                       IamRoleArn=ROLE)  # fmt: skip


def test_dax_clusters(aws: MotoAWS) -> None:
    make_dax(aws)
    snapshot, done = aws.collect("--service", "dax")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::DAX::Cluster")
    sealed = clusters["sealed"]
    assert sealed["id"] == f"arn:aws:dax:us-east-1:{ACCOUNT}:cache/sealed"
    assert sealed["properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert sealed["properties"]["ClusterEndpointEncryptionType"] == "TLS"
    assert clusters["plain"]["properties"]["SSESpecification"] == {"SSEEnabled": False}
    policies = ["PAC-DYNAMODB-004", "PAC-DYNAMODB-005"]
    assert audit(aws, ["dax"], policies) == {
        **{(policy, "sealed"): "pass" for policy in policies},
        **{(policy, "plain"): "fail" for policy in policies},
    }


def test_config_recorders_per_region(aws: MotoAWS) -> None:
    aws.client("config").put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})  # fmt: skip
    aws.client("config", region="eu-west-1").put_configuration_recorder(ConfigurationRecorder={
        "name": "partial", "roleARN": ROLE,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::S3::Bucket"]}})  # fmt: skip
    regions = ("--region", "us-east-1", "--region", "eu-west-1")
    snapshot, done = aws.collect("--service", "config", *regions)
    assert done.returncode == 0, snapshot["errors"]
    recorders = resources_of(snapshot, "AWS::Config::ConfigurationRecorder")
    assert recorders["default"]["properties"] == {
        "Name": "default",
        "RoleARN": ROLE,
        "RecordingGroup": {
            "AllSupported": True,
            "IncludeGlobalResourceTypes": True,
            "RecordingStrategy": {"UseOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
        },
    }
    assert recorders["partial"]["region"] == "eu-west-1"
    assert recorders["partial"]["properties"]["RecordingGroup"]["ResourceTypes"] == [
        "AWS::S3::Bucket"
    ]
    assert audit(aws, ["config"], ["PAC-CONFIG-001"], *regions) == {
        ("PAC-CONFIG-001", "default"): "pass",
        ("PAC-CONFIG-001", "partial"): "fail",
    }
