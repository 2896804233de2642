"""RDS writers: settings of DB instances and clusters (``scanner.aws.rds``,
``scanner.aws.rds_clusters``), changed with ``ApplyImmediately`` (no maintenance window
wait; none of these settings restarts the database)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import PropertyWriter, Target, setting

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
INSTANCE_PERMISSIONS = ("rds:DescribeDBInstances", "rds:ModifyDBInstance")
CLUSTER_PERMISSIONS = ("rds:DescribeDBClusters", "rds:ModifyDBCluster")


def _instance(key: str) -> Any:
    def parameters(target: Target, new: Any) -> dict[str, Any]:
        return {"DBInstanceIdentifier": target.name, key: new, "ApplyImmediately": True}

    return parameters


def _cluster(key: str) -> Any:
    def parameters(target: Target, new: Any) -> dict[str, Any]:
        return {"DBClusterIdentifier": target.name, key: new, "ApplyImmediately": True}

    return parameters


def _instance_writer(key: str, note: str = "") -> PropertyWriter:
    return setting(INSTANCE, key, "rds", "ModifyDBInstance", _instance(key),
                   INSTANCE_PERMISSIONS, note)  # fmt: skip


def _cluster_writer(key: str, note: str = "") -> PropertyWriter:
    return setting(CLUSTER, key, "rds", "ModifyDBCluster", _cluster(key),
                   CLUSTER_PERMISSIONS, note)  # fmt: skip


WRITERS = (
    _instance_writer("DeletionProtection"),
    _instance_writer("BackupRetentionPeriod",
                     "automated backups made meanwhile are dropped if retention goes back to 0"),
    _instance_writer("AutoMinorVersionUpgrade",
                     "a minor version upgrade applied meanwhile is not rolled back"),
    _instance_writer("PubliclyAccessible"),
    _instance_writer("CopyTagsToSnapshot"),
    _instance_writer("EnableIAMDatabaseAuthentication"),
    _cluster_writer("DeletionProtection"),
    _cluster_writer("CopyTagsToSnapshot"),
    _cluster_writer("AutoMinorVersionUpgrade",
                    "a minor version upgrade applied meanwhile is not rolled back"),
)  # fmt: skip
