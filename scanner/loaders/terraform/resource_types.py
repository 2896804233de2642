"""Which Terraform resource types map to which CloudFormation types, argument by argument.

``TYPES``: a Terraform type -> the CloudFormation type and, per property policies read
(``A.B`` nests), the Terraform argument it comes from (``a.b``: argument ``b`` of the
first ``a`` block) and how its value converts. ``FOLDS``: Terraform types that configure
another resource (S3 bucket settings, security group rules) and the properties they set
on it. docs/terraform.md lists these tables; a test keeps them in step.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.loaders.terraform.canonical import (
    Converter,
    Entry,
    FoldMap,
    Mapped,
    Prop,
    TypeMap,
    each,
    enabled_status,
    fields,
    first,
    json_document,
    json_objects,
    keyed,
    pairs,
    table,
    text_bool,
)
from scanner.loaders.terraform.expressions import JsonText
from scanner.model import Path, Unknown, is_opaque

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


# --- more services ----------------------------------------------------------------------


def lb_attributes(config: Any, path: Path) -> Any:
    """``aws_lb`` arguments as the ``LoadBalancerAttributes`` key/value list."""
    if type(config) is not dict:
        return config
    out = Mapped([])
    logs = config.get("access_logs")
    log = logs[0] if type(logs) is list and logs and type(logs[0]) is dict else {}
    for key, value, where in (
        (
            "deletion_protection.enabled",
            config.get("enable_deletion_protection"),
            ("enable_deletion_protection",),
        ),
        (
            "routing.http.drop_invalid_header_fields.enabled",
            config.get("drop_invalid_header_fields"),
            ("drop_invalid_header_fields",),
        ),
        (
            "routing.http.desync_mitigation_mode",
            config.get("desync_mitigation_mode"),
            ("desync_mitigation_mode",),
        ),
        (
            "access_logs.s3.enabled",
            log.get("enabled", True if log else None),
            ("access_logs", 0, "enabled"),
        ),
        ("access_logs.s3.bucket", log.get("bucket"), ("access_logs", 0, "bucket")),
    ):
        if value is None:
            continue
        out.where[(len(out.value),)] = where
        out.where[(len(out.value), "Value")] = where
        out.value.append({"Key": key, "Value": text_bool(value, where)})
    return out


def block_devices(config: Any, path: Path) -> Any:
    """``root_block_device`` and ``ebs_block_device`` blocks as ``BlockDeviceMappings``."""
    if type(config) is not dict:
        return config
    out = Mapped([])
    for argument in ("root_block_device", "ebs_block_device"):
        blocks = config.get(argument)
        for index, block in enumerate(blocks if type(blocks) is list else ()):
            if type(block) is not dict:
                continue
            at = (argument, index)
            n = len(out.value)
            out.where[(n,)] = at
            out.where[(n, "Ebs", "Encrypted")] = (*at, "encrypted") if "encrypted" in block else at
            device = block.get("device_name", "root")
            out.value.append(
                {"DeviceName": device, "Ebs": {"Encrypted": block.get("encrypted", False)}}
            )
    return out or None


def log_types(value: Any, path: Path) -> Any:
    if type(value) is not list:
        return value
    return Mapped([{"Type": t} for t in value], {(i,): (*path, i) for i in range(len(value))})


def assign_public_ip(value: Any, path: Path) -> Any:
    return ("ENABLED" if value else "DISABLED") if type(value) is bool else value


def _method_settings(config: Any, path: Path) -> Any:
    """``aws_api_gateway_method_settings`` as one ``MethodSettings`` entry."""
    if type(config) is not dict:
        return config
    settings = config.get("settings")
    block = settings[0] if type(settings) is list and settings and type(settings[0]) is dict else {}
    method = config.get("method_path")
    resource, _, verb = method.rpartition("/") if isinstance(method, str) else ("", "", method)
    entry = {
        "ResourcePath": "/" + resource.lstrip("/") if resource != "*" else "/*",
        "HttpMethod": verb,
        "LoggingLevel": block.get("logging_level"),
        "MetricsEnabled": block.get("metrics_enabled"),
        "CachingEnabled": block.get("caching_enabled"),
        "CacheDataEncrypted": block.get("cache_data_encrypted"),
    }
    where: dict[Path, Path] = {(0,): ("settings", 0) if block else ()}
    for prop, argument in (
        ("LoggingLevel", "logging_level"),
        ("MetricsEnabled", "metrics_enabled"),
        ("CachingEnabled", "caching_enabled"),
        ("CacheDataEncrypted", "cache_data_encrypted"),
    ):
        if argument in block:
            where[(0, prop)] = ("settings", 0, argument)
    return Mapped([{k: v for k, v in entry.items() if v is not None}], where)


_DOMAIN_PROPS: dict[str, Prop | str] = {
    "DomainName": "domain_name",
    "EncryptionAtRestOptions.Enabled": "encrypt_at_rest.enabled",
    "NodeToNodeEncryptionOptions.Enabled": "node_to_node_encryption.enabled",
    "VPCOptions.SubnetIds": "vpc_options.subnet_ids",
    "DomainEndpointOptions.EnforceHTTPS": "domain_endpoint_options.enforce_https",
    "DomainEndpointOptions.TLSSecurityPolicy": "domain_endpoint_options.tls_security_policy",
    "AdvancedSecurityOptions.Enabled": "advanced_security_options.enabled",
    "LogPublishingOptions": Prop(
        "log_publishing_options",
        keyed(
            "log_type",
            {
                "CloudWatchLogsLogGroupArn": "cloudwatch_log_group_arn",
                "Enabled": Prop("enabled", default=True),
            },
        ),
    ),
}
_CLUSTER_CONFIG: dict[str, Prop | str] = {
    "InstanceCount": "instance_count",
    "ZoneAwarenessEnabled": "zone_awareness_enabled",
    "DedicatedMasterEnabled": "dedicated_master_enabled",
    "DedicatedMasterCount": "dedicated_master_count",
}
_CLASSIC_LISTENER: dict[str, Prop | str] = {
    "Protocol": "lb_protocol",
    "LoadBalancerPort": "lb_port",
    "InstancePort": "instance_port",
    "InstanceProtocol": "instance_protocol",
    "SSLCertificateId": "ssl_certificate_id",
}
_LISTENER: dict[str, Prop | str] = {
    "Protocol": "protocol",
    "Port": "port",
    "SslPolicy": "ssl_policy",
    "DefaultActions": Prop(
        "default_action",
        each(fields({"Type": "type", "RedirectConfig.Protocol": "redirect.protocol"})),
    ),
}
_ECS_NETWORK: dict[str, Prop | str] = {
    "LaunchType": "launch_type",
    "PlatformVersion": "platform_version",
    "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp": Prop(
        "network_configuration.assign_public_ip", assign_public_ip
    ),
}
_POLICY_DOCUMENT = Prop("policy", json_document)
_S3_ORIGIN_CONFIG = first(fields({"OriginAccessIdentity": "origin_access_identity"}))


def s3_origin(origin: Any, path: Path) -> Any:
    """An origin's ``S3OriginConfig``. The AWS provider sends CloudFront an empty one for
    an origin that has neither ``custom_origin_config`` nor ``vpc_origin_config`` (the API
    needs one of them), so such an origin is an S3 origin, as in the provider's own
    example of origin access control (``domain_name`` and ``origin_access_control_id``
    only)."""
    if type(origin) is not dict:
        return origin
    config = origin.get("s3_origin_config")
    if config is not None:
        return _S3_ORIGIN_CONFIG(config, (*path, "s3_origin_config"))
    for other in ("custom_origin_config", "vpc_origin_config"):
        if is_opaque(origin.get(other)):
            return origin[other]
        if origin.get(other) not in (None, []):
            return None
    return {"OriginAccessIdentity": ""}


TYPES.update(
    {
        "aws_cloudfront_distribution": TypeMap(
            "AWS::CloudFront::Distribution",
            {
                "DistributionConfig.Enabled": "enabled",
                "DistributionConfig.DefaultRootObject": "default_root_object",
                "DistributionConfig.WebACLId": "web_acl_id",
                "DistributionConfig.Logging.Bucket": "logging_config.bucket",
                "DistributionConfig.ViewerCertificate": Prop(
                    "viewer_certificate",
                    first(
                        fields(
                            {
                                "AcmCertificateArn": "acm_certificate_arn",
                                "IamCertificateId": "iam_certificate_id",
                                "CloudFrontDefaultCertificate": "cloudfront_default_certificate",
                                "SslSupportMethod": "ssl_support_method",
                                "MinimumProtocolVersion": "minimum_protocol_version",
                            }
                        )
                    ),
                ),
                "DistributionConfig.DefaultCacheBehavior": Prop(
                    "default_cache_behavior",
                    first(
                        fields(
                            {
                                "TargetOriginId": "target_origin_id",
                                "ViewerProtocolPolicy": "viewer_protocol_policy",
                            }
                        )
                    ),
                ),
                "DistributionConfig.CacheBehaviors": Prop(
                    "ordered_cache_behavior",
                    each(
                        fields(
                            {
                                "PathPattern": "path_pattern",
                                "TargetOriginId": "target_origin_id",
                                "ViewerProtocolPolicy": "viewer_protocol_policy",
                            }
                        )
                    ),
                ),
                "DistributionConfig.Origins": Prop(
                    "origin",
                    each(
                        fields(
                            {
                                "Id": "origin_id",
                                "DomainName": "domain_name",
                                "OriginAccessControlId": "origin_access_control_id",
                                "S3OriginConfig": Prop("", s3_origin),
                                "CustomOriginConfig": Prop(
                                    "custom_origin_config",
                                    first(
                                        fields(
                                            {
                                                "OriginProtocolPolicy": "origin_protocol_policy",
                                                "OriginSSLProtocols": "origin_ssl_protocols",
                                                "HTTPPort": "http_port",
                                                "HTTPSPort": "https_port",
                                            }
                                        )
                                    ),
                                ),
                            }
                        )
                    ),
                ),
                "DistributionConfig.OriginGroups.Items": Prop(
                    "origin_group",
                    each(
                        fields(
                            {
                                "Id": "origin_id",
                                "Members.Items": Prop(
                                    "member", each(fields({"OriginId": "origin_id"}))
                                ),
                            }
                        )
                    ),
                ),
                "Tags": TAGS,
            },
        ),
        "aws_opensearch_domain": TypeMap(
            "AWS::OpenSearchService::Domain",
            {
                **_DOMAIN_PROPS,
                "EngineVersion": "engine_version",
                "ClusterConfig": Prop("cluster_config", first(fields(_CLUSTER_CONFIG))),
            },
        ),
        "aws_elasticsearch_domain": TypeMap(
            "AWS::Elasticsearch::Domain",
            {
                **_DOMAIN_PROPS,
                "ElasticsearchVersion": "elasticsearch_version",
                "ElasticsearchClusterConfig": Prop(
                    "cluster_config", first(fields(_CLUSTER_CONFIG))
                ),
            },
        ),
        "aws_redshift_cluster": TypeMap(
            "AWS::Redshift::Cluster",
            {
                "ClusterIdentifier": "cluster_identifier",
                "DBName": "database_name",
                "MasterUsername": "master_username",
                "MasterUserPassword": "master_password",
                "PubliclyAccessible": "publicly_accessible",
                "Encrypted": "encrypted",
                "KmsKeyId": "kms_key_id",
                "AllowVersionUpgrade": "allow_version_upgrade",
                "EnhancedVpcRouting": "enhanced_vpc_routing",
                "AutomatedSnapshotRetentionPeriod": "automated_snapshot_retention_period",
                "MultiAZ": "multi_az",
                "ClusterParameterGroupName": "cluster_parameter_group_name",
                "LoggingProperties.BucketName": "logging.bucket_name",
                "LoggingProperties.LogDestinationType": "logging.log_destination_type",
                "Tags": TAGS,
            },
        ),
        "aws_redshift_parameter_group": TypeMap(
            "AWS::Redshift::ClusterParameterGroup",
            {
                "ParameterGroupName": "name",
                "ParameterGroupFamily": "family",
                "Parameters": Prop(
                    "parameter",
                    each(fields({"ParameterName": "name", "ParameterValue": "value"})),
                ),
            },
        ),
        "aws_lb": TypeMap(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            {
                "Name": "name",
                "Type": Prop("load_balancer_type", default="application"),
                "Scheme": Prop(
                    "internal",
                    lambda v, p: (
                        "internal" if v is True else v if v is not False else "internet-facing"
                    ),
                ),
                "Subnets": "subnets",
                "SubnetMappings": Prop("subnet_mapping", each(fields({"SubnetId": "subnet_id"}))),
                "LoadBalancerAttributes": Prop("", lb_attributes),
                "Tags": TAGS,
            },
        ),
        "aws_lb_listener": TypeMap("AWS::ElasticLoadBalancingV2::Listener", _LISTENER),
        "aws_elb": TypeMap(
            "AWS::ElasticLoadBalancing::LoadBalancer",
            {
                "LoadBalancerName": "name",
                "Listeners": Prop("listener", each(fields(_CLASSIC_LISTENER))),
                "CrossZone": Prop("cross_zone_load_balancing", default=True),
                "ConnectionDrainingPolicy.Enabled": Prop("connection_draining", default=False),
                "AccessLoggingPolicy": Prop(
                    "access_logs",
                    first(
                        fields(
                            {
                                "Enabled": Prop("enabled", default=True),
                                "S3BucketName": "bucket",
                            }
                        )
                    ),
                ),
                "AvailabilityZones": "availability_zones",
                "Subnets": "subnets",
                "Tags": TAGS,
            },
        ),
        "aws_ecs_task_definition": TypeMap(
            "AWS::ECS::TaskDefinition",
            {
                "Family": "family",
                "ContainerDefinitions": Prop("container_definitions", json_objects),
                "NetworkMode": "network_mode",
                "PidMode": "pid_mode",
                "RequiresCompatibilities": "requires_compatibilities",
                "ExecutionRoleArn": "execution_role_arn",
                "TaskRoleArn": "task_role_arn",
            },
        ),
        "aws_ecs_service": TypeMap("AWS::ECS::Service", {"ServiceName": "name", **_ECS_NETWORK}),
        "aws_ecs_task_set": TypeMap(
            "AWS::ECS::TaskSet",  # a task set's schema spells it AwsVpcConfiguration
            {
                "NetworkConfiguration.AwsVpcConfiguration.AssignPublicIp"
                if k.endswith("AssignPublicIp")
                else k: v
                for k, v in _ECS_NETWORK.items()
            },
        ),
        "aws_ecs_cluster": TypeMap(
            "AWS::ECS::Cluster",
            {
                "ClusterName": "name",
                "ClusterSettings": Prop(
                    "setting", each(fields({"Name": "name", "Value": "value"}))
                ),
            },
        ),
        "aws_eks_cluster": TypeMap(
            "AWS::EKS::Cluster",
            {
                "Name": "name",
                "Version": "version",
                "RoleArn": "role_arn",
                "ResourcesVpcConfig.EndpointPublicAccess": Prop(
                    "vpc_config.endpoint_public_access", default=True
                ),
                "ResourcesVpcConfig.EndpointPrivateAccess": "vpc_config.endpoint_private_access",
                "ResourcesVpcConfig.SubnetIds": "vpc_config.subnet_ids",
                "Logging.ClusterLogging.EnabledTypes": Prop("enabled_cluster_log_types", log_types),
                "EncryptionConfig": Prop(
                    "encryption_config",
                    each(fields({"Resources": "resources", "Provider.KeyArn": "provider.key_arn"})),
                ),
            },
        ),
        "aws_api_gateway_deployment": TypeMap(
            "AWS::ApiGateway::Deployment", {"RestApiId": "rest_api_id", "StageName": "stage_name"}
        ),
        "aws_apigatewayv2_route": TypeMap(
            "AWS::ApiGatewayV2::Route",
            {
                "ApiId": "api_id",
                "RouteKey": "route_key",
                "AuthorizationType": "authorization_type",
                "AuthorizerId": "authorizer_id",
            },
        ),
        "aws_apigatewayv2_stage": TypeMap(
            "AWS::ApiGatewayV2::Stage",
            {
                "ApiId": "api_id",
                "StageName": "name",
                "AccessLogSettings.DestinationArn": "access_log_settings.destination_arn",
                "AccessLogSettings.Format": "access_log_settings.format",
            },
        ),
        "aws_lambda_permission": TypeMap(
            "AWS::Lambda::Permission",
            {
                "Action": "action",
                "FunctionName": "function_name",
                "Principal": "principal",
                "SourceArn": "source_arn",
                "SourceAccount": "source_account",
                "PrincipalOrgID": "principal_org_id",
                "FunctionUrlAuthType": "function_url_auth_type",
            },
        ),
        "aws_lambda_function_url": TypeMap(
            "AWS::Lambda::Url",
            {"TargetFunctionArn": "function_name", "AuthType": "authorization_type"},
        ),
        "aws_sns_topic_policy": TypeMap(
            "AWS::SNS::TopicPolicy",
            {"Topics": Prop("arn", lambda v, p: [v]), "PolicyDocument": _POLICY_DOCUMENT},
        ),
        "aws_sqs_queue_policy": TypeMap(
            "AWS::SQS::QueuePolicy",
            {"Queues": Prop("queue_url", lambda v, p: [v]), "PolicyDocument": _POLICY_DOCUMENT},
        ),
        "aws_config_configuration_recorder": TypeMap(
            "AWS::Config::ConfigurationRecorder",
            {
                "Name": "name",
                "RoleARN": "role_arn",
                "RecordingGroup.AllSupported": "recording_group.all_supported",
                "RecordingGroup.IncludeGlobalResourceTypes": (
                    "recording_group.include_global_resource_types"
                ),
                "RecordingGroup.RecordingStrategy.UseOnly": (
                    "recording_group.recording_strategy.use_only"
                ),
            },
        ),
        "aws_dax_cluster": TypeMap(
            "AWS::DAX::Cluster",
            {
                "ClusterName": "cluster_name",
                "SSESpecification.SSEEnabled": "server_side_encryption.enabled",
                "ClusterEndpointEncryptionType": "cluster_endpoint_encryption_type",
            },
        ),
        "aws_network_interface": TypeMap(
            "AWS::EC2::NetworkInterface",
            {"SubnetId": "subnet_id", "SourceDestCheck": "source_dest_check"},
        ),
        "aws_efs_access_point": TypeMap(
            "AWS::EFS::AccessPoint",
            {
                "FileSystemId": "file_system_id",
                "RootDirectory.Path": "root_directory.path",
                "PosixUser.Uid": "posix_user.uid",
                "PosixUser.Gid": "posix_user.gid",
            },
        ),
        "aws_ec2_transit_gateway": TypeMap(
            "AWS::EC2::TransitGateway",
            {
                "AutoAcceptSharedAttachments": Prop(
                    "auto_accept_shared_attachments", default="disable"
                )
            },
        ),
        "aws_network_acl_rule": TypeMap(
            "AWS::EC2::NetworkAclEntry",
            {
                "NetworkAclId": "network_acl_id",
                "RuleNumber": "rule_number",
                "Egress": Prop("egress", default=False),
                "Protocol": Prop(
                    "protocol",
                    lambda v, p: (
                        _protocol(v)
                        if v not in ("tcp", "udp", "icmp")
                        else {"tcp": 6, "udp": 17, "icmp": 1}[v]
                    ),
                ),
                "RuleAction": "rule_action",
                "CidrBlock": "cidr_block",
                "Ipv6CidrBlock": "ipv6_cidr_block",
                "PortRange.From": "from_port",
                "PortRange.To": "to_port",
            },
        ),
        "aws_ec2_client_vpn_endpoint": TypeMap(
            "AWS::EC2::ClientVpnEndpoint",
            {"ConnectionLogOptions.Enabled": "connection_log_options.enabled"},
        ),
        "aws_secretsmanager_secret_rotation": TypeMap(
            "AWS::SecretsManager::RotationSchedule",
            {
                "SecretId": "secret_id",
                "RotationLambdaARN": "rotation_lambda_arn",
                "RotationRules.AutomaticallyAfterDays": "rotation_rules.automatically_after_days",
                "RotationRules.ScheduleExpression": "rotation_rules.schedule_expression",
            },
        ),
        "aws_s3_access_point": TypeMap(
            "AWS::S3::AccessPoint",
            {
                "Bucket": "bucket",
                "Name": "name",
                "PublicAccessBlockConfiguration": Prop(
                    "public_access_block_configuration",
                    first(
                        fields(
                            {
                                "BlockPublicAcls": "block_public_acls",
                                "BlockPublicPolicy": "block_public_policy",
                                "IgnorePublicAcls": "ignore_public_acls",
                                "RestrictPublicBuckets": "restrict_public_buckets",
                            }
                        )
                    ),
                ),
            },
        ),
    }
)
TYPES["aws_alb"] = TYPES["aws_lb"]
TYPES["aws_alb_listener"] = TYPES["aws_lb_listener"]
TYPES["aws_instance"].props.update(
    {
        "BlockDeviceMappings": Prop("", block_devices),
        "SourceDestCheck": "source_dest_check",
        "NetworkInterfaces": Prop(
            "associate_public_ip_address",
            lambda v, p: Mapped(
                [{"AssociatePublicIpAddress": v, "DeviceIndex": "0"}],
                {(0, "AssociatePublicIpAddress"): p},
            ),
        ),
    }
)
TYPES["aws_launch_template"].props["LaunchTemplateData.BlockDeviceMappings"] = Prop(
    "block_device_mappings",
    each(fields({"DeviceName": "device_name", "Ebs.Encrypted": "ebs.encrypted"})),
)
TYPES["aws_api_gateway_stage"].props.update(
    {
        "CacheClusterEnabled": "cache_cluster_enabled",
        "DeploymentId": "deployment_id",
        "RestApiId": "rest_api_id",
    }
)

FOLDS.update(
    {
        "aws_api_gateway_method_settings": FoldMap(
            "aws_api_gateway_stage",
            "stage_name",
            {"MethodSettings": Prop("", _method_settings)},
            append=True,
            target_name="stage_name",
        ),
        "aws_redshift_logging": FoldMap(
            "aws_redshift_cluster",
            "cluster_identifier",
            {
                "LoggingProperties.BucketName": "bucket_name",
                "LoggingProperties.LogDestinationType": "log_destination_type",
            },
            target_name="cluster_identifier",
        ),
        "aws_iam_user_policy_attachment": FoldMap(
            "aws_iam_user",
            "user",
            {"ManagedPolicyArns": Prop("policy_arn", lambda v, p: [v])},
            append=True,
        ),
        "aws_iam_role_policy_attachment": FoldMap(
            "aws_iam_role",
            "role",
            {"ManagedPolicyArns": Prop("policy_arn", lambda v, p: [v])},
            append=True,
        ),
    }
)


# --- Classic Load Balancer policies --------------------------------------------------


def _policy_entry(name: Any, kind: Any, blocks: Any, argument: str) -> Mapped:
    attributes = blocks if type(blocks) is list else []
    where: dict[Path, Path] = {(0,): (), (0, "PolicyName"): (), (0, "Attributes"): (argument,)}
    items: list[dict[str, Any]] = []
    for index, block in enumerate(attributes):
        if type(block) is dict:
            where[(0, "Attributes", len(items))] = (argument, index)
            where[(0, "Attributes", len(items), "Value")] = (argument, index, "value")
            items.append({"Name": block.get("name"), "Value": block.get("value")})
    entry = {"PolicyName": name, "PolicyType": kind, "Attributes": items}
    return Mapped([entry], where)


def _load_balancer_policy(config: Any, path: Path) -> Any:
    """``aws_load_balancer_policy`` as one entry of the load balancer's ``Policies``."""
    if type(config) is not dict:
        return config
    return _policy_entry(
        config.get("policy_name"),
        config.get("policy_type_name"),
        config.get("policy_attribute"),
        "policy_attribute",
    )


