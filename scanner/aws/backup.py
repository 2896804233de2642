"""AWS Backup: backup vaults and the key that encrypts them.

``ListBackupVaults`` names each vault's key by its key ARN, also when it is the AWS
managed key ``aws/backup``: ``DescribeKey`` (KMS) tells which. A vault whose key AWS
manages is collected without ``EncryptionKeyArn``, as a template that names no key; when
``DescribeKey`` fails, the key is unknown.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none

TYPE = "AWS::Backup::BackupVault"
TYPES = (TYPE,)


def collect(ctx: CollectContext) -> None:
    for vault in ctx.pages("ListBackupVaults", "BackupVaultList", lists=TYPES).items():
        props = drop_none({"BackupVaultName": vault.get("BackupVaultName")})
        key = vault.get("EncryptionKeyArn")
        if key:
            described = ctx.call("DescribeKey", service="kms", KeyId=key)
            fill(props, "EncryptionKeyArn", described, customer_key)
        ctx.add(TYPE, vault["BackupVaultArn"], vault.get("BackupVaultName"), props)


def customer_key(described: dict[str, Any]) -> str | None:
    """The key's ARN when the customer manages the key, else ``None``."""
    metadata = described.get("KeyMetadata") or {}
    return metadata.get("Arn") if metadata.get("KeyManager") == "CUSTOMER" else None


COLLECTORS = (Collector("backup.vaults", "backup", REGIONAL, collect, TYPES),)
