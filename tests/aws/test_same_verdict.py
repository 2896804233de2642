"""Same policy, same verdict: a template resource and the equivalent live resource agree.

One CloudFormation template and one moto account hold the same resources, built the same
way; both go through the scan pipeline together with the built-in policies, and every
(policy, template resource, live resource) pair must get the expected status on both
sides.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from access_analyzer_stand_in import AccessAnalyzerStandIn
from moto_fixtures import ACCOUNT, FAKE_ENV
from test_audit import builtin_policy_files

from scanner.aws.runner import CollectRequest, collect
from scanner.aws.snapshot import write_snapshot
from scanner.pipeline import ScanRequest, compile_policies, run_scan

# (policy, template logical id, live resource name, expected status)
PAIRS = [
    ("PAC-S3-009", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-009", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-001", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-001", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-002", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-002", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-S3-006", "VersionedBucket", "versioned-bucket", "pass"),
    ("PAC-S3-006", "PlainBucket", "plain-bucket", "fail"),
    ("PAC-EC2-001", "SshGroup", "ssh", "fail"),
    ("PAC-EC2-001", "WebGroup", "web", "pass"),
    ("PAC-EC2-007", "SealedVolume", "sealed", "pass"),
    ("PAC-EC2-007", "OpenVolume", "open", "fail"),
    ("PAC-KMS-001", "RotatedKey", "rotated", "pass"),
    ("PAC-KMS-001", "StaleKey", "stale", "fail"),
    ("PAC-CLOUDTRAIL-003", "CheckedTrail", "checked", "pass"),
    ("PAC-CLOUDTRAIL-003", "UncheckedTrail", "unchecked", "fail"),
    ("PAC-RDS-001", "SealedDb", "sealed-db", "pass"),
    ("PAC-RDS-001", "OpenDb", "open-db", "fail"),
    ("PAC-IAM-010", "OpenRole", "open-role", "fail"),
    ("PAC-IAM-010", "ServiceRole", "service-role", "pass"),
    ("PAC-DYNAMODB-001", "KeptTable", "kept-table", "pass"),
    ("PAC-DYNAMODB-001", "LooseTable", "loose-table", "fail"),
    ("PAC-DYNAMODB-002", "KeptTable", "kept-table", "pass"),
    ("PAC-DYNAMODB-002", "LooseTable", "loose-table", "fail"),
    ("PAC-SQS-001", "SealedQueue", "sealed-queue", "pass"),
    ("PAC-SQS-001", "OpenQueue", "open-queue", "fail"),
    ("PAC-SQS-002", "SealedQueuePolicy", "sealed-queue", "pass"),
    ("PAC-SQS-002", "OpenQueuePolicy", "open-queue", "fail"),
    ("PAC-SNS-001", "SealedTopic", "sealed-topic", "pass"),
    ("PAC-SNS-001", "OpenTopic", "open-topic", "fail"),
    ("PAC-SNS-002", "SealedTopicPolicy", "sealed-topic", "pass"),
    ("PAC-SNS-002", "OpenTopicPolicy", "open-topic", "fail"),
    ("PAC-SECRETSMANAGER-001", "RotatedSecret", "rotated-secret", "pass"),
    ("PAC-SECRETSMANAGER-001", "StaticSecret", "static-secret", "fail"),
    ("PAC-SECRETSMANAGER-002", "MonthlyRotation", "rotated-secret", "pass"),
    ("PAC-SECRETSMANAGER-002", "YearlyRotation", "yearly-secret", "fail"),
    ("PAC-SECRETSMANAGER-003", "RotatedSecret", "rotated-secret", "pass"),
    ("PAC-SECRETSMANAGER-003", "StaticSecret", "static-secret", "fail"),
    ("PAC-ECR-001", "PinnedRepository", "pinned-repo", "pass"),
    ("PAC-ECR-001", "LooseRepository", "loose-repo", "fail"),
    ("PAC-ECR-002", "PinnedRepository", "pinned-repo", "pass"),
    ("PAC-ECR-002", "LooseRepository", "loose-repo", "fail"),
    ("PAC-ECR-003", "PinnedRepository", "pinned-repo", "pass"),
    ("PAC-ECR-003", "LooseRepository", "loose-repo", "fail"),
    ("PAC-EFS-001", "BackedUpFiles", "backed-up-files", "pass"),
    ("PAC-EFS-001", "LooseFiles", "loose-files", "fail"),
    ("PAC-EFS-004", "BackedUpFiles", "backed-up-files", "pass"),
    ("PAC-EFS-004", "LooseFiles", "loose-files", "fail"),
    ("PAC-GUARDDUTY-001", "WatchingDetector", "watching", "pass"),
    ("PAC-GUARDDUTY-001", "SuspendedDetector", "suspended", "fail"),
    ("PAC-GUARDDUTY-002", "WatchingDetector", "watching", "pass"),
    ("PAC-GUARDDUTY-002", "SuspendedDetector", "suspended", "fail"),
    ("PAC-ELB-004", "StrictBalancer", "strict-lb", "pass"),
    ("PAC-ELB-004", "LaxBalancer", "lax-lb", "fail"),
    ("PAC-ELB-006", "StrictBalancer", "strict-lb", "pass"),
    ("PAC-ELB-006", "LaxBalancer", "lax-lb", "fail"),
    ("PAC-ELB-011", "StrictBalancer", "strict-lb", "pass"),
    ("PAC-ELB-011", "LaxBalancer", "lax-lb", "fail"),
    ("PAC-ELB-001", "RedirectListener", "port-80", "pass"),
    ("PAC-ELB-001", "PlainListener", "port-8080", "fail"),
    ("PAC-ELB-012", "ModernTlsListener", "port-443", "pass"),
    ("PAC-ELB-012", "OldTlsListener", "port-8443", "fail"),
    ("PAC-IAM-001", "AdminGroup", "admin-group", "fail"),
    ("PAC-IAM-001", "ReaderGroup", "reader-group", "pass"),
    ("PAC-IAM-003", "AdminGroup", "admin-group", "fail"),
    ("PAC-IAM-003", "ReaderGroup", "reader-group", "pass"),
    ("PAC-EKS-001", "PrivateCluster", "private-eks", "pass"),
    ("PAC-EKS-001", "PublicCluster", "public-eks", "fail"),
    ("PAC-REDSHIFT-002", "SealedWarehouse", "sealed-warehouse", "pass"),
    ("PAC-REDSHIFT-002", "OpenWarehouse", "open-warehouse", "fail"),
    ("PAC-OPENSEARCH-001", "SealedDomain", "sealed-domain", "pass"),
    ("PAC-OPENSEARCH-001", "OpenDomain", "open-domain", "fail"),
    ("PAC-RDS-013", "KeptCluster", "kept-cluster", "pass"),
    ("PAC-RDS-013", "LooseCluster", "loose-cluster", "fail"),
    ("PAC-ECS-004", "PlainTask", "plain-task:1", "pass"),
    ("PAC-ECS-004", "PrivilegedTask", "privileged-task:1", "fail"),
    ("PAC-CLOUDFRONT-002", "HttpsDistribution", "https-only", "pass"),
    ("PAC-CLOUDFRONT-002", "HttpDistribution", "allow-http", "fail"),
    ("PAC-ELB-008", "CrossZoneClassic", "cross-zone-clb", "pass"),
    ("PAC-ELB-008", "SingleZoneClassic", "single-zone-clb", "fail"),
    ("PAC-EFS-002", "ScopedAccessPoint", "scoped-ap", "pass"),
    ("PAC-EFS-002", "RootAccessPoint", "root-ap", "fail"),
    ("PAC-DYNAMODB-005", "TlsDax", "tls-dax", "pass"),
    ("PAC-DYNAMODB-005", "PlainDax", "plain-dax", "fail"),
    ("PAC-APIGATEWAY-007", "LoggedHttpStage", "logged", "pass"),
    ("PAC-APIGATEWAY-007", "SilentHttpStage", "silent", "fail"),
]
POLICIES = sorted({p for p, *_ in PAIRS})

PAB_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
KMS_RULES = [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
OPEN_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}
SERVICE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]
KEY_ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}]
PUBLIC_SQS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}],
}
PUBLIC_SNS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}
    ],
}
ECR_SELECTION = {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}
ECR_LIFECYCLE = json.dumps(
    {"rules": [{"rulePriority": 1, "action": {"type": "expire"}, "selection": ECR_SELECTION}]}
)
STRICT_LB = {
    "routing.http.drop_invalid_header_fields.enabled": "true",
    "deletion_protection.enabled": "true",
}
TO_HTTPS = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
REDIRECT = [{"Type": "redirect", "RedirectConfig": TO_HTTPS}]
FIXED = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
MODERN_TLS = "ELBSecurityPolicy-TLS13-1-2-2021-06"
OLD_TLS = "ELBSecurityPolicy-2016-08"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_REPORTS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}],
}


EKS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def from_topic(queue_arn: Any) -> dict[str, Any]:
    """Only the account's ``t`` topic may send to the queue."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}},
            }
        ],
    }


