"""Glue: the Data Catalog's encryption settings and the security configurations.

Each Region's Data Catalog has one set of encryption settings, read with
``GetDataCatalogEncryptionSettings`` and collected as the
``AWS::Glue::DataCatalogEncryptionSettings`` of that Region whose ``CatalogId`` is the
account; when the call fails the settings are unknown. Security configurations come from
``GetSecurityConfigurations``; the API's ``S3Encryption`` list is CloudFormation's
``S3Encryptions``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import arn, drop_none

CATALOG = "AWS::Glue::DataCatalogEncryptionSettings"
CONFIGURATION = "AWS::Glue::SecurityConfiguration"
CATALOG_TYPES = (CATALOG,)
CONFIGURATION_TYPES = (CONFIGURATION,)


def collect_catalog(ctx: CollectContext) -> None:
    answer = ctx.call("GetDataCatalogEncryptionSettings")
    props: dict[str, Any] = {"CatalogId": ctx.account}
    fill(props, "DataCatalogEncryptionSettings", answer, catalog_settings)
    catalog_arn = arn(ctx.partition, "glue", ctx.region, ctx.account, "catalog")
    ctx.add(CATALOG, catalog_arn, ctx.account, props)


def catalog_settings(answer: dict[str, Any]) -> dict[str, Any]:
    """A ``GetDataCatalogEncryptionSettings`` answer as CloudFormation's
    ``DataCatalogEncryptionSettings`` (the password key is ``KmsKeyId``, the API's
    ``AwsKmsKeyId``)."""
    settings = answer.get("DataCatalogEncryptionSettings") or {}
    at_rest = settings.get("EncryptionAtRest") or {}
    passwords = settings.get("ConnectionPasswordEncryption") or {}
    return drop_none(
        {
            "EncryptionAtRest": drop_none(
                {
                    "CatalogEncryptionMode": at_rest.get("CatalogEncryptionMode"),
                    "SseAwsKmsKeyId": at_rest.get("SseAwsKmsKeyId"),
                    "CatalogEncryptionServiceRole": at_rest.get("CatalogEncryptionServiceRole"),
                }
            )
            or None,
            "ConnectionPasswordEncryption": drop_none(
                {
                    "ReturnConnectionPasswordEncrypted": passwords.get(
                        "ReturnConnectionPasswordEncrypted"
                    ),
                    "KmsKeyId": passwords.get("AwsKmsKeyId"),
                }
            )
            or None,
        }
    )


def collect_configurations(ctx: CollectContext) -> None:
    listing = ctx.pages("GetSecurityConfigurations", "SecurityConfigurations",
                        lists=CONFIGURATION_TYPES)  # fmt: skip
    for configuration in listing.items():
        name = configuration["Name"]
        resource = f"securityConfiguration/{name}"
        ctx.add(CONFIGURATION, arn(ctx.partition, "glue", ctx.region, ctx.account, resource),
                name, configuration_properties(configuration))  # fmt: skip


def configuration_properties(configuration: dict[str, Any]) -> dict[str, Any]:
    """A ``GetSecurityConfigurations`` entry as ``AWS::Glue::SecurityConfiguration``
    properties; a part the answer leaves out stays absent."""
    encryption = configuration.get("EncryptionConfiguration") or {}
    return drop_none(
        {
            "Name": configuration.get("Name"),
            "EncryptionConfiguration": drop_none(
                {
                    "S3Encryptions": encryption.get("S3Encryption"),
                    "CloudWatchEncryption": encryption.get("CloudWatchEncryption"),
                    "JobBookmarksEncryption": encryption.get("JobBookmarksEncryption"),
                }
            ),
        }
    )


COLLECTORS = (
    Collector("glue.catalog_encryption", "glue", REGIONAL, collect_catalog, CATALOG_TYPES),
    Collector("glue.security_configurations", "glue", REGIONAL, collect_configurations,
              CONFIGURATION_TYPES),
)  # fmt: skip
