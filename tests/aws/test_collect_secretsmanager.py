"""Secrets Manager against moto: metadata and rotation collected, secret values never read."""

from __future__ import annotations

from moto_fixtures import MotoAWS, resources_of
from test_audit import audit

VALUE = "hunter2-do-not-leak"


def make_secrets(aws: MotoAWS) -> dict[str, str]:
    secrets = aws.client("secretsmanager")
    arns = {}
    for name, key, days in (
        ("monthly", "alias/secrets", 30),
        ("yearly", "alias/secrets", 365),
        ("static", None, None),
    ):
        extra = {"KmsKeyId": key} if key else {}
        arns[name] = secrets.create_secret(
            Name=name, SecretString=VALUE, Tags=[{"Key": "app", "Value": name}], **extra
        )["ARN"]
        if days:
            secrets.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": days})
    return arns


def test_secret_metadata_and_rotation_without_values(aws: MotoAWS) -> None:
    arns = make_secrets(aws)
    snapshot, done = aws.collect("--service", "secretsmanager")
    assert done.returncode == 0, snapshot["errors"]
    assert VALUE not in (aws.tmp / "snapshot.json").read_text()
    secrets = resources_of(snapshot, "AWS::SecretsManager::Secret")
    assert secrets["monthly"]["id"] == arns["monthly"]
    assert secrets["monthly"]["properties"] == {
        "Name": "monthly",
        "KmsKeyId": "alias/secrets",
        "Tags": [{"Key": "app", "Value": "monthly"}],
    }
    assert "KmsKeyId" not in secrets["static"]["properties"]
    schedules = resources_of(snapshot, "AWS::SecretsManager::RotationSchedule")
    assert sorted(schedules) == ["monthly", "yearly"]
    assert schedules["yearly"]["id"] == f"{arns['yearly']}#rotation"
    assert schedules["yearly"]["properties"] == {
        "SecretId": arns["yearly"],
        "RotationRules": {"AutomaticallyAfterDays": 365},
    }


def test_secret_verdicts(aws: MotoAWS) -> None:
    make_secrets(aws)
    verdicts = audit(aws, ["secretsmanager"], [f"PAC-SECRETSMANAGER-00{n}" for n in (1, 2, 3)])
    by_name = {
        (policy, name.split("-")[0].split("#")[0]): v for (policy, name), v in verdicts.items()
    }
    assert len(by_name) == len(verdicts)
    assert by_name == {
        ("PAC-SECRETSMANAGER-001", "monthly"): "pass",
        ("PAC-SECRETSMANAGER-001", "yearly"): "pass",
        ("PAC-SECRETSMANAGER-001", "static"): "fail",
        ("PAC-SECRETSMANAGER-002", "monthly"): "pass",
        ("PAC-SECRETSMANAGER-002", "yearly"): "fail",
        ("PAC-SECRETSMANAGER-003", "monthly"): "pass",
        ("PAC-SECRETSMANAGER-003", "yearly"): "pass",
        ("PAC-SECRETSMANAGER-003", "static"): "fail",
    }
