"""Glue encryption settings and Backup vaults against moto: the collected properties and
the verdicts of their built-in policies."""

from __future__ import annotations

from botocore.stub import Stubber
from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit
from test_pagination import stubbed

from scanner.aws import backup

KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"
VAULT_ARN = f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:prod"
ENCRYPTED = {
    "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": KEY}],
    "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY},
    "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": KEY},
}


def test_data_catalog_encryption_per_region(aws: MotoAWS) -> None:
    aws.client("glue").put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": KEY},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True,
                                         "AwsKmsKeyId": KEY}})  # fmt: skip
    regions = ("--region", "us-east-1", "--region", "eu-west-1")
    snapshot, done = aws.collect("--service", "glue", *regions)
    assert done.returncode == 0, snapshot["errors"]
    catalogs = {
        r["region"]: r
        for r in snapshot["resources"]
        if r["type"] == "AWS::Glue::DataCatalogEncryptionSettings"
    }
    assert catalogs["us-east-1"]["id"] == f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"
    assert catalogs["us-east-1"]["properties"] == {
        "CatalogId": ACCOUNT,
        "DataCatalogEncryptionSettings": {
            "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": KEY},
            "ConnectionPasswordEncryption": {
                "ReturnConnectionPasswordEncrypted": True,
                "KmsKeyId": KEY,
            },
        },
    }
    assert catalogs["eu-west-1"]["properties"]["DataCatalogEncryptionSettings"] == {
        "EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": False},
    }
    for region, verdict in (("us-east-1", "pass"), ("eu-west-1", "fail")):
        found = audit(aws, ["glue"], ["PAC-GLUE-001"], "--region", region)
        assert found == {("PAC-GLUE-001", "catalog"): verdict}


def test_security_configurations(aws: MotoAWS) -> None:
    glue = aws.client("glue")
    glue.create_security_configuration(Name="sealed", EncryptionConfiguration=ENCRYPTED)
    glue.create_security_configuration(Name="s3-only", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]})  # fmt: skip
    snapshot, done = aws.collect("--service", "glue")
    assert done.returncode == 0, snapshot["errors"]
    configurations = resources_of(snapshot, "AWS::Glue::SecurityConfiguration")
    sealed = configurations["sealed"]
    assert sealed["id"] == f"arn:aws:glue:us-east-1:{ACCOUNT}:securityConfiguration/sealed"
    assert sealed["properties"] == {
        "Name": "sealed",
        "EncryptionConfiguration": {
            "S3Encryptions": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": KEY}],
            "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY},
            "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": KEY},
        },
    }
    assert configurations["s3-only"]["properties"]["EncryptionConfiguration"]["S3Encryptions"] == [
        {"S3EncryptionMode": "SSE-S3"}
    ]
    assert audit(aws, ["glue"], ["PAC-GLUE-002"]) == {
        ("PAC-GLUE-002", "sealed"): "pass",
        ("PAC-GLUE-002", "s3-only"): "fail",
    }


def test_backup_vaults(aws: MotoAWS) -> None:
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    backup_client = aws.client("backup")
    backup_client.create_backup_vault(BackupVaultName="sealed", EncryptionKeyArn=key)
    backup_client.create_backup_vault(BackupVaultName="plain")
    snapshot, done = aws.collect("--service", "backup")
    assert done.returncode == 0, snapshot["errors"]
    vaults = resources_of(snapshot, "AWS::Backup::BackupVault")
    assert vaults["sealed"]["id"] == f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:sealed"
    assert vaults["sealed"]["properties"] == {"BackupVaultName": "sealed", "EncryptionKeyArn": key}
    assert vaults["plain"]["properties"] == {"BackupVaultName": "plain"}
    assert audit(aws, ["backup"], ["PAC-BACKUP-001"]) == {
        ("PAC-BACKUP-001", "sealed"): "pass",
        ("PAC-BACKUP-001", "plain"): "fail",
    }


def stubbed_vault(key_answer: dict[str, object] | None) -> list[dict[str, object]]:
    ctx, stubber = stubbed("backup")
    kms = Stubber(ctx.client("kms"))
    vault = {"BackupVaultName": "prod", "BackupVaultArn": VAULT_ARN, "EncryptionKeyArn": KEY}
    stubber.add_response("list_backup_vaults", {"BackupVaultList": [vault]})
    if key_answer is None:
        kms.add_client_error("describe_key", "AccessDeniedException", http_status_code=400)
    else:
        kms.add_response("describe_key", key_answer)
    with stubber, kms:
        backup.collect(ctx)
    return ctx.resources


def test_a_vault_with_the_aws_managed_key_names_no_key() -> None:
    metadata = {"KeyId": "k", "Arn": KEY, "KeyManager": "AWS"}
    (vault,) = stubbed_vault({"KeyMetadata": metadata})
    assert vault["properties"] == {"BackupVaultName": "prod"}


def test_a_vault_whose_key_cannot_be_described_has_an_unknown_key() -> None:
    (vault,) = stubbed_vault(None)
    assert vault["properties"]["EncryptionKeyArn"] == {
        "$unknown": "DescribeKey: AccessDeniedException"
    }
