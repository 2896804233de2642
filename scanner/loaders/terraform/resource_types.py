"""Which Terraform resource types map to which CloudFormation types, argument by argument.

``TYPES``: a Terraform type -> the CloudFormation type and, per property policies read
(``A.B`` nests), the Terraform argument it comes from (``a.b``: argument ``b`` of the
first ``a`` block) and how its value converts. ``FOLDS``: Terraform types that configure
another resource (S3 bucket settings, security group rules) and the properties they set
on it. docs/terraform.md lists these tables; a test keeps them in step.
"""

from __future__ import annotations

from typing import Any

from scanner.loaders.terraform.canonical import (
    Converter,
    FoldMap,
    Mapped,
    Prop,
    TypeMap,
    each,
    enabled_status,
    fields,
    json_document,
    pairs,
    table,
)
from scanner.model import Path, is_opaque

TAGS = Prop("tags", pairs("Value"))

_CANNED_ACLS = table(
    {
        "private": "Private",
        "public-read": "PublicRead",
        "public-read-write": "PublicReadWrite",
        "authenticated-read": "AuthenticatedRead",
        "aws-exec-read": "AwsExecRead",
        "bucket-owner-read": "BucketOwnerRead",
        "bucket-owner-full-control": "BucketOwnerFullControl",
        "log-delivery-write": "LogDeliveryWrite",
    }
)

_SSE_RULES = Prop(
    "rule",
    each(
        fields(
            {
                "ServerSideEncryptionByDefault.SSEAlgorithm": (
                    "apply_server_side_encryption_by_default.sse_algorithm"
                ),
                "ServerSideEncryptionByDefault.KMSMasterKeyID": (
                    "apply_server_side_encryption_by_default.kms_master_key_id"
                ),
                "BucketKeyEnabled": "bucket_key_enabled",
            }
        )
    ),
)

_LIFECYCLE_RULE: dict[str, Prop | str] = {
    "Id": "id",
    "Status": "status",
    "Prefix": "prefix",
    "ExpirationInDays": "expiration.days",
    "NoncurrentVersionExpiration.NoncurrentDays": "noncurrent_version_expiration.noncurrent_days",
    "AbortIncompleteMultipartUpload.DaysAfterInitiation": (
        "abort_incomplete_multipart_upload.days_after_initiation"
    ),
}
_INLINE_LIFECYCLE_RULE: dict[str, Prop | str] = {
    **_LIFECYCLE_RULE,
    "Status": Prop("enabled", enabled_status),
    "AbortIncompleteMultipartUpload.DaysAfterInitiation": (
        "abort_incomplete_multipart_upload_days"
    ),
}


def _protocol(value: Any) -> Any:
    if value in ("all", -1, "-1"):
        return "-1"
    return str(value) if isinstance(value, int) else value


def sg_rules(value: Any, path: Path) -> Any:
    """``ingress``/``egress`` blocks as CloudFormation rules: one per CIDR block."""
    if type(value) is not list:
        return value
    out = Mapped([])
    for index, block in enumerate(value):
        if type(block) is not dict:
            continue
        _rule(block, (*path, index), out)
    return out


def _rule(block: dict[str, Any], at: Path, out: Mapped) -> None:
    base = {
        "IpProtocol": _protocol(block.get("protocol")),
        "FromPort": block.get("from_port"),
        "ToPort": block.get("to_port"),
    }
    where_base = {"IpProtocol": "protocol", "FromPort": "from_port", "ToPort": "to_port"}
    if block.get("description") is not None:
        base["Description"] = block["description"]
    sources: list[tuple[str, Any, Path]] = []
    for argument, prop in (
        ("cidr_blocks", "CidrIp"),
        ("ipv6_cidr_blocks", "CidrIpv6"),
        ("security_groups", "SourceSecurityGroupId"),
        ("prefix_list_ids", "SourcePrefixListId"),
    ):
        items = block.get(argument)
        if is_opaque(items):
            sources.append((prop, items, (*at, argument)))
        elif type(items) is list:
            sources.extend((prop, item, (*at, argument, n)) for n, item in enumerate(items))
    if block.get("self") is True:
        sources.append(("SourceSecurityGroupId", "self", (*at, "self")))
    for prop, item, item_at in sources or [("", None, at)]:
        rule = {k: v for k, v in base.items() if v is not None}
        index = len(out.value)
        for key, argument in where_base.items():
            out.where[(index, key)] = (*at, argument)
        if prop:
            rule[prop] = item
            out.where[(index, prop)] = item_at
        out.where[(index,)] = at
        out.value.append(rule)


