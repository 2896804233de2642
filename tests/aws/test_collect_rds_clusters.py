"""Aurora clusters against moto: collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

POLICIES = [f"PAC-RDS-0{n}" for n in range(12, 22) if n != 20]


def make_clusters(aws: MotoAWS) -> None:
    rds = aws.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-mysql",
        MasterUsername="ledger_owner",
        MasterUserPassword="correct-horse-battery",
        StorageEncrypted=True,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        CopyTagsToSnapshot=True,
        BacktrackWindow=3600,
        EnableCloudwatchLogsExports=["audit", "error"],
        Tags=[{"Key": "app", "Value": "ledger"}],
    )
    rds.create_db_cluster(
        DBClusterIdentifier="scratch",
        Engine="aurora-postgresql",
        MasterUsername="postgres",
        MasterUserPassword="correct-horse-battery",
        AutoMinorVersionUpgrade=False,
    )


def test_cluster_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_clusters(aws)
    snapshot, done = aws.collect("--service", "rds")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::RDS::DBCluster")
    ledger = clusters["ledger"]
    assert ledger["id"] == f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:ledger"
    props = ledger["properties"]
    assert {k: props[k] for k in ("Engine", "StorageEncrypted", "DeletionProtection",
                                  "EnableIAMDatabaseAuthentication", "CopyTagsToSnapshot",
                                  "BacktrackWindow", "EnableCloudwatchLogsExports",
                                  "MasterUsername", "Tags")} == {
        "Engine": "aurora-mysql",
        "StorageEncrypted": True,
        "DeletionProtection": True,
        "EnableIAMDatabaseAuthentication": True,
        "CopyTagsToSnapshot": True,
        "BacktrackWindow": 3600,
        "EnableCloudwatchLogsExports": ["audit", "error"],
        "MasterUsername": "ledger_owner",
        "Tags": [{"Key": "app", "Value": "ledger"}],
    }  # fmt: skip
    scratch = clusters["scratch"]["properties"]
    assert scratch["EnableCloudwatchLogsExports"] == []
    assert scratch["StorageEncrypted"] is False


def test_cluster_verdicts(aws: MotoAWS) -> None:
    make_clusters(aws)
    verdicts = audit(aws, ["rds"], POLICIES)
    assert verdicts == {
        # aurora-mysql: audit logs (018) and backtracking (017) apply, PostgreSQL logs (019) not
        **{(p, "ledger"): "pass" for p in POLICIES if p != "PAC-RDS-019"},
        # aurora-postgresql: 017 and 018 do not apply
        **{(p, "scratch"): "fail" for p in POLICIES if p not in ("PAC-RDS-017", "PAC-RDS-018")},
    }
