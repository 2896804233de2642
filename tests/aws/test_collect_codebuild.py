"""CodeBuild projects against moto: the collected shape, what never reaches the snapshot
(plain environment variables, credentials in a source URL), and the verdicts of the
built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

from scanner.aws.codebuild import project_properties

POLICIES = ["PAC-CODEBUILD-001", "PAC-CODEBUILD-002", "PAC-CODEBUILD-003", "PAC-CODEBUILD-004"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/build"
ACCESS_KEY = "AKIA" + "Q" * 16
ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
               "computeType": "BUILD_GENERAL1_SMALL"}  # fmt: skip


def _projects(aws: MotoAWS) -> None:
    builds = aws.client("codebuild")
    builds.create_project(
        name="clean", serviceRole=ROLE, tags=[{"key": "team", "value": "ci"}],
        source={"type": "GITHUB", "location": "https://github.com/example/app.git"},
        artifacts={"type": "S3", "location": "artifacts", "encryptionDisabled": False},
        logsConfig={"s3Logs": {"status": "ENABLED", "location": "logs/build",
                               "encryptionDisabled": False}},
        environment={**ENVIRONMENT, "environmentVariables": [
            {"name": "DB_PASSWORD", "value": "/app/db-password", "type": "PARAMETER_STORE"}]},
    )  # fmt: skip
    builds.create_project(
        name="leaky", serviceRole=ROLE,
        source={"type": "GITHUB",
                "location": "https://builder:hunter2-in-the-url@github.com/example/app.git"},
        artifacts={"type": "S3", "location": "artifacts", "encryptionDisabled": True},
        logsConfig={"s3Logs": {"status": "ENABLED", "location": "logs/build",
                               "encryptionDisabled": True}},
        environment={**ENVIRONMENT, "environmentVariables": [
            {"name": "AWS_ACCESS_KEY_ID", "value": ACCESS_KEY, "type": "PLAINTEXT"}]},
    )  # fmt: skip


def test_projects_keep_secrets_out(aws: MotoAWS) -> None:
    _projects(aws)
    snapshot, done = aws.collect("--service", "codebuild")
    assert done.returncode == 0, snapshot["errors"]
    assert ACCESS_KEY not in str(snapshot) and "hunter2" not in str(snapshot)
    projects = resources_of(snapshot, "AWS::CodeBuild::Project")
    clean = projects["clean"]
    assert clean["id"] == f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/clean"
    props = clean["properties"]
    assert props["Source"] == {"Type": "GITHUB",
                               "Location": "https://github.com/example/app.git"}  # fmt: skip
    assert props["Artifacts"] == {"Type": "S3", "Location": "artifacts",
                                  "EncryptionDisabled": False}  # fmt: skip
    assert props["LogsConfig"] == {"S3Logs": {"Status": "ENABLED", "Location": "logs/build",
                                              "EncryptionDisabled": False}}  # fmt: skip
    assert props["Environment"]["EnvironmentVariables"] == [
        {"Name": "DB_PASSWORD", "Type": "PARAMETER_STORE", "Value": "/app/db-password"}
    ]
    assert (props["ServiceRole"], props["Tags"]) == (ROLE, [{"Key": "team", "Value": "ci"}])
    leaky = projects["leaky"]["properties"]
    assert leaky["Source"]["Location"] == {
        "$unknown": "redacted: the location holds credential-like text"
    }
    assert leaky["Environment"]["EnvironmentVariables"] == {
        "$unknown": "redacted: plain environment variables are not collected"
    }
    assert audit(aws, ["codebuild"], POLICIES) == {
        **{(policy, "clean"): "pass" for policy in POLICIES},
        ("PAC-CODEBUILD-001", "leaky"): "fail",
        ("PAC-CODEBUILD-002", "leaky"): "fail",
        # values pacscan does not collect: unknown, never a pass
        ("PAC-CODEBUILD-003", "leaky"): "unknown",
        ("PAC-CODEBUILD-004", "leaky"): "unknown",
    }


def test_secondary_sources_and_artifacts() -> None:
    props = project_properties({
        "name": "multi",
        "secondarySources": [{"type": "S3", "location": "bucket/src.zip",
                              "sourceIdentifier": "extra"},
                             {"type": "GITHUB", "location": f"https://x/{ACCESS_KEY}/r.git"}],
        "secondaryArtifacts": [{"type": "S3", "location": "out", "artifactIdentifier": "extra",
                                "encryptionDisabled": True}],
    })  # fmt: skip
    assert props["SecondarySources"] == [
        {"Type": "S3", "Location": "bucket/src.zip", "SourceIdentifier": "extra"},
        {"Type": "GITHUB",
         "Location": {"$unknown": "redacted: the location holds credential-like text"}},
    ]  # fmt: skip
    assert props["SecondaryArtifacts"] == [
        {"Type": "S3", "Location": "out", "ArtifactIdentifier": "extra", "EncryptionDisabled": True}
    ]