def _ssl_negotiation_policy(config: Any, path: Path) -> Any:
    """``aws_lb_ssl_negotiation_policy``: an SSLNegotiationPolicyType policy of its
    ``attribute`` blocks."""
    if type(config) is not dict:
        return config
    name = config.get("name")
    return _policy_entry(name, "SSLNegotiationPolicyType", config.get("attribute"), "attribute")


FOLDS.update(
    {
        # a Classic Load Balancer's policies, and the ones each listener uses
        "aws_load_balancer_policy": FoldMap(
            "aws_elb",
            "load_balancer_name",
            {"Policies": Prop("", _load_balancer_policy)},
            append=True,
        ),
        "aws_load_balancer_listener_policy": FoldMap(
            "aws_elb",
            "load_balancer_name",
            {},
            append=True,
            entry=Entry("Listeners", "LoadBalancerPort", "load_balancer_port"),
            entry_props={"PolicyNames": "policy_names"},
        ),
        "aws_lb_ssl_negotiation_policy": FoldMap(
            "aws_elb",
            "load_balancer",
            {"Policies": Prop("", _ssl_negotiation_policy)},
            append=True,
            entry=Entry("Listeners", "LoadBalancerPort", "lb_port"),
            entry_props={"PolicyNames": Prop("name", lambda v, p: [v])},
        ),
    }
)