def owner_only(resource: Any) -> dict[str, Any]:
    """The policy AWS writes for a new topic: anyone of this account, pinned by SourceOwner."""
    return {
        "Version": "2008-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Subscribe"],
                "Resource": resource,
                "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
            }
        ],
    }


def deny_http(bucket_arn: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": bucket_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def template() -> dict[str, Any]:
    def res(type_: str, **props: Any) -> dict[str, Any]:
        return {"Type": type_, "Properties": props}

    def ingress(port: int) -> list[dict[str, Any]]:
        return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0"}]

    db = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "AllocatedStorage": "20"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "VersionedBucket": res(
                "AWS::S3::Bucket",
                VersioningConfiguration={"Status": "Enabled"},
                BucketEncryption={"ServerSideEncryptionConfiguration": KMS_RULES},
                PublicAccessBlockConfiguration=PAB_ON,
            ),
            "VersionedBucketPolicy": res(
                "AWS::S3::BucketPolicy",
                Bucket={"Ref": "VersionedBucket"},
                PolicyDocument=deny_http({"Fn::GetAtt": ["VersionedBucket", "Arn"]}),
            ),
            "PlainBucket": res(
                "AWS::S3::Bucket",
                PublicAccessBlockConfiguration={**PAB_ON, "BlockPublicPolicy": False},
            ),
            "SshGroup": res("AWS::EC2::SecurityGroup", GroupDescription="ssh",
                            SecurityGroupIngress=ingress(22)),
            "WebGroup": res("AWS::EC2::SecurityGroup", GroupDescription="web",
                            SecurityGroupIngress=ingress(443)),
            "SealedVolume": res("AWS::EC2::Volume", AvailabilityZone="us-east-1a", Size=10,
                                Encrypted=True),
            "OpenVolume": res("AWS::EC2::Volume", AvailabilityZone="us-east-1a", Size=10),
            "RotatedKey": res("AWS::KMS::Key", EnableKeyRotation=True),
            "StaleKey": res("AWS::KMS::Key"),
            "CheckedTrail": res("AWS::CloudTrail::Trail", IsLogging=True, S3BucketName="trail-logs",
                                EnableLogFileValidation=True),
            "UncheckedTrail": res("AWS::CloudTrail::Trail", IsLogging=True,
                                  S3BucketName="trail-logs"),
            "SealedDb": res("AWS::RDS::DBInstance", StorageEncrypted=True, **db),
            "OpenDb": res("AWS::RDS::DBInstance", **db),
            "OpenRole": res("AWS::IAM::Role", AssumeRolePolicyDocument=OPEN_TRUST),
            "ServiceRole": res("AWS::IAM::Role", AssumeRolePolicyDocument=SERVICE_TRUST),
            **service_resources(res),
        },
    }  # fmt: skip