def standalone_rule(renames: dict[str, str]) -> Converter:
    """A rule resource read whole (``aws_security_group_rule``,
    ``aws_vpc_security_group_ingress_rule``) as a one-rule list: ``renames`` maps the
    block argument each of its own arguments stands for (a single CIDR for a list)."""

    def run(config: Any, path: Path) -> Any:
        if type(config) is not dict:
            return config
        block = dict(config)
        for own, argument in renames.items():
            if own in config:
                value = config[own]
                block[argument] = [value] if argument.endswith(("_blocks", "_groups")) else value
        out = Mapped([])
        _rule(block, (), out)
        back = {argument: own for own, argument in renames.items()}
        for key, where in out.where.items():
            if where and where[0] in back:
                out.where[key] = (back[str(where[0])],)
        return out

    return run


_RULE_RENAMES = {"source_security_group_id": "security_groups"}
_VPC_RULE_RENAMES = {
    "ip_protocol": "protocol",
    "cidr_ipv4": "cidr_blocks",
    "cidr_ipv6": "ipv6_cidr_blocks",
    "referenced_security_group_id": "security_groups",
    "prefix_list_id": "prefix_list_ids",
}

TYPES: dict[str, TypeMap] = {
    "aws_s3_bucket": TypeMap(
        "AWS::S3::Bucket",
        {
            "BucketName": "bucket",
            "AccessControl": Prop("acl", _CANNED_ACLS),
            "VersioningConfiguration.Status": Prop("versioning.enabled", enabled_status),
            "LoggingConfiguration.DestinationBucketName": "logging.target_bucket",
            "LoggingConfiguration.LogFilePrefix": "logging.target_prefix",
            "BucketEncryption.ServerSideEncryptionConfiguration": Prop(
                "server_side_encryption_configuration.rule", _SSE_RULES.convert
            ),
            "LifecycleConfiguration.Rules": Prop(
                "lifecycle_rule", each(fields(_INLINE_LIFECYCLE_RULE))
            ),
            "Tags": TAGS,
        },
    ),
    "aws_s3_bucket_policy": TypeMap(
        "AWS::S3::BucketPolicy",
        {"Bucket": "bucket", "PolicyDocument": Prop("policy", json_document)},
    ),
    "aws_security_group": TypeMap(
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": "name",
            "GroupDescription": "description",
            "VpcId": "vpc_id",
            "SecurityGroupIngress": Prop("ingress", sg_rules),
            "SecurityGroupEgress": Prop("egress", sg_rules),
            "Tags": TAGS,
        },
    ),
    "aws_default_security_group": TypeMap(
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": Prop("name", default="default"),
            "VpcId": "vpc_id",
            "SecurityGroupIngress": Prop("ingress", sg_rules),
            "SecurityGroupEgress": Prop("egress", sg_rules),
        },
    ),
    "aws_db_instance": TypeMap(
        "AWS::RDS::DBInstance",
        {
            "DBInstanceIdentifier": "identifier",
            "DBInstanceClass": "instance_class",
            "Engine": "engine",
            "EngineVersion": "engine_version",
            "MasterUsername": "username",
            "MasterUserPassword": "password",
            "PubliclyAccessible": "publicly_accessible",
            "StorageEncrypted": "storage_encrypted",
            "KmsKeyId": "kms_key_id",
            "MultiAZ": "multi_az",
            "BackupRetentionPeriod": "backup_retention_period",
            "DeletionProtection": "deletion_protection",
            "CopyTagsToSnapshot": "copy_tags_to_snapshot",
            "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
            "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
            "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
            "MonitoringInterval": "monitoring_interval",
            "EnablePerformanceInsights": "performance_insights_enabled",
            "DBClusterIdentifier": "cluster_identifier",
            "SourceDBInstanceIdentifier": "replicate_source_db",
            "DBSnapshotIdentifier": "snapshot_identifier",
            "Port": "port",
            "Tags": TAGS,
        },
    ),
    "aws_rds_cluster": TypeMap(
        "AWS::RDS::DBCluster",
        {
            "DBClusterIdentifier": "cluster_identifier",
            "Engine": "engine",
            "MasterUsername": "master_username",
            "StorageEncrypted": "storage_encrypted",
            "KmsKeyId": "kms_key_id",
            "BackupRetentionPeriod": "backup_retention_period",
            "DeletionProtection": "deletion_protection",
            "CopyTagsToSnapshot": "copy_tags_to_snapshot",
            "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
            "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
            "Tags": TAGS,
        },
    ),
    "aws_ebs_volume": TypeMap(
        "AWS::EC2::Volume",
        {
            "Encrypted": "encrypted",
            "KmsKeyId": "kms_key_id",
            "SnapshotId": "snapshot_id",
            "Size": "size",
            "AvailabilityZone": "availability_zone",
            "Tags": TAGS,
        },
    ),
    "aws_instance": TypeMap(
        "AWS::EC2::Instance",
        {
            "ImageId": "ami",
            "InstanceType": "instance_type",
            "IamInstanceProfile": "iam_instance_profile",
            "SubnetId": "subnet_id",
            "MetadataOptions.HttpTokens": "metadata_options.http_tokens",
            "MetadataOptions.HttpEndpoint": "metadata_options.http_endpoint",
            "Monitoring": "monitoring",
            "EbsOptimized": "ebs_optimized",
            "Tags": TAGS,
        },
    ),
    "aws_launch_template": TypeMap(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateName": "name",
            "LaunchTemplateData.MetadataOptions.HttpTokens": "metadata_options.http_tokens",
            "LaunchTemplateData.MetadataOptions.HttpEndpoint": "metadata_options.http_endpoint",
            "LaunchTemplateData.NetworkInterfaces": Prop(
                "network_interfaces",
                each(fields({"AssociatePublicIpAddress": "associate_public_ip_address"})),
            ),
        },
    ),
    "aws_subnet": TypeMap(
        "AWS::EC2::Subnet",
        {
            "VpcId": "vpc_id",
            "CidrBlock": "cidr_block",
            "MapPublicIpOnLaunch": "map_public_ip_on_launch",
        },
    ),
    "aws_vpc": TypeMap("AWS::EC2::VPC", {"CidrBlock": "cidr_block", "Tags": TAGS}),
    "aws_flow_log": TypeMap(
        "AWS::EC2::FlowLog",
        {
            "ResourceId": "vpc_id",
            "TrafficType": "traffic_type",
            "ResourceType": Prop("vpc_id", lambda v, p: "VPC"),
        },
    ),
    "aws_kms_key": TypeMap(
        "AWS::KMS::Key",
        {
            "Description": "description",
            "EnableKeyRotation": "enable_key_rotation",
            "KeySpec": "customer_master_key_spec",
            "KeyUsage": "key_usage",
            "Enabled": "is_enabled",
            "MultiRegion": "multi_region",
            "PendingWindowInDays": "deletion_window_in_days",
            "KeyPolicy": Prop("policy", json_document),
            "Tags": TAGS,
        },
    ),
    "aws_cloudtrail": TypeMap(
        "AWS::CloudTrail::Trail",
        {
            "TrailName": "name",
            "S3BucketName": "s3_bucket_name",
            "IsLogging": Prop("enable_logging", default=True),
            "IsMultiRegionTrail": "is_multi_region_trail",
            "EnableLogFileValidation": "enable_log_file_validation",
            "IncludeGlobalServiceEvents": "include_global_service_events",
            "KMSKeyId": "kms_key_id",
            "CloudWatchLogsLogGroupArn": "cloud_watch_logs_group_arn",
            "CloudWatchLogsRoleArn": "cloud_watch_logs_role_arn",
            "SnsTopicName": "sns_topic_name",
            "EventSelectors": Prop(
                "event_selector",
                each(
                    fields(
                        {
                            "ReadWriteType": "read_write_type",
                            "IncludeManagementEvents": "include_management_events",
                            "DataResources": Prop(
                                "data_resource",
                                each(fields({"Type": "type", "Values": "values"})),
                            ),
                        }
                    )
                ),
            ),
            "Tags": TAGS,
        },
    ),
    "aws_dynamodb_table": TypeMap(
        "AWS::DynamoDB::Table",
        {
            "TableName": "name",
            "BillingMode": "billing_mode",
            "DeletionProtectionEnabled": "deletion_protection_enabled",
            "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled": (
                "point_in_time_recovery.enabled"
            ),
            "SSESpecification.SSEEnabled": "server_side_encryption.enabled",
            "SSESpecification.KMSMasterKeyId": "server_side_encryption.kms_key_arn",
            "Tags": TAGS,
        },
    ),
    "aws_sqs_queue": TypeMap(
        "AWS::SQS::Queue",
        {
            "QueueName": "name",
            "SqsManagedSseEnabled": "sqs_managed_sse_enabled",
            "KmsMasterKeyId": "kms_master_key_id",
            "Tags": TAGS,
        },
    ),
    "aws_sns_topic": TypeMap(
        "AWS::SNS::Topic",
        {"TopicName": "name", "KmsMasterKeyId": "kms_master_key_id", "Tags": TAGS},
    ),
    "aws_lambda_function": TypeMap(
        "AWS::Lambda::Function",
        {
            "FunctionName": "function_name",
            "Runtime": "runtime",
            "Handler": "handler",
            "Role": "role",
            "KmsKeyArn": "kms_key_arn",
            "ReservedConcurrentExecutions": "reserved_concurrent_executions",
            "VpcConfig.SubnetIds": "vpc_config.subnet_ids",
            "VpcConfig.SecurityGroupIds": "vpc_config.security_group_ids",
            "TracingConfig.Mode": "tracing_config.mode",
            "DeadLetterConfig.TargetArn": "dead_letter_config.target_arn",
            "Environment.Variables": "environment.variables",
            "Tags": TAGS,
        },
    ),
    "aws_iam_role": TypeMap(
        "AWS::IAM::Role",
        {
            "RoleName": "name",
            "Path": "path",
            "AssumeRolePolicyDocument": Prop("assume_role_policy", json_document),
            "ManagedPolicyArns": "managed_policy_arns",
            "PermissionsBoundary": "permissions_boundary",
            "MaxSessionDuration": "max_session_duration",
            "Policies": Prop(
                "inline_policy",
                each(
                    fields({"PolicyName": "name", "PolicyDocument": Prop("policy", json_document)})
                ),
            ),
            "Tags": TAGS,
        },
    ),
    "aws_iam_policy": TypeMap(
        "AWS::IAM::ManagedPolicy",
        {
            "ManagedPolicyName": "name",
            "Path": "path",
            "PolicyDocument": Prop("policy", json_document),
        },
    ),
    "aws_iam_role_policy": TypeMap(
        "AWS::IAM::RolePolicy",
        {"PolicyName": "name", "RoleName": "role", "PolicyDocument": Prop("policy", json_document)},
    ),
    "aws_iam_user": TypeMap(
        "AWS::IAM::User",
        {
            "UserName": "name",
            "Path": "path",
            "PermissionsBoundary": "permissions_boundary",
            "Tags": TAGS,
        },
    ),
    "aws_iam_user_policy": TypeMap(
        "AWS::IAM::UserPolicy",
        {"PolicyName": "name", "UserName": "user", "PolicyDocument": Prop("policy", json_document)},
    ),
    "aws_iam_group": TypeMap("AWS::IAM::Group", {"GroupName": "name", "Path": "path"}),
    "aws_iam_group_policy": TypeMap(
        "AWS::IAM::GroupPolicy",
        {
            "PolicyName": "name",
            "GroupName": "group",
            "PolicyDocument": Prop("policy", json_document),
        },
    ),
    "aws_iam_access_key": TypeMap("AWS::IAM::AccessKey", {"UserName": "user", "Status": "status"}),
    "aws_ecr_repository": TypeMap(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "name",
            "ImageTagMutability": "image_tag_mutability",
            "ImageScanningConfiguration.ScanOnPush": "image_scanning_configuration.scan_on_push",
            "EncryptionConfiguration.EncryptionType": "encryption_configuration.encryption_type",
            "EncryptionConfiguration.KmsKey": "encryption_configuration.kms_key",
            "Tags": TAGS,
        },
    ),
    "aws_cloudwatch_log_group": TypeMap(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "name", "RetentionInDays": "retention_in_days", "KmsKeyId": "kms_key_id"},
    ),
    "aws_efs_file_system": TypeMap(
        "AWS::EFS::FileSystem",
        {"Encrypted": "encrypted", "KmsKeyId": "kms_key_id"},
    ),
    "aws_secretsmanager_secret": TypeMap(
        "AWS::SecretsManager::Secret",
        {"Name": "name", "KmsKeyId": "kms_key_id", "Description": "description"},
    ),
    "aws_guardduty_detector": TypeMap("AWS::GuardDuty::Detector", {"Enable": "enable"}),
    "aws_api_gateway_stage": TypeMap(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "stage_name",
            "TracingEnabled": "xray_tracing_enabled",
            "ClientCertificateId": "client_certificate_id",
            "AccessLogSetting.DestinationArn": "access_log_settings.destination_arn",
            "AccessLogSetting.Format": "access_log_settings.format",
        },
    ),
}