# --- properties the policies read --------------------------------------------------------


def _text_document(value: Any, path: Path) -> Any:
    """A JSON document kept as text (``LifecyclePolicyText``): ``jsonencode`` of values
    that hold references is written with each reference as its Terraform text."""
    if type(value) is JsonText:
        return json.dumps(value.value, default=str, sort_keys=True)
    return value


def _kms_origin(config: Any, path: Path) -> Any:
    """An aws_kms_key's origin: AWS_KMS, unless it lives in a custom key store (CloudHSM
    or external, which the key does not say)."""
    if type(config) is not dict:
        return config
    if config.get("custom_key_store_id") is None:
        return "AWS_KMS"
    return Unknown("the key is in a custom key store (AWS_CLOUDHSM or EXTERNAL_KEY_STORE)")


_FEEDBACK = ("application", "firehose", "http", "lambda", "sqs")


def _delivery_status_logging(config: Any, path: Path) -> Any:
    """An aws_sns_topic's ``<protocol>_success_feedback_role_arn`` and
    ``_failure_feedback_role_arn`` as ``DeliveryStatusLogging`` entries."""
    if type(config) is not dict:
        return config
    out = Mapped([])
    for protocol in _FEEDBACK:
        success = config.get(f"{protocol}_success_feedback_role_arn")
        failure = config.get(f"{protocol}_failure_feedback_role_arn")
        if success is None and failure is None:
            continue
        n = len(out.value)
        entry: dict[str, Any] = {"Protocol": protocol}
        for key, value, argument in (
            ("SuccessFeedbackRoleArn", success, f"{protocol}_success_feedback_role_arn"),
            ("FailureFeedbackRoleArn", failure, f"{protocol}_failure_feedback_role_arn"),
        ):
            if value is not None:
                entry[key] = value
                out.where[(n, key)] = (argument,)
                out.where.setdefault((n,), (argument,))
        rate = config.get(f"{protocol}_success_feedback_sample_rate")
        if rate is not None:
            entry["SuccessFeedbackSampleRate"] = str(rate)
        out.value.append(entry)
    return out if out.value else None