def service_resources(res: Any) -> dict[str, Any]:
    """DynamoDB, SQS, SNS, Secrets Manager, ECR, EFS, GuardDuty, ELBv2 and IAM groups."""
    key = {"KeySchema": KEY_SCHEMA, "AttributeDefinitions": KEY_ATTRIBUTES}
    queue = {"Fn::GetAtt": ["SealedQueue", "Arn"]}
    lb_attributes = [{"Key": k, "Value": v} for k, v in STRICT_LB.items()]
    return {
        "KeptTable": res("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST",
                         DeletionProtectionEnabled=True,
                         PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                         **key),
        "LooseTable": res("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST", **key),
        "SealedQueue": res("AWS::SQS::Queue", KmsMasterKeyId="alias/queues"),
        "OpenQueue": res("AWS::SQS::Queue", SqsManagedSseEnabled=False),
        "SealedQueuePolicy": res("AWS::SQS::QueuePolicy", Queues=[{"Ref": "SealedQueue"}],
                                 PolicyDocument=from_topic(queue)),
        "OpenQueuePolicy": res("AWS::SQS::QueuePolicy", Queues=[{"Ref": "OpenQueue"}],
                               PolicyDocument=PUBLIC_SQS),
        "SealedTopic": res("AWS::SNS::Topic", KmsMasterKeyId="alias/topics"),
        "OpenTopic": res("AWS::SNS::Topic"),
        "SealedTopicPolicy": res("AWS::SNS::TopicPolicy", Topics=[{"Ref": "SealedTopic"}],
                                 PolicyDocument=owner_only("*")),
        "OpenTopicPolicy": res("AWS::SNS::TopicPolicy", Topics=[{"Ref": "OpenTopic"}],
                               PolicyDocument=PUBLIC_SNS),
        "RotatedSecret": res("AWS::SecretsManager::Secret", KmsKeyId="alias/secrets"),
        "StaticSecret": res("AWS::SecretsManager::Secret"),
        "YearlySecret": res("AWS::SecretsManager::Secret", KmsKeyId="alias/secrets"),
        "MonthlyRotation": res("AWS::SecretsManager::RotationSchedule",
                               SecretId={"Ref": "RotatedSecret"},
                               RotationRules={"AutomaticallyAfterDays": 30}),
        "YearlyRotation": res("AWS::SecretsManager::RotationSchedule",
                              SecretId={"Ref": "YearlySecret"},
                              RotationRules={"AutomaticallyAfterDays": 365}),
        "PinnedRepository": res("AWS::ECR::Repository", ImageTagMutability="IMMUTABLE",
                                ImageScanningConfiguration={"ScanOnPush": True},
                                LifecyclePolicy={"LifecyclePolicyText": ECR_LIFECYCLE}),
        "LooseRepository": res("AWS::ECR::Repository", ImageTagMutability="MUTABLE"),
        "BackedUpFiles": res("AWS::EFS::FileSystem", Encrypted=True,
                             BackupPolicy={"Status": "ENABLED"}),
        "LooseFiles": res("AWS::EFS::FileSystem"),
        "WatchingDetector": res("AWS::GuardDuty::Detector", Enable=True,
                                DataSources={"S3Logs": {"Enable": True}}),
        "SuspendedDetector": res("AWS::GuardDuty::Detector", Enable=False,
                                 DataSources={"S3Logs": {"Enable": False}}),
        "StrictBalancer": res("AWS::ElasticLoadBalancingV2::LoadBalancer",
                              Subnets=["subnet-a", "subnet-b"],
                              LoadBalancerAttributes=lb_attributes),
        "LaxBalancer": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Subnets=["subnet-a"]),
        "RedirectListener": res("AWS::ElasticLoadBalancingV2::Listener",
                                LoadBalancerArn={"Ref": "StrictBalancer"}, Protocol="HTTP",
                                Port=80, DefaultActions=REDIRECT),
        "PlainListener": res("AWS::ElasticLoadBalancingV2::Listener",
                             LoadBalancerArn={"Ref": "StrictBalancer"}, Protocol="HTTP",
                             Port=8080, DefaultActions=FIXED),
        "ModernTlsListener": res("AWS::ElasticLoadBalancingV2::Listener",
                                 LoadBalancerArn={"Ref": "StrictBalancer"}, Protocol="HTTPS",
                                 Port=443, SslPolicy=MODERN_TLS, DefaultActions=FIXED),
        "OldTlsListener": res("AWS::ElasticLoadBalancingV2::Listener",
                              LoadBalancerArn={"Ref": "StrictBalancer"}, Protocol="HTTPS",
                              Port=8443, SslPolicy=OLD_TLS, DefaultActions=FIXED),
        "AdminGroup": res("AWS::IAM::Group",
                          Policies=[{"PolicyName": "all", "PolicyDocument": ADMIN}]),
        "ReaderGroup": res("AWS::IAM::Group",
                           Policies=[{"PolicyName": "read", "PolicyDocument": READ_REPORTS}]),
        **more_service_resources(res),
    }  # fmt: skip