FOLDS: dict[str, FoldMap] = {
    "aws_s3_bucket_versioning": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {"VersioningConfiguration.Status": "versioning_configuration.status"},
    ),
    "aws_s3_bucket_public_access_block": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {
            "PublicAccessBlockConfiguration.BlockPublicAcls": "block_public_acls",
            "PublicAccessBlockConfiguration.BlockPublicPolicy": "block_public_policy",
            "PublicAccessBlockConfiguration.IgnorePublicAcls": "ignore_public_acls",
            "PublicAccessBlockConfiguration.RestrictPublicBuckets": "restrict_public_buckets",
        },
    ),
    "aws_s3_bucket_server_side_encryption_configuration": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {"BucketEncryption.ServerSideEncryptionConfiguration": _SSE_RULES},
    ),
    "aws_s3_bucket_logging": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {
            "LoggingConfiguration.DestinationBucketName": "target_bucket",
            "LoggingConfiguration.LogFilePrefix": "target_prefix",
        },
    ),
    "aws_s3_bucket_acl": FoldMap(
        "aws_s3_bucket", "bucket", {"AccessControl": Prop("acl", _CANNED_ACLS)}
    ),
    "aws_s3_bucket_ownership_controls": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {
            "OwnershipControls.Rules": Prop(
                "rule", each(fields({"ObjectOwnership": "object_ownership"}))
            )
        },
    ),
    "aws_s3_bucket_lifecycle_configuration": FoldMap(
        "aws_s3_bucket",
        "bucket",
        {"LifecycleConfiguration.Rules": Prop("rule", each(fields(_LIFECYCLE_RULE)))},
    ),
    "aws_security_group_rule": FoldMap(
        "aws_security_group",
        "security_group_id",
        {"SecurityGroupIngress": Prop("", standalone_rule(_RULE_RENAMES))},
        append=True,
        match=lambda config: config.get("type") == "ingress",
    ),
    "aws_vpc_security_group_ingress_rule": FoldMap(
        "aws_security_group",
        "security_group_id",
        {"SecurityGroupIngress": Prop("", standalone_rule(_VPC_RULE_RENAMES))},
        append=True,
    ),
}
