"""Credentials written in templates: which values the secrets policies flag, and that no
report repeats the secret they found."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.engine.evaluate import evaluate
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Status
from scanner.pipeline import compile_policies

SECRET = "Zq8-hunter2-Vx41"
KEY_ID = "AKIA" + "Q3EXAMPLE7W2K9D4"

TEMPLATE = f"""\
Parameters:
  NoEchoPassword: {{Type: String, NoEcho: true}}
  DefaultPassword: {{Type: String, NoEcho: true, Default: "{SECRET}"}}
Resources:
  Literal:
    Type: AWS::RDS::DBInstance
    Properties: {{Engine: postgres, MasterUsername: app, MasterUserPassword: "{SECRET}"}}
  FromNoEcho:
    Type: AWS::RDS::DBInstance
    Properties: {{Engine: postgres, MasterUsername: app, MasterUserPassword: !Ref NoEchoPassword}}
  FromDefault:
    Type: AWS::RDS::DBInstance
    Properties: {{Engine: postgres, MasterUsername: app, MasterUserPassword: !Ref DefaultPassword}}
  FromSecretsManager:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUsername: app
      MasterUserPassword: !Sub "{{{{resolve:secretsmanager:${{Secret}}:SecretString:password}}}}"
  Secret:
    Type: AWS::SecretsManager::Secret
  EnvSecret:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables: {{DB_PASSWORD: "{SECRET}", TABLE: orders, STAGE: !Sub "${{AWS::Region}}-x"}}
  EnvKeyId:
    Type: AWS::Lambda::Function
    Properties:
      Environment: {{Variables: {{UPLOAD_KEY: "{KEY_ID}"}}}}
  EnvReferences:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables: {{API_TOKEN: !Ref NoEchoPassword, SECRET_ARN: !Ref Secret, TOKEN_TTL: "3600"}}
"""

EXPECTED = {
    ("PAC-SECRETS-001", "Literal"): Status.FAIL,
    ("PAC-SECRETS-001", "FromNoEcho"): Status.PASS,
    ("PAC-SECRETS-001", "FromDefault"): Status.FAIL,
    ("PAC-SECRETS-001", "FromSecretsManager"): Status.PASS,
    ("PAC-LAMBDA-050", "EnvSecret"): Status.FAIL,
    ("PAC-LAMBDA-050", "EnvKeyId"): Status.FAIL,
    ("PAC-LAMBDA-050", "EnvReferences"): Status.PASS,
}


@pytest.fixture(scope="module")
def statuses() -> dict[tuple[str, str], Status]:
    program = compile_policies([], {}, frozenset({"PAC-SECRETS-001", "PAC-LAMBDA-050"})).program
    loaded = load("t.yaml", TEMPLATE.encode(), LoadOptions())
    assert loaded.errors == ()
    found = evaluate(program, loaded.resources, now=datetime.now(timezone.utc))
    return {(f.policy.id, f.resource.id): f.status for f in found}


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=lambda v: str(v))
def test_where_a_password_comes_from_decides(
    statuses: dict[tuple[str, str], Status], key: tuple[str, str], expected: Status
) -> None:
    assert statuses[key] is expected


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_no_report_repeats_the_secret(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "app.yaml").write_text(TEMPLATE, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["scan", str(tmp_path), "--format", fmt, "--policy", "PAC-SECRETS-001",
              "--policy", "PAC-LAMBDA-050"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "MasterUserPassword" in result.output or "PAC-SECRETS-001" in result.output
    assert SECRET not in result.output
    assert KEY_ID not in result.output
