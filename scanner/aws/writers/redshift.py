"""Redshift writers: settings of a provisioned cluster (``scanner.aws.redshift``), each
changed with one ``ModifyCluster`` call."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import PropertyWriter, Target, setting

CLUSTER = "AWS::Redshift::Cluster"
PERMISSIONS = ("redshift:DescribeClusters", "redshift:ModifyCluster")


def _modify(key: str) -> Any:
    def parameters(target: Target, new: Any) -> dict[str, Any]:
        return {"ClusterIdentifier": target.name, key: new}

    return parameters


def _writer(key: str, note: str = "") -> PropertyWriter:
    return setting(CLUSTER, key, "redshift", "ModifyCluster", _modify(key), PERMISSIONS, note)


WRITERS = (
    _writer("PubliclyAccessible"),
    _writer("AllowVersionUpgrade", "a version upgrade applied meanwhile is not rolled back"),
    _writer("AutomatedSnapshotRetentionPeriod",
            "automated snapshots made meanwhile are dropped when retention goes back to 0"),
    _writer("EnhancedVpcRouting"),
)  # fmt: skip
