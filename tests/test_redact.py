from __future__ import annotations

import time

import pytest

from scanner.errors import Diagnostic, render_diagnostic
from scanner.loaders import LoadOptions
from scanner.loaders.cloudformation import load
from scanner.model import Location
from scanner.redact import no_echo_defaults, redact, source_line


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("      MasterUserPassword: hunter2hunter2", "      MasterUserPassword: ***"),
        ('  "Password": "hunter2",', '  "Password": "***",'),
        ('  password = "hunter2"', '  password = "***"'),
        ("Password: 'hunter2'  # rotated", "Password: '***'  # rotated"),
        ("Properties: {Password: hunter2, Name: x}", "Properties: {Password: ***, Name: x}"),
        ("client_secret: abc123", "client_secret: ***"),
        ("GithubToken: tok", "GithubToken: ***"),
        ('private_key = "abc"', 'private_key = "***"'),
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = ***"),
        ("Value: ASIAIOSFODNN7EXAMPLE", "Value: ***"),
        ("x: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "x: ***"),
        ("x: ghp_" + "a1B2" * 9, "x: ***"),
        ("x: xoxb-1234-5678-abcdefghij", "x: ***"),
        ("Url: postgres://admin:s3cr3t@db:5432/app", "Url: postgres://admin:***@db:5432/app"),
        (
            'Key: "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow"',
            'Key: "-----BEGIN RSA PRIVATE KEY-----***',
        ),
    ],
)
def test_secret_looking_values_are_masked(line: str, masked: str) -> None:
    assert redact(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        "MasterUserPassword: !Ref DbPassword",
        'MasterUserPassword: "{{resolve:secretsmanager:db:SecretString:password}}"',
        '"Password": {"Ref": "DbPassword"},',
        "password = var.db_password",
        "password = random_password.db.result",
        "MinimumPasswordLength: 14",
        "RequireSymbols: true",
        "PasswordPolicy:",
        "SecretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
        'assert Properties.MasterUserPassword == "x"',
        "commit: 0123456789abcdef0123456789abcdef01234567",  # a hex digest is no key
        "BucketName: logs",
    ],
)
def test_references_numbers_and_ordinary_lines_stay_readable(line: str) -> None:
    assert redact(line) == line


def test_given_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("Name: db-n0echo-x", ["n0echo"]) == "Name: db-***-x"


def test_no_echo_parameter_defaults_are_masked_in_echoed_lines() -> None:
    text = (
        "Parameters:\n"
        "  Secret:\n    Type: String\n    NoEcho: true\n    Default: n0echo-value\n"
        "  Shown:\n    Type: String\n    Default: visible-value\n"
        "Resources:\n"
        "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      DBName: n0echo-value\n      Engine: visible-value\n"
    )
    (document,) = load("t.yaml", text.encode(), LoadOptions()).documents
    assert no_echo_defaults(document) == {"n0echo-value"}
    assert source_line(document, 13) == "      DBName: ***"
    assert source_line(document, 14) == "      Engine: visible-value"


@pytest.mark.parametrize(
    "line",
    [
        "a" * 1_000_000,
        "password" * 120_000,
        'secret:"' * 120_000,
        "xoxb-" * 200_000,
        "http://" + "a" * 1_000_000,
        ("x://a:" + "b" * 300) * 3000,
    ],
    ids=["letters", "keys", "open quotes", "tokens", "url", "urls"],
)
def test_a_hostile_line_is_masked_in_linear_time(line: str) -> None:
    started = time.perf_counter()
    redact(line)
    assert time.perf_counter() - started < 20  # about 0.5 s; a backtracking pattern: hours


def test_an_error_quoting_a_line_masks_its_secret_and_keeps_the_caret_in_place() -> None:
    line = "    Properties: {Password: hunter2hunter2, Tags: [x"
    column = line.index("Tags") + 1
    where = Location("t.yaml", 4, column, 4, column + 4)
    shown = render_diagnostic(
        Diagnostic("I005", "invalid YAML", where, source_line=line)
    ).splitlines()
    assert shown[1] == "      Properties: {Password: ***, Tags: [x"
    assert shown[2].index("^") == shown[1].index("Tags") and shown[2].endswith("^^^^")
