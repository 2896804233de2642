"""CodeBuild: projects with their artifact and log encryption, sources and environment.

Nothing secret reaches a snapshot:

- plain (``PLAINTEXT``) environment variables are not collected: a project that has one
  gets ``EnvironmentVariables`` as an unknown marker, so a policy on plain variables
  reports ``unknown`` for it rather than judging values it was not given (an unknown
  value alone would read as one kept out of the code); a project whose variables all
  refer to their secret (``PARAMETER_STORE``, ``SECRETS_MANAGER``) keeps their names and
  references (a parameter name or secret ARN, not the secret);
- a source location that holds credential-like text (a password in the URL, an access
  key id, a token) is stored as an unknown marker;
- inline build specs are not collected.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY
from scanner.redact import redact

TYPES = ("AWS::CodeBuild::Project",)
BATCH = 100  # the most names BatchGetProjects takes
PLAIN_VARIABLES = {UNKNOWN_KEY: "redacted: plain environment variables are not collected"}
CREDENTIAL_LOCATION = {UNKNOWN_KEY: "redacted: the location holds credential-like text"}
REFERENCE_TYPES = ("PARAMETER_STORE", "SECRETS_MANAGER")


def collect(ctx: CollectContext) -> None:
    names = ctx.pages("ListProjects", "projects", lists=TYPES).items()
    for start in range(0, len(names), BATCH):
        answer = ctx.call("BatchGetProjects", names=names[start : start + BATCH], lists=TYPES)
        for project in (answer.data or {}).get("projects") or []:
            tags = tag_map(project.get("tags"), key="key", value="value")
            ctx.add("AWS::CodeBuild::Project", project["arn"], project["name"],
                    with_tags(project_properties(project), tags), tags=tags)  # fmt: skip


def project_properties(project: dict[str, Any]) -> dict[str, Any]:
    """A ``BatchGetProjects`` entry in the shape of ``AWS::CodeBuild::Project``."""
    logs = project.get("logsConfig") or {}
    cloudwatch = logs.get("cloudWatchLogs") or {}
    s3_logs = logs.get("s3Logs") or {}
    vpc = project.get("vpcConfig") or {}
    return drop_none(
        {
            "Name": project.get("name"),
            "Description": project.get("description") or None,
            "ServiceRole": project.get("serviceRole"),
            "EncryptionKey": project.get("encryptionKey"),
            "TimeoutInMinutes": project.get("timeoutInMinutes"),
            "Source": _source(project.get("source")),
            "SecondarySources": [_source(s) for s in project.get("secondarySources") or []] or None,
            "Artifacts": _artifacts(project.get("artifacts")),
            "SecondaryArtifacts": [_artifacts(a) for a in project.get("secondaryArtifacts") or []]
            or None,
            "Environment": _environment(project.get("environment")),
            "LogsConfig": drop_none(
                {
                    "CloudWatchLogs": drop_none(
                        {
                            "Status": cloudwatch.get("status"),
                            "GroupName": cloudwatch.get("groupName"),
                            "StreamName": cloudwatch.get("streamName"),
                        }
                    )
                    or None,
                    "S3Logs": drop_none(
                        {
                            "Status": s3_logs.get("status"),
                            "Location": s3_logs.get("location"),
                            "EncryptionDisabled": s3_logs.get("encryptionDisabled"),
                        }
                    )
                    or None,
                }
            )
            or None,
            "VpcConfig": drop_none(
                {
                    "VpcId": vpc.get("vpcId"),
                    "Subnets": vpc.get("subnets"),
                    "SecurityGroupIds": vpc.get("securityGroupIds"),
                }
            )
            or None,
        }
    )


def _source(source: dict[str, Any] | None) -> dict[str, Any] | None:
    if not source:
        return None
    location = source.get("location")
    if isinstance(location, str) and redact(location) != location:
        location = dict(CREDENTIAL_LOCATION)
    return drop_none(
        {
            "Type": source.get("type"),
            "Location": location,
            "SourceIdentifier": source.get("sourceIdentifier"),
            "GitCloneDepth": source.get("gitCloneDepth"),
            "InsecureSsl": source.get("insecureSsl"),
            "ReportBuildStatus": source.get("reportBuildStatus"),
        }
    )


def _artifacts(artifacts: dict[str, Any] | None) -> dict[str, Any] | None:
    if not artifacts:
        return None
    return drop_none(
        {
            "Type": artifacts.get("type"),
            "Location": artifacts.get("location"),
            "Name": artifacts.get("name"),
            "Path": artifacts.get("path"),
            "Packaging": artifacts.get("packaging"),
            "NamespaceType": artifacts.get("namespaceType"),
            "ArtifactIdentifier": artifacts.get("artifactIdentifier"),
            "EncryptionDisabled": artifacts.get("encryptionDisabled"),
            "OverrideArtifactName": artifacts.get("overrideArtifactName"),
        }
    )


def _environment(environment: dict[str, Any] | None) -> dict[str, Any] | None:
    if not environment:
        return None
    props = drop_none(
        {
            "Type": environment.get("type"),
            "Image": environment.get("image"),
            "ComputeType": environment.get("computeType"),
            "PrivilegedMode": environment.get("privilegedMode"),
            "ImagePullCredentialsType": environment.get("imagePullCredentialsType"),
            "Certificate": environment.get("certificate"),
        }
    )
    variables = environment.get("environmentVariables") or []
    if any(v.get("type") not in REFERENCE_TYPES for v in variables):
        props["EnvironmentVariables"] = dict(PLAIN_VARIABLES)
    elif variables:
        props["EnvironmentVariables"] = [
            drop_none({"Name": v.get("name"), "Type": v["type"], "Value": v.get("value")})
            for v in variables
        ]
    return props


COLLECTORS = (Collector("codebuild.projects", "codebuild", REGIONAL, collect, TYPES),)
