"""EKS clusters against moto: collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

POLICIES = ["PAC-EKS-001", "PAC-EKS-002", "PAC-EKS-003", "PAC-EKS-004"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/eks-secrets"


def make_clusters(aws: MotoAWS) -> None:
    eks = aws.client("eks")
    eks.create_cluster(
        name="private",
        version="1.30",
        roleArn=ROLE,
        resourcesVpcConfig={
            "subnetIds": ["subnet-1", "subnet-2"],
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
        },
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        tags={"team": "platform"},
    )
    eks.create_cluster(
        name="legacy",
        version="1.24",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": ["subnet-1"], "endpointPublicAccess": True},
    )


def test_cluster_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_clusters(aws)
    snapshot, done = aws.collect("--service", "eks")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::EKS::Cluster")
    private = clusters["private"]
    assert private["id"] == f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/private"
    assert private["tags"] == {"team": "platform"}
    props = private["properties"]
    assert props["ResourcesVpcConfig"]["EndpointPublicAccess"] is False
    enabled = props["Logging"]["ClusterLogging"]["EnabledTypes"]
    assert enabled == [{"Type": "api"}, {"Type": "audit"}]
    assert props["EncryptionConfig"] == [{"Resources": ["secrets"], "Provider": {"KeyArn": KEY}}]
    legacy = clusters["legacy"]["properties"]
    assert (legacy["Version"], legacy["EncryptionConfig"]) == ("1.24", [])


def test_cluster_verdicts(aws: MotoAWS) -> None:
    make_clusters(aws)
    assert audit(aws, ["eks"], POLICIES) == {
        **{(policy, "private"): "pass" for policy in POLICIES},
        **{(policy, "legacy"): "fail" for policy in POLICIES},
    }
