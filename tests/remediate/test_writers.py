"""Every writer end to end against moto: plan, apply, a fresh ``pacscan audit`` shows the
findings pass, undo, and a fresh audit shows them as they were."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from moto_fixtures import ACCOUNT, MotoAWS
from remediate_helpers import audit, journal_records, remediate, undo

PASSWORD_POLICY = {"MinimumPasswordLength": 8, "RequireSymbols": True, "MaxPasswordAge": 365}


@dataclass(frozen=True)
class Case:
    services: list[str]
    policies: list[str]
    setup: Callable[[MotoAWS], None]
    changes: int | None  # None: one per failed finding, however many there are


def kms(aws: MotoAWS) -> None:
    aws.client("kms").create_key(Description="stale")


def cloudtrail(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    trails = aws.client("cloudtrail")
    trails.create_trail(Name="local", S3BucketName="trail-bucket")
    trails.start_logging(Name="local")


def ebs_default(aws: MotoAWS) -> None:
    aws.client("ec2").disable_ebs_encryption_by_default()


def dynamodb(aws: MotoAWS) -> None:
    aws.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def rds(aws: MotoAWS) -> None:
    client = aws.client("rds")
    client.create_db_instance(
        DBInstanceIdentifier="open-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="dbadmin",
        MasterUserPassword="correct-horse-battery",
        AllocatedStorage=20,
        PubliclyAccessible=True,
        BackupRetentionPeriod=1,
        AutoMinorVersionUpgrade=False,
        DeletionProtection=False,
    )
    client.create_db_cluster(
        DBClusterIdentifier="open-cluster",
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword="correct-horse-battery",
        DeletionProtection=False,
        AutoMinorVersionUpgrade=False,
    )


def sns(aws: MotoAWS) -> None:
    aws.client("sns").create_topic(Name="alerts")


def subnet(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})


def redshift(aws: MotoAWS) -> None:
    aws.client("redshift").create_cluster(
        ClusterIdentifier="warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Correct-horse-1",
        PubliclyAccessible=True,
        AllowVersionUpgrade=False,
        AutomatedSnapshotRetentionPeriod=0,
        EnhancedVpcRouting=False,
    )


def classic_balancer(aws: MotoAWS) -> None:
    elb = aws.client("elb")
    elb.create_load_balancer(
        LoadBalancerName="legacy",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=["us-east-1a", "us-east-1b"],
    )
    elb.modify_load_balancer_attributes(
        LoadBalancerName="legacy",
        LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": False},
            "ConnectionDraining": {"Enabled": False, "Timeout": 60},
        },
    )


def eks(aws: MotoAWS) -> None:
    aws.client("eks").create_cluster(
        name="apps",
        version="1.30",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
    )


def ecr(aws: MotoAWS) -> None:
    aws.client("ecr").create_repository(repositoryName="app")


def sqs(aws: MotoAWS) -> None:
    aws.client("sqs").create_queue(QueueName="jobs", Attributes={"SqsManagedSseEnabled": "false"})


def password_policy(aws: MotoAWS) -> None:
    aws.client("iam").update_account_password_policy(**PASSWORD_POLICY)


def guardduty(aws: MotoAWS) -> None:
    aws.client("guardduty").create_detector(Enable=False)


def guardduty_features(aws: MotoAWS) -> None:
    aws.client("guardduty").create_detector(
        Enable=True,
        Features=[
            {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
            {"Name": "LAMBDA_NETWORK_LOGS", "Status": "DISABLED"},
            {"Name": "RDS_LOGIN_EVENTS", "Status": "DISABLED"},
        ],
    )


def application_balancer(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.2.{n}.0/24", AvailabilityZone=zone)
        for n, zone in enumerate(["us-east-1a", "us-east-1b"])
    ]
    elbv2 = aws.client("elbv2")
    arn = elbv2.create_load_balancer(
        Name="web", Subnets=[s["Subnet"]["SubnetId"] for s in subnets], Type="application"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn,
        Attributes=[{"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}],
    )


def security_groups(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="admin", Description="admin", VpcId=vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}],
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
             "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "rdp"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )  # fmt: skip


def imdsv2(aws: MotoAWS) -> None:
    aws.client("ec2").run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)


CASES = {
    "kms-rotation": Case(["kms"], ["PAC-KMS-001"], kms, 1),
    "cloudtrail": Case(["cloudtrail"], ["PAC-CLOUDTRAIL-001", "PAC-CLOUDTRAIL-003"], cloudtrail, 2),
    "ebs-default": Case(["ec2"], ["PAC-EC2-009"], ebs_default, 1),
    "dynamodb": Case(["dynamodb"], ["PAC-DYNAMODB-001", "PAC-DYNAMODB-002"], dynamodb, 2),
    "rds": Case(["rds"], ["PAC-RDS-002", "PAC-RDS-003", "PAC-RDS-004", "PAC-RDS-006",
                          "PAC-RDS-007", "PAC-RDS-010", "PAC-RDS-013",
                          "PAC-RDS-015", "PAC-RDS-021"], rds, 9),
    "ecr": Case(["ecr"], ["PAC-ECR-001", "PAC-ECR-002"], ecr, 2),
    "sns": Case(["sns"], ["PAC-SNS-001"], sns, 1),
    "eks": Case(["eks"], ["PAC-EKS-004"], eks, 1),
    "classic-balancer": Case(["elb"], ["PAC-ELB-007", "PAC-ELB-008"], classic_balancer, 2),
    "redshift": Case(["redshift"], ["PAC-REDSHIFT-001", "PAC-REDSHIFT-003", "PAC-REDSHIFT-005",
                                    "PAC-REDSHIFT-006"], redshift, 4),
    "subnet": Case(["ec2"], ["PAC-EC2-011"], subnet, None),  # moto's default subnets too
    "sqs": Case(["sqs"], ["PAC-SQS-001"], sqs, 1),
    "password-policy": Case(["iam"], ["PAC-IAM-004", "PAC-IAM-005", "PAC-IAM-006",
                                      "PAC-IAM-007"], password_policy, 4),
    "guardduty": Case(["guardduty"], ["PAC-GUARDDUTY-001"], guardduty, 1),
    # keyed entries: two features listed as DISABLED, changed in place
    "guardduty-features": Case(["guardduty"], ["PAC-GUARDDUTY-005", "PAC-GUARDDUTY-006"],
                               guardduty_features, 2),
    # keyed entries: one attribute listed (desync mode), two the fix appends
    "alb-attributes": Case(["elbv2"], ["PAC-ELB-004", "PAC-ELB-006", "PAC-ELB-010"],
                           application_balancer, 3),
    "security-groups": Case(["ec2"], ["PAC-EC2-001", "PAC-EC2-002", "PAC-EC2-021"],
                            security_groups, 3),
    "imdsv2": Case(["ec2"], ["PAC-EC2-019"], imdsv2, 1),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_writer_fixes_verifies_and_undoes(aws: MotoAWS, case: Case) -> None:
    case.setup(aws)
    before = audit(aws, case.services, case.policies)
    failing = {k for k, v in before.items() if v == "fail"}
    assert failing

    plan, _ = remediate(aws, case.services, case.policies)
    assert plan["skipped"] == []
    count = len(failing) if case.changes is None else case.changes
    assert len(plan["changes"]) == count == len(failing)

    journal = aws.tmp / "run.jsonl"
    args = ("--apply", "--yes", "--journal", str(journal))
    _, text = remediate(aws, case.services, case.policies, *args)
    assert f"{count} verified" in text
    after = audit(aws, case.services, case.policies)
    assert after == {k: "pass" if k in failing else v for k, v in before.items()}
    ends = [r for r in journal_records(journal) if r["record"] == "end"]
    assert [r["verified"] for r in ends] == [True] * count

    text = undo(aws, journal)
    changes = f"{count} change{'s' * (count > 1)}"
    assert f"{changes} in the journal, {count} undone" in text
    assert audit(aws, case.services, case.policies) == before


def test_security_group_keeps_the_rules_the_policies_allow(aws: MotoAWS) -> None:
    security_groups(aws)
    plan, _ = remediate(aws, ["ec2"], ["PAC-EC2-001", "PAC-EC2-002"])
    revoked = sorted((c["calls"] for c in plan["changes"]), key=json.dumps)
    assert revoked == [
        [{"service": "ec2", "operation": "RevokeSecurityGroupIngress", "dry_run_first": True,
          "parameters": {"GroupId": revoked[0][0]["parameters"]["GroupId"], "IpPermissions": [
              {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
               "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}}],
        [{"service": "ec2", "operation": "RevokeSecurityGroupIngress", "dry_run_first": True,
          "parameters": {"GroupId": revoked[0][0]["parameters"]["GroupId"], "IpPermissions": [
              {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
               "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "rdp"}]}]}}],
    ]  # fmt: skip
    remediate(aws, ["ec2"], ["PAC-EC2-001", "PAC-EC2-002"], "--apply", "--yes")
    group = aws.client("ec2").describe_security_groups(GroupNames=["admin"])["SecurityGroups"][0]
    left = {(p["FromPort"], r["CidrIp"]) for p in group["IpPermissions"] for r in p["IpRanges"]}
    assert left == {(22, "10.0.0.0/8"), (443, "0.0.0.0/0")}
    ipv6 = {(p["FromPort"], r["CidrIpv6"]) for p in group["IpPermissions"] for r in p["Ipv6Ranges"]}
    assert ipv6 == {(22, "::/0")}  # the IPv6 policy did not run: its rule stays


def test_password_policy_keeps_every_other_setting(aws: MotoAWS) -> None:
    password_policy(aws)
    plan, _ = remediate(aws, ["iam"], ["PAC-IAM-004"])
    (change,) = plan["changes"]
    (call,) = change["calls"]
    assert call["operation"] == "UpdateAccountPasswordPolicy"
    assert call["parameters"] == {**PASSWORD_POLICY, "MinimumPasswordLength": 14} | {
        k: v for k, v in call["parameters"].items() if k not in PASSWORD_POLICY
    }
    assert json.dumps(change["before"], sort_keys=True).count("365") == 1


def test_opensearch_encryption_is_not_undone_and_tls_is(aws: MotoAWS) -> None:
    aws.client("opensearch").create_domain(
        DomainName="search",
        EngineVersion="OpenSearch_2.11",
        DomainEndpointOptions={
            "EnforceHTTPS": False,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07",
        },
        EncryptionAtRestOptions={"Enabled": False},
        NodeToNodeEncryptionOptions={"Enabled": False},
    )
    policies = ["PAC-OPENSEARCH-001", "PAC-OPENSEARCH-003", "PAC-OPENSEARCH-008"]
    before = audit(aws, ["opensearch"], policies)
    assert set(before.values()) == {"fail"} and len(before) == 3
    journal = aws.tmp / "run.jsonl"
    _, text = remediate(aws, ["opensearch"], policies, "--apply", "--yes", "--journal",
                        str(journal))  # fmt: skip
    assert "3 changes tried, 3 verified" in text
    assert set(audit(aws, ["opensearch"], policies).values()) == {"pass"}
    text = undo(aws, journal, code=1)
    assert text.count("cannot be undone: AWS does not turn this encryption off again") == 2
    assert audit(aws, ["opensearch"], policies) == {
        ("PAC-OPENSEARCH-001", "search"): "pass",
        ("PAC-OPENSEARCH-003", "search"): "pass",
        ("PAC-OPENSEARCH-008", "search"): "fail",
    }


def test_access_keys_are_deactivated_only_with_the_opt_in(aws: MotoAWS) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    first = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    policies = ["PAC-IAM-015"]
    before = audit(aws, ["iam"], policies)
    assert before == {("PAC-IAM-015", "ci"): "fail"}

    plan, _ = remediate(aws, ["iam"], policies, code=1)
    assert plan["changes"] == []
    assert [s["reason"] for s in plan["skipped"]] == [
        "a credential change (access keys): only with --allow-credential-changes"
    ]

    journal = aws.tmp / "run.jsonl"
    args = ("--allow-credential-changes", "--apply", "--yes", "--journal", str(journal))
    plan, _ = remediate(aws, ["iam"], policies, *args)
    (change,) = plan["changes"]
    assert change["calls"] == [
        {
            "service": "iam",
            "operation": "UpdateAccessKey",
            "parameters": {"UserName": "ci", "AccessKeyId": second, "Status": "Inactive"},
        }
    ]
    assert audit(aws, ["iam"], policies) == {("PAC-IAM-015", "ci"): "pass"}
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="ci")[
        "AccessKeyMetadata"]}  # fmt: skip
    assert statuses == {first: "Active", second: "Inactive"}

    refused = aws.pacscan("remediate", "--undo", str(journal), "--yes")
    assert refused.returncode == 1 and "--allow-credential-changes" in refused.stdout
    done = aws.pacscan("remediate", "--undo", str(journal), "--yes", "--allow-credential-changes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert audit(aws, ["iam"], policies) == before
