"""OpenSearch domains against moto: collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

POLICIES = [f"PAC-OPENSEARCH-00{n}" for n in range(1, 10)]
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:search"


def make_domains(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    search = aws.client("opensearch")
    search.create_domain(
        DomainName="guarded",
        EngineVersion="OpenSearch_2.11",
        ClusterConfig={
            "InstanceType": "r6g.large.search",
            "InstanceCount": 3,
            "ZoneAwarenessEnabled": True,
            "DedicatedMasterEnabled": True,
            "DedicatedMasterCount": 3,
            "DedicatedMasterType": "r6g.large.search",
        },
        VPCOptions={"SubnetIds": [subnet]},
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={
            "EnforceHTTPS": True,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
        },
        AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True},
        LogPublishingOptions={
            name: {"CloudWatchLogsLogGroupArn": LOG_GROUP, "Enabled": True}
            for name in ("AUDIT_LOGS", "ES_APPLICATION_LOGS")
        },
        TagList=[{"Key": "team", "Value": "search"}],
    )
    search.create_domain(DomainName="bare", EngineVersion="OpenSearch_2.11")


def test_domain_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_domains(aws)
    snapshot, done = aws.collect("--service", "opensearch")
    assert done.returncode == 0, snapshot["errors"]
    domains = resources_of(snapshot, "AWS::OpenSearchService::Domain")
    guarded = domains["guarded"]
    assert guarded["id"] == f"arn:aws:es:us-east-1:{ACCOUNT}:domain/guarded"
    assert guarded["tags"] == {"team": "search"}
    props = guarded["properties"]
    assert props["ClusterConfig"]["InstanceCount"] == 3
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert props["VPCOptions"]["SubnetIds"]
    assert props["LogPublishingOptions"]["AUDIT_LOGS"]["Enabled"] is True
    assert props["AdvancedSecurityOptions"]["Enabled"] is True
    assert "VPCOptions" not in domains["bare"]["properties"]


def test_domain_verdicts(aws: MotoAWS) -> None:
    make_domains(aws)
    assert audit(aws, ["opensearch"], POLICIES) == {
        **{(policy, "guarded"): "pass" for policy in POLICIES},
        **{(policy, "bare"): "fail" for policy in POLICIES},
    }
