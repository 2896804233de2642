"""Secrets Manager: secret metadata and rotation, never a secret value.

Only ``ListSecrets`` is called: it gives each secret's name, KMS key, tags and rotation
settings. ``GetSecretValue`` (or any call that reads a value) is never made. A secret
with rotation turned on also becomes an ``AWS::SecretsManager::RotationSchedule`` whose
``SecretId`` is the secret's ARN, as a template's ``Ref`` of a secret gives it.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::SecretsManager::Secret", "AWS::SecretsManager::RotationSchedule")


def collect(ctx: CollectContext) -> None:
    for secret in ctx.pages("ListSecrets", "SecretList", lists=TYPES).items():
        _collect_secret(ctx, secret)


def _collect_secret(ctx: CollectContext, secret: dict[str, Any]) -> None:
    secret_arn = secret["ARN"]
    name = secret.get("Name") or secret_arn.rsplit(":", 1)[-1]
    tags = tag_map(secret.get("Tags"))
    props = drop_none(
        {
            "Name": name,
            "Description": secret.get("Description") or None,
            "KmsKeyId": secret.get("KmsKeyId") or None,
        }
    )
    ctx.add("AWS::SecretsManager::Secret", secret_arn, name, with_tags(props, tags), tags=tags)
    if secret.get("RotationEnabled"):
        ctx.add(
            "AWS::SecretsManager::RotationSchedule",
            f"{secret_arn}#rotation",
            name,
            rotation_schedule(secret),
        )


def rotation_schedule(secret: dict[str, Any]) -> dict[str, Any]:
    """A secret's rotation settings as ``AWS::SecretsManager::RotationSchedule`` properties."""
    rules = secret.get("RotationRules") or {}
    return drop_none(
        {
            "SecretId": secret["ARN"],
            "RotationLambdaARN": secret.get("RotationLambdaARN") or None,
            "RotationRules": drop_none(
                {
                    "AutomaticallyAfterDays": rules.get("AutomaticallyAfterDays"),
                    "ScheduleExpression": rules.get("ScheduleExpression"),
                    "Duration": rules.get("Duration"),
                }
            ),
        }
    )


COLLECTORS = (Collector("secretsmanager.secrets", "secretsmanager", REGIONAL, collect, TYPES),)