def more_service_resources(res: Any) -> dict[str, Any]:
    """EKS, Redshift, OpenSearch, RDS clusters, ECS, CloudFront, Classic ELB, EFS access
    points, DAX and HTTP API stages."""
    vpc = {"SubnetIds": ["subnet-1"]}
    warehouse = {
        "NodeType": "ra3.xlplus",
        "ClusterType": "single-node",
        "DBName": "sales",
        "MasterUsername": "owner",
        "MasterUserPassword": "x",
    }
    aurora = {"Engine": "aurora-mysql", "MasterUsername": "owner"}
    clb = {"Listeners": [{"LoadBalancerPort": "80", "InstancePort": "80", "Protocol": "HTTP"}]}
    return {
        "PrivateCluster": res("AWS::EKS::Cluster", RoleArn=EKS_ROLE,
                              ResourcesVpcConfig={**vpc, "EndpointPublicAccess": False}),
        "PublicCluster": res("AWS::EKS::Cluster", RoleArn=EKS_ROLE,
                             ResourcesVpcConfig={**vpc, "EndpointPublicAccess": True}),
        "SealedWarehouse": res("AWS::Redshift::Cluster", Encrypted=True, **warehouse),
        "OpenWarehouse": res("AWS::Redshift::Cluster", Encrypted=False, **warehouse),
        "SealedDomain": res("AWS::OpenSearchService::Domain",
                            EncryptionAtRestOptions={"Enabled": True}),
        "OpenDomain": res("AWS::OpenSearchService::Domain"),
        "KeptCluster": res("AWS::RDS::DBCluster", DeletionProtection=True, **aurora),
        "LooseCluster": res("AWS::RDS::DBCluster", **aurora),
        "PlainTask": res("AWS::ECS::TaskDefinition",
                         ContainerDefinitions=[{"Name": "app", "Image": "app"}]),
        "PrivilegedTask": res("AWS::ECS::TaskDefinition",
                              ContainerDefinitions=[{"Name": "app", "Image": "app",
                                                     "Privileged": True}]),
        "HttpsDistribution": res("AWS::CloudFront::Distribution",
                                 DistributionConfig=cloudfront_config("redirect-to-https")),
        "HttpDistribution": res("AWS::CloudFront::Distribution",
                                DistributionConfig=cloudfront_config("allow-all")),
        "CrossZoneClassic": res("AWS::ElasticLoadBalancing::LoadBalancer", CrossZone=True, **clb),
        "SingleZoneClassic": res("AWS::ElasticLoadBalancing::LoadBalancer", **clb),
        "ScopedAccessPoint": res("AWS::EFS::AccessPoint", FileSystemId={"Ref": "BackedUpFiles"},
                                 RootDirectory={"Path": "/app"}),
        "RootAccessPoint": res("AWS::EFS::AccessPoint", FileSystemId={"Ref": "BackedUpFiles"}),
        "TlsDax": res("AWS::DAX::Cluster", NodeType="dax.t3.small", ReplicationFactor=1,
                      IAMRoleARN=EKS_ROLE, ClusterEndpointEncryptionType="TLS"),
        "PlainDax": res("AWS::DAX::Cluster", NodeType="dax.t3.small", ReplicationFactor=1,
                        IAMRoleARN=EKS_ROLE),
        "LoggedHttpStage": res("AWS::ApiGatewayV2::Stage", ApiId="api", StageName="logged",
                               AccessLogSettings={"DestinationArn": LOG_GROUP}),
        "SilentHttpStage": res("AWS::ApiGatewayV2::Stage", ApiId="api", StageName="silent"),
    }  # fmt: skip