def _guardduty_feature(config: Any, path: Path) -> Any:
    """An aws_guardduty_detector_feature as one entry of the detector's ``Features``."""
    if type(config) is not dict:
        return config
    blocks = config.get("additional_configuration")
    extra = [
        {"Name": b.get("name"), "Status": b.get("status")}
        for b in (blocks if type(blocks) is list else [])
        if type(b) is dict
    ]
    entry = {"Name": config.get("name"), "Status": config.get("status")}
    where: dict[Path, Path] = {(0,): (), (0, "Name"): ("name",), (0, "Status"): ("status",)}
    if extra:
        entry["AdditionalConfiguration"] = extra
        for n in range(len(extra)):
            where[(0, "AdditionalConfiguration", n)] = ("additional_configuration", n)
            where[(0, "AdditionalConfiguration", n, "Status")] = (
                "additional_configuration",
                n,
                "status",
            )
    return Mapped([entry], where)


_FIELD_SELECTOR = {
    "Field": "field",
    "Equals": "equals",
    "NotEquals": "not_equals",
    "StartsWith": "starts_with",
    "NotStartsWith": "not_starts_with",
    "EndsWith": "ends_with",
    "NotEndsWith": "not_ends_with",
}

TYPES["aws_cloudtrail"].props["AdvancedEventSelectors"] = Prop(
    "advanced_event_selector",
    each(
        fields(
            {
                "Name": "name",
                "FieldSelectors": Prop("field_selector", each(fields(_FIELD_SELECTOR))),
            }
        )
    ),
)
TYPES["aws_instance"].props.update(
    {
        "LaunchTemplate.LaunchTemplateId": "launch_template.id",
        "LaunchTemplate.LaunchTemplateName": "launch_template.name",
        "LaunchTemplate.Version": "launch_template.version",
    }
)
TYPES["aws_kms_key"].props["Origin"] = Prop("", _kms_origin)
TYPES["aws_db_instance"].props["DBSubnetGroupName"] = "db_subnet_group_name"
TYPES["aws_rds_cluster"].props.update(
    {
        "EngineMode": Prop("engine_mode", default="provisioned"),
        "SnapshotIdentifier": "snapshot_identifier",
        "SourceDBClusterIdentifier": "restore_to_point_in_time.source_cluster_identifier",
        "BacktrackWindow": "backtrack_window",
        "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    }
)
TYPES["aws_sns_topic"].props["DeliveryStatusLogging"] = Prop("", _delivery_status_logging)
TYPES["aws_guardduty_detector"].props.update(
    {
        "DataSources.S3Logs.Enable": "datasources.s3_logs.enable",
        "DataSources.Kubernetes.AuditLogs.Enable": "datasources.kubernetes.audit_logs.enable",
        "DataSources.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes": (
            "datasources.malware_protection.scan_ec2_instance_with_findings.ebs_volumes.enable"
        ),
    }
)
FOLDS.update(
    {
        "aws_ecr_lifecycle_policy": FoldMap(
            "aws_ecr_repository",
            "repository",
            {"LifecyclePolicy.LifecyclePolicyText": Prop("policy", _text_document)},
        ),
        "aws_efs_backup_policy": FoldMap(
            "aws_efs_file_system",
            "file_system_id",
            {"BackupPolicy.Status": "backup_policy.status"},
        ),
        # attaches a managed policy to each user it names (its roles and groups are
        # not folded: the policies read attachments on users)
        "aws_iam_policy_attachment": FoldMap(
            "aws_iam_user",
            "users",
            {"ManagedPolicyArns": Prop("policy_arn", lambda v, p: [v])},
            append=True,
            many=True,
        ),
        "aws_guardduty_detector_feature": FoldMap(
            "aws_guardduty_detector",
            "detector_id",
            {"Features": Prop("", _guardduty_feature)},
            append=True,
        ),
    }
)


# --- public exposure, network and IAM (second wave) -------------------------------------


def _add_props(name: str, cfn: str, props: dict[str, Prop | str]) -> None:
    """Map ``name`` to ``cfn`` with ``props``, keeping properties another group mapped."""
    if name in TYPES:
        TYPES[name].props.update(props)
    else:
        TYPES[name] = TypeMap(cfn, props)


_SECOND_WAVE: tuple[tuple[str, str, dict[str, Prop | str]], ...] = (
    (
        "aws_lambda_layer_version_permission",
        "AWS::Lambda::LayerVersionPermission",
        {"Action": "action", "Principal": "principal", "OrganizationId": "organization_id"},
    ),
    (
        "aws_api_gateway_method",
        "AWS::ApiGateway::Method",
        {
            "RestApiId": "rest_api_id",
            "ResourceId": "resource_id",
            "HttpMethod": "http_method",
            "AuthorizationType": "authorization",
            "ApiKeyRequired": "api_key_required",
        },
    ),
    (
        "aws_cognito_identity_pool",
        "AWS::Cognito::IdentityPool",
        {
            "IdentityPoolName": "identity_pool_name",
            "AllowUnauthenticatedIdentities": Prop(
                "allow_unauthenticated_identities", default=False
            ),
        },
    ),
    (
        # publicly_accessible has no Terraform default: DMS makes the instance public.
        "aws_dms_replication_instance",
        "AWS::DMS::ReplicationInstance",
        {
            "ReplicationInstanceIdentifier": "replication_instance_id",
            "ReplicationInstanceClass": "replication_instance_class",
            "PubliclyAccessible": "publicly_accessible",
        },
    ),
    (
        "aws_mq_broker",
        "AWS::AmazonMQ::Broker",
        {"PubliclyAccessible": Prop("publicly_accessible", default=False)},
    ),
    (
        "aws_msk_cluster",
        "AWS::MSK::Cluster",
        {
            "BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type": (
                "broker_node_group_info.connectivity_info.public_access.type"
            )
        },
    ),
    (
        "aws_transfer_server",
        "AWS::Transfer::Server",
        {
            "EndpointType": Prop("endpoint_type", default="PUBLIC"),
            "EndpointDetails.AddressAllocationIds": "endpoint_details.address_allocation_ids",
        },
    ),
    (
        "aws_eks_node_group",
        "AWS::EKS::Nodegroup",
        {
            "ClusterName": "cluster_name",
            "RemoteAccess.Ec2SshKey": "remote_access.ec2_ssh_key",
            "RemoteAccess.SourceSecurityGroups": "remote_access.source_security_group_ids",
        },
    ),
    (
        "aws_launch_configuration",
        "AWS::AutoScaling::LaunchConfiguration",
        {
            "ImageId": "image_id",
            "InstanceType": "instance_type",
            "AssociatePublicIpAddress": "associate_public_ip_address",
            "BlockDeviceMappings": Prop("", block_devices),
        },
    ),
    (
        "aws_sagemaker_notebook_instance",
        "AWS::SageMaker::NotebookInstance",
        {"DirectInternetAccess": Prop("direct_internet_access", default="Enabled")},
    ),
)
for _name, _cfn, _props in _SECOND_WAVE:
    _add_props(_name, _cfn, _props)

FOLDS.update(
    {
        "aws_ecr_repository_policy": FoldMap(
            "aws_ecr_repository",
            "repository",
            {"RepositoryPolicyText": Prop("policy", json_document)},
        ),
        "aws_iam_group_policy_attachment": FoldMap(
            "aws_iam_group",
            "group",
            {"ManagedPolicyArns": Prop("policy_arn", lambda v, p: [v])},
            append=True,
        ),
        "aws_vpc_security_group_egress_rule": FoldMap(
            "aws_security_group",
            "security_group_id",
            {"SecurityGroupEgress": Prop("", standalone_rule(_VPC_RULE_RENAMES))},
            append=True,
        ),
    }
)


# --- encryption, secrets and logging (policy library, second wave) ------------------------


def parameter_map(value: Any, path: Path) -> Any:
    """``parameter { name, value }`` blocks as the ``Parameters`` map of a parameter group."""
    if type(value) is not list:
        return value
    out = Mapped({})
    for index, block in enumerate(value):
        name = block.get("name") if type(block) is dict else None
        if isinstance(name, str) and "value" in block:
            out.value[name] = block["value"]
            out.where[(name,)] = (*path, index, "value")
    return out


def _firehose_encryption(value: Any, path: Path) -> Any:
    """``server_side_encryption`` as DeliveryStreamEncryptionConfigurationInput: present
    only when enabled (its key type defaults to AWS_OWNED_CMK)."""
    block = value[0] if type(value) is list and value else value
    if type(block) is not dict:
        return block
    if is_opaque(block.get("enabled")):
        return Mapped({"KeyType": block["enabled"]}, {("KeyType",): (*path, "enabled")})
    if block.get("enabled") is not True:
        return None
    return Mapped({"KeyType": block.get("key_type", "AWS_OWNED_CMK")}, {(): path})


def _source_type(kind: str) -> Converter:
    return lambda value, path: kind if value else None


_PARAMETER_GROUP: dict[str, Prop | str] = {
    "Family": "family",
    "Parameters": Prop("parameter", parameter_map),
}
_ENCRYPTION_SECRETS_LOGGING: tuple[tuple[str, str, dict[str, Prop | str]], ...] = (
    (
        "aws_elasticache_replication_group",
        "AWS::ElastiCache::ReplicationGroup",
        {
            "ReplicationGroupDescription": "description",
            "Engine": "engine",
            "AtRestEncryptionEnabled": "at_rest_encryption_enabled",
            "TransitEncryptionEnabled": "transit_encryption_enabled",
            "TransitEncryptionMode": "transit_encryption_mode",
            "AuthToken": "auth_token",
            "UserGroupIds": "user_group_ids",
            "SnapshotRetentionLimit": "snapshot_retention_limit",
            "AutomaticFailoverEnabled": "automatic_failover_enabled",
            "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
        },
    ),
    (
        "aws_kinesis_stream",
        "AWS::Kinesis::Stream",
        {
            "Name": "name",
            "StreamEncryption.EncryptionType": "encryption_type",
            "StreamEncryption.KeyId": "kms_key_id",
        },
    ),
    (
        "aws_kinesis_firehose_delivery_stream",
        "AWS::KinesisFirehose::DeliveryStream",
        {
            "DeliveryStreamEncryptionConfigurationInput": Prop(
                "server_side_encryption", _firehose_encryption
            ),
            "DeliveryStreamType": Prop(
                "kinesis_source_configuration", _source_type("KinesisStreamAsSource")
            ),
            "RedshiftDestinationConfiguration.Password": "redshift_configuration.password",
            "SplunkDestinationConfiguration.HECToken": "splunk_configuration.hec_token",
        },
    ),
    (
        "aws_docdb_cluster",
        "AWS::DocDB::DBCluster",
        {
            "StorageEncrypted": "storage_encrypted",
            "KmsKeyId": "kms_key_id",
            "SnapshotIdentifier": "snapshot_identifier",
            "MasterUserPassword": "master_password",
            "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
        },
    ),
    ("aws_docdb_cluster_parameter_group", "AWS::DocDB::DBClusterParameterGroup", _PARAMETER_GROUP),
    (
        "aws_neptune_cluster",
        "AWS::Neptune::DBCluster",
        {
            "StorageEncrypted": "storage_encrypted",
            "KmsKeyId": "kms_key_arn",
            "SnapshotIdentifier": "snapshot_identifier",
            "EnableCloudwatchLogsExports": "enable_cloudwatch_logs_exports",
        },
    ),
    (
        "aws_msk_cluster",
        "AWS::MSK::Cluster",
        {
            "ClusterName": "cluster_name",
            "EncryptionInfo.EncryptionInTransit.ClientBroker": (
                "encryption_info.encryption_in_transit.client_broker"
            ),
            "EncryptionInfo.EncryptionInTransit.InCluster": (
                "encryption_info.encryption_in_transit.in_cluster"
            ),
        },
    ),
    (
        "aws_cloudwatch_log_group",
        "AWS::Logs::LogGroup",
        # 0, Terraform's default, keeps events forever: CloudFormation leaves it out
        {"RetentionInDays": Prop("retention_in_days", lambda v, p: None if v == 0 else v)},
    ),
    (
        "aws_codebuild_project",
        "AWS::CodeBuild::Project",
        {
            "Name": "name",
            "Artifacts.Type": "artifacts.type",
            "Artifacts.EncryptionDisabled": "artifacts.encryption_disabled",
            "SecondaryArtifacts": Prop(
                "secondary_artifacts",
                each(fields({"Type": "type", "EncryptionDisabled": "encryption_disabled"})),
            ),
            "LogsConfig.S3Logs.EncryptionDisabled": "logs_config.s3_logs.encryption_disabled",
            "Environment.EnvironmentVariables": Prop(
                "environment.environment_variable",
                each(fields({"Name": "name", "Value": "value", "Type": "type"})),
            ),
            "Source.Location": "source.location",
            "SecondarySources": Prop("secondary_sources", each(fields({"Location": "location"}))),
        },
    ),
    (
        "aws_sagemaker_notebook_instance",
        "AWS::SageMaker::NotebookInstance",
        {"KmsKeyId": "kms_key_id"},
    ),
    (
        "aws_sagemaker_endpoint_configuration",
        "AWS::SageMaker::EndpointConfig",
        {"KmsKeyId": "kms_key_arn"},
    ),
    (
        "aws_ssm_parameter",
        "AWS::SSM::Parameter",
        {"Name": "name", "Type": "type", "Value": "value"},
    ),
    ("aws_db_parameter_group", "AWS::RDS::DBParameterGroup", _PARAMETER_GROUP),
    ("aws_rds_cluster_parameter_group", "AWS::RDS::DBClusterParameterGroup", _PARAMETER_GROUP),
    ("aws_dms_endpoint", "AWS::DMS::Endpoint", {"Password": "password"}),
    (
        "aws_directory_service_directory",
        "AWS::DirectoryService::MicrosoftAD",
        {"Password": "password"},
    ),
    (
        "aws_mq_broker",
        "AWS::AmazonMQ::Broker",
        {"Users": Prop("user", each(fields({"Username": "username", "Password": "password"})))},
    ),
    (
        "aws_db_instance",
        "AWS::RDS::DBInstance",
        {
            "MasterUserPassword": "password",
            "ManageMasterUserPassword": "manage_master_user_password",
        },
    ),
    (
        "aws_rds_cluster",
        "AWS::RDS::DBCluster",
        {
            "MasterUserPassword": "master_password",
            "ManageMasterUserPassword": "manage_master_user_password",
        },
    ),
    ("aws_redshift_cluster", "AWS::Redshift::Cluster", {"MasterUserPassword": "master_password"}),
)
for _name, _cfn, _props in _ENCRYPTION_SECRETS_LOGGING:
    _add_props(_name, _cfn, _props)


# --- peer coverage: backups, logging, isolation and encryption -------------------------------

_PEER_COVERAGE: tuple[tuple[str, str, dict[str, Prop | str]], ...] = (
    (
        "aws_docdb_cluster",
        "AWS::DocDB::DBCluster",
        {
            "BackupRetentionPeriod": Prop("backup_retention_period", default=1),
        },
    ),
    (
        "aws_neptune_cluster",
        "AWS::Neptune::DBCluster",
        {
            "BackupRetentionPeriod": Prop("backup_retention_period", default=1),
        },
    ),
    (
        "aws_msk_cluster",
        "AWS::MSK::Cluster",
        {
            f"LoggingInfo.BrokerLogs.{cfn}.Enabled": f"logging_info.broker_logs.{tf}.enabled"
            for cfn, tf in (
                ("CloudWatchLogs", "cloudwatch_logs"),
                ("Firehose", "firehose"),
                ("S3", "s3"),
            )
        },
    ),
    (
        "aws_mq_broker",
        "AWS::AmazonMQ::Broker",
        {
            "EngineType": "engine_type",
            "Logs.Audit": "logs.audit",
        },
    ),
    (
        "aws_sagemaker_notebook_instance",
        "AWS::SageMaker::NotebookInstance",
        {
            "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion": (
                "instance_metadata_service_configuration.minimum_instance_metadata_service_version"
            ),
        },
    ),
    (
        "aws_sagemaker_model",
        "AWS::SageMaker::Model",
        {
            "ExecutionRoleArn": "execution_role_arn",
            "EnableNetworkIsolation": "enable_network_isolation",
        },
    ),
    (
        "aws_ecs_task_definition",
        "AWS::ECS::TaskDefinition",
        {
            "Volumes": Prop(
                "volume",
                each(
                    fields(
                        {
                            "Name": "name",
                            "EFSVolumeConfiguration.FilesystemId": (
                                "efs_volume_configuration.file_system_id"
                            ),
                            "EFSVolumeConfiguration.TransitEncryption": (
                                "efs_volume_configuration.transit_encryption"
                            ),
                        }
                    )
                ),
            ),
        },
    ),
    (
        "aws_backup_vault",
        "AWS::Backup::BackupVault",
        {
            "BackupVaultName": "name",
            "EncryptionKeyArn": "kms_key_arn",
        },
    ),
    (
        "aws_athena_workgroup",
        "AWS::Athena::WorkGroup",
        {
            "Name": "name",
            # the provider defaults enforcement to true inside a configuration block
            "WorkGroupConfiguration": Prop(
                "configuration",
                first(
                    fields(
                        {
                            "EnforceWorkGroupConfiguration": Prop(
                                "enforce_workgroup_configuration", default=True
                            ),
                        }
                    )
                ),
            ),
        },
    ),
    (
        "aws_glue_data_catalog_encryption_settings",
        "AWS::Glue::DataCatalogEncryptionSettings",
        {
            "DataCatalogEncryptionSettings.EncryptionAtRest.CatalogEncryptionMode": (
                "data_catalog_encryption_settings.encryption_at_rest.catalog_encryption_mode"
            ),
            "DataCatalogEncryptionSettings.ConnectionPasswordEncryption"
            ".ReturnConnectionPasswordEncrypted": (
                "data_catalog_encryption_settings.connection_password_encryption"
                ".return_connection_password_encrypted"
            ),
        },
    ),
    (
        "aws_glue_security_configuration",
        "AWS::Glue::SecurityConfiguration",
        {
            "Name": "name",
            "EncryptionConfiguration.S3Encryptions": Prop(
                "encryption_configuration.s3_encryption",
                each(fields({"S3EncryptionMode": "s3_encryption_mode"})),
            ),
            "EncryptionConfiguration.CloudWatchEncryption.CloudWatchEncryptionMode": (
                "encryption_configuration.cloudwatch_encryption.cloudwatch_encryption_mode"
            ),
            "EncryptionConfiguration.JobBookmarksEncryption.JobBookmarksEncryptionMode": (
                "encryption_configuration.job_bookmarks_encryption.job_bookmarks_encryption_mode"
            ),
        },
    ),
    (
        "aws_workspaces_workspace",
        "AWS::WorkSpaces::Workspace",
        {
            "BundleId": "bundle_id",
            "DirectoryId": "directory_id",
            "UserName": "user_name",
            "RootVolumeEncryptionEnabled": "root_volume_encryption_enabled",
            "UserVolumeEncryptionEnabled": "user_volume_encryption_enabled",
        },
    ),
    (
        "aws_appsync_graphql_api",
        "AWS::AppSync::GraphQLApi",
        {
            "Name": "name",
            "AuthenticationType": "authentication_type",
            "LogConfig.CloudWatchLogsRoleArn": "log_config.cloudwatch_logs_role_arn",
            "LogConfig.FieldLogLevel": "log_config.field_log_level",
        },
    ),
)
for _name, _cfn, _props in _PEER_COVERAGE:
    _add_props(_name, _cfn, _props)
