"""RDS: database instances, named as ``AWS::RDS::DBInstance`` names its properties."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

# CloudFormation property <- DescribeDBInstances field, where the two names differ
TYPES = ("AWS::RDS::DBInstance",)
RENAMED = {
    "EnableIAMDatabaseAuthentication": "IAMDatabaseAuthenticationEnabled",
    "EnablePerformanceInsights": "PerformanceInsightsEnabled",
    "EnableCloudwatchLogsExports": "EnabledCloudwatchLogsExports",
}
SAME_NAME = (
    "DBInstanceIdentifier",
    "DBInstanceClass",
    "Engine",
    "EngineVersion",
    "AllocatedStorage",
    "StorageType",
    "StorageEncrypted",
    "KmsKeyId",
    "PubliclyAccessible",
    "MultiAZ",
    "BackupRetentionPeriod",
    "DeletionProtection",
    "AutoMinorVersionUpgrade",
    "CopyTagsToSnapshot",
    "PerformanceInsightsKMSKeyId",
    "MonitoringInterval",
    "CACertificateIdentifier",
    "DBClusterIdentifier",
    "DBName",
    "MasterUsername",
    "Iops",
    "StorageThroughput",
)


def collect(ctx: CollectContext) -> None:
    for db in ctx.pages("DescribeDBInstances", "DBInstances", lists=TYPES).items():
        tags = tag_map(db.get("TagList"))
        props = with_tags(db_instance_properties(db), tags)
        ctx.add(
            "AWS::RDS::DBInstance",
            db["DBInstanceArn"],
            db["DBInstanceIdentifier"],
            props,
            tags=tags,
        )


def db_instance_properties(db: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {name: db[name] for name in SAME_NAME if db.get(name) is not None}
    props.update({cfn: db[api] for cfn, api in RENAMED.items() if db.get(api) is not None})
    props["VPCSecurityGroups"] = [
        g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups") or []
    ]
    props.update(
        drop_none(
            {
                "DBSubnetGroupName": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
                "Port": (db.get("Endpoint") or {}).get("Port"),
            }
        )
    )
    return props


COLLECTORS = (Collector("rds.instances", "rds", REGIONAL, collect, TYPES),)