def cloudfront_config(viewer_policy: str) -> dict[str, Any]:
    """A distribution in front of one HTTPS-only custom origin."""
    origin = {
        "Id": "web",
        "DomainName": "web.example.com",
        "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"},
    }
    return {"Enabled": True, "Origins": [origin],
            "DefaultCacheBehavior": {"TargetOriginId": "web",
                                     "ViewerProtocolPolicy": viewer_policy,
                                     "CachePolicyId": CACHING_OPTIMIZED}}  # fmt: skip


def build_live_account() -> None:
    """The template's resources, made in moto with the APIs a console user would call."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(
        Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    s3.put_bucket_encryption(
        Bucket="versioned-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_public_access_block(Bucket="versioned-bucket", PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_policy(
        Bucket="versioned-bucket", Policy=json.dumps(deny_http("arn:aws:s3:::versioned-bucket"))
    )
    s3.create_bucket(Bucket="plain-bucket")
    s3.put_public_access_block(
        Bucket="plain-bucket",
        PublicAccessBlockConfiguration={**PAB_ON, "BlockPublicPolicy": False},
    )
    s3.create_bucket(Bucket="trail-logs")
    ec2 = boto3.client("ec2")
    for name, port in (("ssh", 22), ("web", 443)):
        group = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp="0.0.0.0/0"
        )
    for name, encrypted in (("sealed", True), ("open", False)):
        ec2.create_volume(
            AvailabilityZone="us-east-1a",
            Size=10,
            Encrypted=encrypted,
            TagSpecifications=[
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )
    kms = boto3.client("kms")
    for name in ("rotated", "stale"):
        key = kms.create_key(Description=name)["KeyMetadata"]["KeyId"]
        if name == "rotated":
            kms.enable_key_rotation(KeyId=key)
    trails = boto3.client("cloudtrail")
    for name, checked in (("checked", True), ("unchecked", False)):
        trails.create_trail(Name=name, S3BucketName="trail-logs", EnableLogFileValidation=checked)
        trails.start_logging(Name=name)
    rds = boto3.client("rds")
    for name, encrypted in (("sealed-db", True), ("open-db", False)):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="dbadmin",
            MasterUserPassword="correct-horse-battery",
            AllocatedStorage=20,
            StorageEncrypted=encrypted,
        )
    iam = boto3.client("iam")
    iam.create_role(RoleName="open-role", AssumeRolePolicyDocument=json.dumps(OPEN_TRUST))
    iam.create_role(RoleName="service-role", AssumeRolePolicyDocument=json.dumps(SERVICE_TRUST))
    build_live_services()


def build_live_services() -> None:
    """The resources of ``service_resources``, made in moto."""
    dynamodb = boto3.client("dynamodb")
    key = {"KeySchema": KEY_SCHEMA, "AttributeDefinitions": KEY_ATTRIBUTES}
    dynamodb.create_table(
        TableName="kept-table", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True, **key
    )
    dynamodb.update_continuous_backups(
        TableName="kept-table",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    dynamodb.create_table(TableName="loose-table", BillingMode="PAY_PER_REQUEST", **key)
    sqs = boto3.client("sqs")
    sealed_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:sealed-queue"
    sqs.create_queue(
        QueueName="sealed-queue",
        Attributes={"KmsMasterKeyId": "alias/queues", "Policy": json.dumps(from_topic(sealed_arn))},
    )
    sqs.create_queue(
        QueueName="open-queue",
        Attributes={"SqsManagedSseEnabled": "false", "Policy": json.dumps(PUBLIC_SQS)},
    )
    sns = boto3.client("sns")
    sns.create_topic(Name="sealed-topic", Attributes={"KmsMasterKeyId": "alias/topics"})
    sns.create_topic(Name="open-topic", Attributes={"Policy": json.dumps(PUBLIC_SNS)})
    secrets = boto3.client("secretsmanager")
    for name, key_id, days in (
        ("rotated-secret", "alias/secrets", 30),
        ("yearly-secret", "alias/secrets", 365),
        ("static-secret", None, None),
    ):
        secrets.create_secret(
            Name=name, SecretString="value", **({"KmsKeyId": key_id} if key_id else {})
        )
        if days:
            secrets.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": days})
    ecr = boto3.client("ecr")
    ecr.create_repository(
        repositoryName="pinned-repo",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )
    ecr.put_lifecycle_policy(repositoryName="pinned-repo", lifecyclePolicyText=ECR_LIFECYCLE)
    ecr.create_repository(repositoryName="loose-repo")
    efs = boto3.client("efs")
    efs.create_file_system(
        CreationToken="backed-up",
        Encrypted=True,
        Backup=True,
        Tags=[{"Key": "Name", "Value": "backed-up-files"}],
    )
    efs.create_file_system(CreationToken="loose", Tags=[{"Key": "Name", "Value": "loose-files"}])
    guardduty = boto3.client("guardduty")
    guardduty.create_detector(
        Enable=True, DataSources={"S3Logs": {"Enable": True}}, Tags={"Name": "watching"}
    )
    guardduty.create_detector(Enable=False, Tags={"Name": "suspended"})
    build_live_load_balancers()
    build_more_live_services()
    iam = boto3.client("iam")
    for name, document in (("admin-group", ADMIN), ("reader-group", READ_REPORTS)):
        iam.create_group(GroupName=name)
        iam.put_group_policy(GroupName=name, PolicyName="p", PolicyDocument=json.dumps(document))


def build_more_live_services() -> None:
    """The resources of ``more_service_resources``, made in moto."""
    eks = boto3.client("eks")
    for name, public in (("private-eks", False), ("public-eks", True)):
        eks.create_cluster(name=name, roleArn=EKS_ROLE, resourcesVpcConfig={
            "subnetIds": ["subnet-1"], "endpointPublicAccess": public})  # fmt: skip
    redshift = boto3.client("redshift")
    for name, encrypted in (("sealed-warehouse", True), ("open-warehouse", False)):
        redshift.create_cluster(ClusterIdentifier=name, NodeType="ra3.xlplus", DBName="sales",
                                MasterUsername="owner", MasterUserPassword="Correct-horse-1",
                                Encrypted=encrypted)  # fmt: skip
    search = boto3.client("opensearch")
    search.create_domain(DomainName="sealed-domain", EncryptionAtRestOptions={"Enabled": True})
    search.create_domain(DomainName="open-domain")
    rds = boto3.client("rds")
    for name, protected in (("kept-cluster", True), ("loose-cluster", False)):
        rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql",
                              MasterUsername="owner", MasterUserPassword="correct-horse-battery",
                              DeletionProtection=protected)  # fmt: skip
    ecs = boto3.client("ecs")
    for family, privileged in (("plain-task", False), ("privileged-task", True)):
        ecs.register_task_definition(family=family, containerDefinitions=[
            {"name": "app", "image": "app", "memory": 128, "privileged": privileged}])  # fmt: skip
    cloudfront = boto3.client("cloudfront")
    for name, viewer_policy in (("https-only", "redirect-to-https"), ("allow-http", "allow-all")):
        origin = {
            "Id": "web",
            "DomainName": "web.example.com",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
            },
        }
        cloudfront.create_distribution(DistributionConfig={
            "CallerReference": name, "Comment": name, "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "web",
                                     "ViewerProtocolPolicy": viewer_policy,
                                     "CachePolicyId": CACHING_OPTIMIZED}})  # fmt: skip
    elb = boto3.client("elb")
    listener = [{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}]
    for name, cross in (("cross-zone-clb", True), ("single-zone-clb", False)):
        elb.create_load_balancer(LoadBalancerName=name, Listeners=listener,
                                 AvailabilityZones=["us-east-1a"])  # fmt: skip
        elb.modify_load_balancer_attributes(LoadBalancerName=name, LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": cross}})  # fmt: skip
    efs = boto3.client("efs")
    system = efs.describe_file_systems()["FileSystems"][0]["FileSystemId"]
    efs.create_access_point(FileSystemId=system, RootDirectory={"Path": "/app"},
                            Tags=[{"Key": "Name", "Value": "scoped-ap"}])  # fmt: skip
    efs.create_access_point(FileSystemId=system, Tags=[{"Key": "Name", "Value": "root-ap"}])
    dax = boto3.client("dax")
    for name, tls in (("tls-dax", "TLS"), ("plain-dax", "NONE")):
        dax.create_cluster(ClusterName=name, NodeType="dax.t3.small", ReplicationFactor=1,
                           IamRoleArn=EKS_ROLE, ClusterEndpointEncryptionType=tls)  # fmt: skip
    http = boto3.client("apigatewayv2")
    api_id = http.create_api(Name="events", ProtocolType="HTTP")["ApiId"]
    access_log = {"DestinationArn": LOG_GROUP, "Format": "$context.requestId"}
    http.create_stage(ApiId=api_id, StageName="logged", AccessLogSettings=access_log)
    http.create_stage(ApiId=api_id, StageName="silent")


def build_live_load_balancers() -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    elb = boto3.client("elbv2")
    strict = elb.create_load_balancer(Name="strict-lb", Subnets=subnets)["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=strict, Attributes=[{"Key": k, "Value": v} for k, v in STRICT_LB.items()]
    )
    elb.create_load_balancer(Name="lax-lb", Subnets=subnets[:1])
    certificate = boto3.client("acm").request_certificate(DomainName="shop.example.com")[
        "CertificateArn"
    ]
    tls = {"Certificates": [{"CertificateArn": certificate}]}
    for port, protocol, actions, extra in (
        (80, "HTTP", REDIRECT, {}),
        (8080, "HTTP", FIXED, {}),
        (443, "HTTPS", FIXED, {"SslPolicy": MODERN_TLS, **tls}),
        (8443, "HTTPS", FIXED, {"SslPolicy": OLD_TLS, **tls}),
    ):
        elb.create_listener(
            LoadBalancerArn=strict, Protocol=protocol, Port=port, DefaultActions=actions, **extra
        )


def live_name(resource: Any) -> str:
    """Volumes and keys are known by the Name tag or description given above."""
    if resource.type == "AWS::EC2::Volume":
        return str(resource.origin.tags.get("Name"))
    if resource.type == "AWS::KMS::Key":
        return str(resource.properties.get("Description"))
    if resource.type == "AWS::EC2::SecurityGroup":
        return str(resource.properties.get("GroupName"))
    if resource.type == "AWS::CloudFront::Distribution":
        return str(resource.properties["DistributionConfig"].get("Comment"))
    if resource.type in (
        "AWS::EFS::FileSystem",
        "AWS::GuardDuty::Detector",
        "AWS::EFS::AccessPoint",
    ):
        return str(resource.origin.tags.get("Name"))
    if resource.type == "AWS::ElasticLoadBalancingV2::Listener":
        return f"port-{resource.properties.get('Port')}"
    return str(resource.origin.name)


@pytest.fixture(scope="module")
def verdicts(
    moto_server: str,
    access_analyzer: AccessAnalyzerStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[Any, str]]:
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=30).read()
    access_analyzer.reset()
    work = tmp_path_factory.mktemp("same-verdict")
    endpoints = {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ENDPOINT_URL_ACCESSANALYZER": access_analyzer.url,
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**FAKE_ENV, **endpoints}.items():
            patch.setenv(key, value)
        build_live_account()
        request = CollectRequest(regions=("us-east-1",), show_progress=False)
        snapshot = collect(request)
    assert snapshot["errors"] == []
    write_snapshot(snapshot, str(work / "snapshot.json"))
    (work / "template.json").write_text(json.dumps(template()))
    policies = compile_policies(builtin_policy_files(POLICIES), {}, frozenset(POLICIES))
    assert policies.diagnostics == ()
    result = run_scan(ScanRequest(paths=(str(work),), root=str(work)), policies)
    assert result.errors == ()
    found: dict[Any, str] = {}
    for finding in result.findings:
        live = finding.resource.live is not None
        name = live_name(finding.resource) if live else finding.resource.id
        found[(finding.policy.id, "live" if live else "template", name)] = finding.status.value
    yield found


@pytest.mark.parametrize(("policy", "template_id", "live", "expected"), PAIRS)
def test_template_and_live_resource_get_the_same_status(
    verdicts: dict[Any, str], policy: str, template_id: str, live: str, expected: str
) -> None:
    assert verdicts[(policy, "template", template_id)] == expected
    assert verdicts[(policy, "live", live)] == expected
