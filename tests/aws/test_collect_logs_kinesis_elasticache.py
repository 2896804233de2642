"""Log groups, Kinesis streams and ElastiCache replication groups against moto: collected
shape and the verdicts of their built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit


def test_log_groups(aws: MotoAWS) -> None:
    logs = aws.client("logs")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="kept", kmsKeyId=key)
    logs.create_log_group(logGroupName="short")
    logs.put_retention_policy(logGroupName="short", retentionInDays=14)
    snapshot, done = aws.collect("--service", "logs")
    assert done.returncode == 0, snapshot["errors"]
    groups = resources_of(snapshot, "AWS::Logs::LogGroup")
    assert groups["kept"]["id"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:kept"
    assert groups["kept"]["properties"]["KmsKeyId"] == key
    assert "RetentionInDays" not in groups["kept"]["properties"]
    assert groups["short"]["properties"]["RetentionInDays"] == 14
    assert audit(aws, ["logs"], ["PAC-LOGS-001", "PAC-LOGS-002"]) == {
        ("PAC-LOGS-001", "kept"): "pass",
        ("PAC-LOGS-002", "kept"): "pass",
        ("PAC-LOGS-001", "short"): "fail",
        ("PAC-LOGS-002", "short"): "fail",
    }


def test_kinesis_streams(aws: MotoAWS) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="sealed", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="sealed", EncryptionType="KMS",
                                    KeyId="alias/aws/kinesis")  # fmt: skip
    kinesis.create_stream(StreamName="plain", ShardCount=1)
    snapshot, done = aws.collect("--service", "kinesis")
    assert done.returncode == 0, snapshot["errors"]
    streams = resources_of(snapshot, "AWS::Kinesis::Stream")
    assert streams["sealed"]["properties"]["StreamEncryption"] == {
        "EncryptionType": "KMS",
        "KeyId": "alias/aws/kinesis",
    }
    assert "StreamEncryption" not in streams["plain"]["properties"]
    assert audit(aws, ["kinesis"], ["PAC-KINESIS-001"]) == {
        ("PAC-KINESIS-001", "sealed"): "pass",
        ("PAC-KINESIS-001", "plain"): "fail",
    }


def test_replication_groups_never_carry_the_auth_token(aws: MotoAWS) -> None:
    cache = aws.client("elasticache")
    cache.create_replication_group(
        ReplicationGroupId="sealed", ReplicationGroupDescription="sealed", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1, AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True, AuthToken="a-token-that-must-not-leak-1234",
    )  # fmt: skip
    cache.create_replication_group(
        ReplicationGroupId="plain", ReplicationGroupDescription="plain", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1,
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "elasticache")
    assert done.returncode == 0, snapshot["errors"]
    assert "a-token-that-must-not-leak" not in str(snapshot)
    groups = resources_of(snapshot, "AWS::ElastiCache::ReplicationGroup")
    sealed = groups["sealed"]["properties"]
    assert (sealed["AtRestEncryptionEnabled"], sealed["TransitEncryptionEnabled"]) == (True, True)
    assert sealed["AuthToken"] == "***"
    assert "AuthToken" not in groups["plain"]["properties"]
    policies = ["PAC-ELASTICACHE-001", "PAC-ELASTICACHE-002", "PAC-ELASTICACHE-003"]
    assert audit(aws, ["elasticache"], policies) == {
        **{(policy, "sealed"): "pass" for policy in policies},
        **{(policy, "plain"): "fail" for policy in policies},
    }
