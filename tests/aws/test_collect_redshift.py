"""Redshift clusters and parameter groups: collected shape and built-in verdicts.

moto neither keeps nor answers ``MultiAZ`` and cannot change a parameter
(``ModifyClusterParameterGroup`` is not implemented): the ``MultiAZ`` mapping (API text
``Enabled`` to the CloudFormation boolean) and a group that requires SSL are checked
with botocore's Stubber.
"""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit
from test_pagination import stubbed

from scanner.aws.redshift import collect

POLICIES = [f"PAC-REDSHIFT-0{n:02d}" for n in range(1, 11)]


def make_clusters(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="audit-logs")
    redshift = aws.client("redshift")
    redshift.create_cluster_parameter_group(
        ParameterGroupName="strict", ParameterGroupFamily="redshift-1.0", Description="ssl"
    )
    redshift.create_cluster(
        ClusterIdentifier="warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="wh_owner",
        MasterUserPassword="Correct-horse-1",
        DBName="sales",
        Encrypted=True,
        EnhancedVpcRouting=True,
        AutomatedSnapshotRetentionPeriod=7,
        ClusterParameterGroupName="strict",
        Tags=[{"Key": "team", "Value": "bi"}],
    )
    redshift.enable_logging(ClusterIdentifier="warehouse", BucketName="audit-logs")
    redshift.create_cluster(
        ClusterIdentifier="sandbox",
        NodeType="ra3.xlplus",
        MasterUsername="awsuser",
        MasterUserPassword="Correct-horse-1",
        PubliclyAccessible=True,
        AllowVersionUpgrade=False,
    )


def test_clusters_and_parameter_groups_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_clusters(aws)
    snapshot, done = aws.collect("--service", "redshift")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::Redshift::Cluster")
    warehouse = clusters["warehouse"]
    assert warehouse["id"] == f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:warehouse"
    props = warehouse["properties"]
    assert props["LoggingProperties"]["BucketName"] == "audit-logs"
    assert props["ClusterParameterGroupName"] == "strict"
    assert (props["Encrypted"], props["DBName"]) == (True, "sales")
    assert props["ClusterType"] == "single-node"
    assert "LoggingProperties" not in clusters["sandbox"]["properties"]
    groups = resources_of(snapshot, "AWS::Redshift::ClusterParameterGroup")
    # the AWS-owned default group is kept because the sandbox cluster runs on it
    assert sorted(groups) == ["default.redshift-1.0", "strict"]
    ssl = [p for p in groups["strict"]["properties"]["Parameters"]
           if p["ParameterName"] == "require_ssl"]  # fmt: skip
    assert ssl == [{"ParameterName": "require_ssl", "ParameterValue": "false"}]


def test_cluster_verdicts(aws: MotoAWS) -> None:
    make_clusters(aws)
    verdicts = audit(aws, ["redshift"], POLICIES)
    cluster_policies = [p for p in POLICIES if p not in ("PAC-REDSHIFT-009", "PAC-REDSHIFT-010")]
    assert verdicts == {
        **{(p, "warehouse"): "pass" for p in cluster_policies},
        **{(p, "sandbox"): "fail" for p in cluster_policies},
        # moto keeps no MultiAZ setting: both clusters are single-AZ there
        ("PAC-REDSHIFT-010", "warehouse"): "fail",
        ("PAC-REDSHIFT-010", "sandbox"): "fail",
        # moto cannot set require_ssl: every group keeps the engine default, false
        ("PAC-REDSHIFT-009", "strict"): "fail",
        ("PAC-REDSHIFT-009", "default.redshift-1.0"): "fail",
    }


def test_multi_az_text_and_required_ssl() -> None:
    ctx, stubber = stubbed("redshift")
    cluster = {
        "ClusterIdentifier": "ha",
        "NodeType": "ra3.xlplus",
        "MultiAZ": "Enabled",
        "NumberOfNodes": 2,
        "ClusterParameterGroups": [{"ParameterGroupName": "strict"}],
    }
    group = {"ParameterGroupName": "strict", "ParameterGroupFamily": "redshift-1.0"}
    stubber.add_response("describe_clusters", {"Clusters": [cluster]})
    stubber.add_response("describe_logging_status", {"LoggingEnabled": False})
    stubber.add_response("describe_cluster_parameter_groups", {"ParameterGroups": [group]})
    stubber.add_response("describe_cluster_parameters", {"Parameters": [
        {"ParameterName": "require_ssl", "ParameterValue": "true", "Source": "user"}]})  # fmt: skip
    with stubber:
        collect(ctx)
    found = {r["type"]: r["properties"] for r in ctx.resources}
    assert found["AWS::Redshift::Cluster"]["MultiAZ"] is True
    assert found["AWS::Redshift::Cluster"]["ClusterType"] == "multi-node"
    assert found["AWS::Redshift::ClusterParameterGroup"]["Parameters"] == [
        {"ParameterName": "require_ssl", "ParameterValue": "true"}
    ]
    assert ctx.errors == []
