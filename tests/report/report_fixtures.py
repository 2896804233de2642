"""Scan results built by hand for report tests: templates loaded by the real loader,
policies, findings, and the official SARIF schema."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema

from scanner.errors import Diagnostic
from scanner.fix.apply import FileFix, edit_in_rounds
from scanner.fix.plan import plan
from scanner.fix.text_ops import CannotEdit
from scanner.loaders import LoadedInputs, LoadOptions, load_inputs
from scanner.model import (
    BaselineState,
    Document,
    Finding,
    FixOp,
    LiveOrigin,
    Location,
    PolicyInfo,
    Resource,
    Severity,
    Status,
    Suppressed,
    Triage,
    locate,
)
from scanner.report.sarif_fixes import finding_fixes
from scanner.result import ScanResult, TemplateFix

SCHEMA_PATH = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Report fixture
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
      VersioningConfiguration:
        Status: Suspended
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: uploads
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Bastion access
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""

VERSIONING = PolicyInfo(
    id="PAC-S3-014",
    name="S3_BUCKET_VERSIONING",
    title="S3 buckets keep object versions",
    severity=Severity.MEDIUM,
    resource_types=("AWS::S3::Bucket",),
    description="Versioning keeps every version of an object, so deletes can be undone.",
    controls=("aws-fsbp:S3.14", "cis-aws-3.0:2.1.1"),
    equivalents=("checkov:CKV_AWS_21",),
    tags=("s3", "data-protection"),
    help="Set `VersioningConfiguration.Status` to `Enabled`.",
    help_url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    fixes=(FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),),
)

OPEN_SSH = PolicyInfo(
    id="PAC-EC2-001",
    name="EC2_NO_OPEN_SSH",
    title="Security groups do not open SSH to the world",
    severity=Severity.HIGH,
    resource_types=("AWS::EC2::SecurityGroup",),
    tags=("ec2", "network"),
    controls=("aws-fsbp:EC2.13",),
)

ENCRYPTION = PolicyInfo(
    id="PAC-S3-001",
    name="S3_BUCKET_ENCRYPTION",
    title="S3 buckets encrypt objects at rest",
    severity=Severity.CRITICAL,
    resource_types=("AWS::S3::Bucket",),
)

STARTED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
FINISHED = datetime(2024, 5, 1, 12, 0, 2, 500000, tzinfo=timezone.utc)


class Factory:
    """Builds documents, resources, findings and results under one scan root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._loaded: dict[str, LoadedInputs] = {}

    def document(self, name: str = "templates/app.yaml", text: str = TEMPLATE) -> Document:
        """Writes ``text`` under the root and loads it as pacscan does."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        loaded = load_inputs([str(path)], LoadOptions(jobs=1))
        assert not loaded.errors, loaded.errors
        self._loaded[str(path)] = loaded
        return loaded.documents[0]

    def resources(self, document: Document) -> dict[str, Resource]:
        return {r.id: r for r in self._loaded[document.path].resources}

    def live(self, name: str = "acme-logs", **origin: Any) -> Resource:
        snapshot = self.root / "snapshots" / "prod.json"
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text("{}", encoding="utf-8")
        arn = f"arn:aws:s3:::{name}"
        fields = {"arn": arn, "account": "123456789012", "region": "us-east-1", "name": name}
        fields.update(origin)
        return Resource(
            type="AWS::S3::Bucket",
            id=arn,
            body={"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}},
            document=Document(str(snapshot), "snapshot"),
            origin=LiveOrigin(**fields),
        )


def finding(
    policy: PolicyInfo,
    resource: Resource,
    status: Status = Status.FAIL,
    message: str = "",
    path: tuple[str | int, ...] = (),
    *,
    suppression: Mapping[str, str] | None = None,
    baseline_state: str | None = None,
    fingerprint: str | None = None,
) -> Finding:
    """A finding; ``suppression`` is SARIF's {"kind", "justification"}, ``baseline_state``
    one of SARIF's baseline states."""
    suppressed = None
    if suppression is not None:
        suppressed = Suppressed(suppression["kind"], suppression.get("justification"), status)
    state = BaselineState(baseline_state) if baseline_state is not None else None
    return Finding(
        policy=policy,
        resource=resource,
        status=status,
        message=message or f"{resource.id} breaks {policy.id}",
        path=path,
        location=locate(resource, path),
        fix=policy.fixes if status is Status.FAIL else (),
        triage=Triage(suppressed, state, fingerprint),
    )


def scan_result(
    root: Path,
    findings: Iterable[Finding],
    errors: Iterable[Diagnostic] = (),
    policies: Iterable[PolicyInfo] = (VERSIONING, OPEN_SSH, ENCRYPTION),
    fixes_at: Severity | None = Severity.LOW,
    **fields: Any,
) -> ScanResult:
    """A result; ``fixes_at``: carry the edits ``pacscan fix`` makes for the failed findings
    at or above it (these policies have no assertions, so nothing is re-scanned here; the
    re-scan's part is tested in tests/fix)."""
    found = tuple(findings)
    edits = template_edits(found, fixes_at) if fixes_at is not None else ()
    return ScanResult(
        fixes=tuple(finding_fixes(found, edits, str(root))),
        findings=found,
        errors=tuple(errors),
        policies=tuple(policies),
        files=len({f.resource.document.path for f in found if f.resource.document}),
        resources=len({id(f.resource) for f in found}),
        root=str(root),
        started_at=STARTED,
        finished_at=FINISHED,
        **fields,
    )


def template_edits(findings: tuple[Finding, ...], fail_on: Severity) -> tuple[TemplateFix, ...]:
    """The files ``pacscan fix`` writes for ``findings`` at ``fail_on`` (not re-scanned)."""
    made = []
    for path, requests in plan(findings, fail_on).requests.items():
        text = requests[0].finding.resource.document.text  # type: ignore[union-attr]
        with contextlib.suppress(CannotEdit):
            after = edit_in_rounds(FileFix(path, before=text), text, requests)
            made.append(TemplateFix(path, tuple(r.finding for r in requests), after))
    return tuple(made)


def input_error(root: Path) -> Diagnostic:
    return Diagnostic(
        code="I001",
        message="expected a mapping, found a sequence",
        location=Location(str(root / "templates" / "broken.yaml"), 3, 5, 3, 9),
        source_line="  - oops",
    )


def sarif_schema_validator() -> Callable[[str], dict[str, Any]]:
    """Parses a SARIF text and validates it against the official 2.1.0 schema."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)

    def validate(text: str) -> dict[str, Any]:
        log: dict[str, Any] = json.loads(text)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        return log

    return validate
