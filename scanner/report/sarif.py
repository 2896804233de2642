"""SARIF 2.1.0 output, shaped for GitHub code scanning.

The log is built with sarif-om and serialised with ``jschema_to_python``'s mapping
(``serialise``: ``to_json`` without its deep copies), then repaired where that pair
falls short of the schema GitHub reads:

- ``to_json`` drops every value equal to its default, so an explicit ``level: warning`` or
  ``kind: fail`` disappears; they are put back (``_restore_defaults``).
- sarif-om's ``Suppression`` has ``state`` where SARIF 2.1.0 says ``status``; renamed.
- ``PropertyBag`` only knows ``tags``; property bags are passed as plain dicts instead.

Result kinds: ``fail`` (and suppressed) results carry the policy's level; ``unknown``
results are ``kind: review`` with ``level: none`` (SARIF §3.27.10: any kind other than
``fail`` has level ``none``); with ``include_passed``, ``pass`` and ``notApplicable``
(skip). Evaluation errors and ``ScanResult.errors`` become tool execution notifications.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attr
import sarif_om as om

from scanner.errors import Diagnostic
from scanner.escape import json_escaped
from scanner.model import Finding, Location, PolicyInfo, Status, Suppressed
from scanner.report.compact import batched, compact
from scanner.report.sarif_fixes import sarif_fix
from scanner.report.sarif_rules import LEVEL, rule_descriptor
from scanner.result import FindingFix, ReportOptions, ScanResult
from scanner.triage.fingerprint import FINGERPRINT_KEY, fingerprints
from scanner.triage.locations import (
    LiveIdentity,
    file_uri,
    finding_file,
    live_identity,
    ordered,
    pseudo_path,
    pseudo_segments,
    relative_path,
    result_message,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pacscan/pacscan"
SRCROOT = "%SRCROOT%"

_KIND: dict[Status, tuple[str, str | None]] = {  # None: the policy's level
    Status.FAIL: ("fail", None),
    Status.SUPPRESSED: ("fail", None),
    Status.UNKNOWN: ("review", "none"),
    Status.PASS: ("pass", "none"),
    Status.SKIP: ("notApplicable", "none"),
}


def render(result: ScanResult, options: ReportOptions) -> str:
    """The log as indented JSON, each result on one line of its own (``chunks``, joined)."""
    return "".join(chunks(result, options))


def chunks(result: ScanResult, options: ReportOptions) -> Iterator[str]:
    """The log's text in pieces: the head, each result's line, the tail.

    ``json`` writes indented text with its pure-Python encoder only, which took about half
    the time of a 10,000-result scan; each result goes through the C encoder instead and is
    spliced in where a one-off marker stands for the run's results. A result becomes its
    line as soon as it is made, and a writer can write each line before the next is made:
    neither the objects nor the text of all of them need be held at once.
    """
    log, results = _parts(result, options)
    marker = f"results-{secrets.token_hex(8)}"
    log["runs"][0]["results"] = marker
    text = json.dumps(log, indent=2, ensure_ascii=False, sort_keys=True)
    at = text.index(f'"{marker}"')
    indent = at - text.rindex("\n", 0, at) - 1 - len('"results": ')
    yield json_escaped(text[:at]) + "["
    pad = " " * (indent + 2)
    opened = False
    for batch in batched(results):
        lines = (",\n" + pad).join(compact(r, sort_keys=True) for r in batch)
        yield (",\n" if opened else "\n") + pad + json_escaped(lines)
        opened = True
    yield (
        ("\n" + " " * indent + "]" if opened else "]")
        + json_escaped(text[at + len(marker) + 2 :])
        + "\n"
    )


def sarif_log(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log as JSON data."""
    log, results = _parts(result, options)
    log["runs"][0]["results"] = list(results)
    return log


def _parts(result: ScanResult, options: ReportOptions) -> tuple[dict[str, Any], Iterator[Any]]:
    """The log as JSON data without its results, and its results one at a time."""
    findings = reported(result, options) + ordered(result.absent, result.root)
    run, results = _run(result, options, findings)
    log = om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])
    data: dict[str, Any] = json.loads(json.dumps(log, default=serialise))
    _restore_defaults(data)
    return data, results


def serialise(obj: Any) -> Any:
    """``jschema_to_python.to_json``'s mapping for one sarif-om object, without the copy.

    ``to_json`` deep-copies each object's attributes before mapping them, and the encoder
    then meets every nested object again: (objects x depth) copies, over half a minute
    for 10,000 results. Its two mapping steps (drop default values, rename to the schema's
    property names) only touch the top level of the attribute dict, so a shallow copy
    gives the same JSON (a test compares the two on a full log).
    """
    if not hasattr(obj, "__dict__"):
        return str(obj)
    plan = _field_plan(type(obj))
    fields: dict[str, Any] = {}
    for name, value in obj.__dict__.items():
        spec = plan.get(name)
        if spec is None:
            fields[name] = value
        elif value != spec[1]:  # a default value is left out
            fields[spec[0]] = value
    return fields


_PLANS: dict[type, dict[str, tuple[str, Any]]] = {}


def _field_plan(cls: type) -> dict[str, tuple[str, Any]]:
    """Per sarif-om class: attribute -> (schema property name, default value), read once
    per class rather than through ``attr.fields`` for every object."""
    plan = _PLANS.get(cls)
    if plan is not None:
        return plan
    plan = _PLANS[cls] = {}
    for field in attr.fields(cls):
        default = field.default
        value = default.factory() if isinstance(default, attr.Factory) else default  # type: ignore[arg-type]
        plan[field.name] = (field.metadata.get("schema_property_name") or field.name, value)
    return plan


def reported(result: ScanResult, options: ReportOptions) -> list[Finding]:
    """The findings that become SARIF results, in report order."""
    statuses = {Status.FAIL, Status.UNKNOWN}
    if not options.omit_suppressed:
        statuses.add(Status.SUPPRESSED)
    if options.include_passed:
        statuses |= {Status.PASS, Status.SKIP}
    return ordered((f for f in result.findings if f.status in statuses), result.root)


def _run(
    result: ScanResult, options: ReportOptions, findings: list[Finding]
) -> tuple[om.Run, Iterator[dict[str, Any]]]:
    """The run without its results, and the results of ``findings``, made one by one."""
    policies = _policies(result, findings)
    index = {policy.id: i for i, policy in enumerate(policies)}
    category = options.category if options.category.endswith("/") else options.category + "/"
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="pacscan",
                version=options.tool_version,
                semantic_version=options.tool_version,
                information_uri=INFORMATION_URI,
                rules=[rule_descriptor(policy) for policy in policies],
            )
        ),
        results=[],
        automation_details=om.RunAutomationDetails(id=category),
        invocations=[_invocation(result, index)],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_root_uri(result.root))},
        column_kind="unicodeCodePoints",
    )
    return run, _results(result, findings, index)


def _results(
    result: ScanResult, findings: list[Finding], index: dict[str, int]
) -> Iterator[dict[str, Any]]:
    prints = fingerprints(result.findings, result.root, wanted=findings)
    fixes = {id(fix.finding): fix for fix in result.fixes}
    # if one result has ``suppressions`` or ``baselineState``, every result must
    suppressions = any(
        f.status is Status.SUPPRESSED and f.triage.suppression is not None for f in findings
    )
    baseline = any(f.triage.baseline is not None for f in findings)
    for f in findings:
        fingerprint = prints.get(id(f)) or _stored_fingerprint(f)
        item = _result(f, fingerprint, index[f.policy.id], result.root, fixes)
        if suppressions:
            item.setdefault("suppressions", [])
        if baseline:
            item.setdefault("baselineState", "new")
        yield item


def _stored_fingerprint(finding: Finding) -> str:
    return finding.triage.fingerprint or ""


def _policies(result: ScanResult, findings: Sequence[Finding]) -> list[PolicyInfo]:
    """Every policy that ran, then any other policy a result names (in first-seen order)."""
    by_id: dict[str, PolicyInfo] = {}
    for policy in (*result.policies, *(f.policy for f in findings)):
        by_id.setdefault(policy.id, policy)
    return list(by_id.values())


def _result(
    finding: Finding,
    fingerprint: str,
    rule_index: int,
    root: str,
    fixes: dict[int, FindingFix],
) -> dict[str, Any]:
    """One result as JSON data, built directly: through sarif-om's objects and a JSON
    round trip, the results of a 200,000-finding scan took 20 s; the header, the rules
    and the notifications still go through sarif-om (``serialise``), and a test checks
    that both give the same result."""
    kind, level = _KIND.get(finding.status, ("fail", None))
    identity = live_identity(finding.resource)
    location, uri = _result_location(finding, root, identity)
    result: dict[str, Any] = {
        "ruleId": finding.policy.id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level or LEVEL[finding.policy.severity],
        "message": {"text": result_message(finding)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": _properties(finding, identity),
    }
    suppression = finding.triage.suppression
    if finding.status is Status.SUPPRESSED and suppression is not None:
        result["suppressions"] = [_suppression(suppression)]
    state = finding.triage.baseline
    if state is not None:
        result["baselineState"] = state.value
    fix = fixes.get(id(finding))
    if uri is not None and fix is not None and finding.status in (Status.FAIL, Status.SUPPRESSED):
        result["fixes"] = [json.loads(json.dumps(sarif_fix(fix, uri, SRCROOT), default=serialise))]
    return result


def _suppression(suppression: Suppressed) -> dict[str, str]:
    item = {"kind": suppression.kind, "status": "accepted"}
    if suppression.justification:
        item["justification"] = suppression.justification
    return item


def _properties(finding: Finding, identity: LiveIdentity | None) -> dict[str, Any]:
    resource = finding.resource
    props: dict[str, Any] = {"resourceType": resource.type, "resourceId": resource.id}
    if identity is not None:
        props.update(arn=identity.arn, account=identity.account, region=identity.region)
    origin = resource.template
    if origin is not None and origin.conditions:
        conditions = origin.conditions
        props["conditions"] = dict(conditions)
    return props


def _result_location(
    finding: Finding, root: str, identity: LiveIdentity | None
) -> tuple[dict[str, Any], str | None]:
    """The result's location, and the file URI a fix may edit (None for live resources)."""
    if identity is not None:
        artifact = {"uri": pseudo_path(finding.resource, identity), "uriBaseId": SRCROOT}
        logical = {"fullyQualifiedName": identity.arn, "name": identity.name, "kind": "resource"}
        location = {
            "physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}},
            "logicalLocations": [{k: v for k, v in logical.items() if v is not None}],
        }
        return location, None
    file = finding_file(finding, root)
    if file is not None:
        uri = file_uri(file)
    else:  # a resource built in memory, with no document
        uri = pseudo_segments("resources", finding.resource.type, finding.resource.id)
    physical = {
        "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
        "region": _region_data(finding.location),
    }
    return {"physicalLocation": physical}, uri if file is not None else None


def _region_data(location: Location | None) -> dict[str, int]:
    if location is None:
        return {"startLine": 1}
    region = {"startLine": location.line, "startColumn": location.column}
    if location.end_line is not None:
        region["endLine"] = location.end_line
    if location.end_column is not None:
        region["endColumn"] = location.end_column
    return region


def _invocation(result: ScanResult, rule_index: dict[str, int]) -> om.Invocation:
    notifications = [_diagnostic_notification(d, result.root) for d in result.errors]
    notifications += [
        _error_notification(f, rule_index, result.root)
        for f in ordered((f for f in result.findings if f.status is Status.ERROR), result.root)
    ]
    failed = any(n.level == "error" for n in notifications)
    return om.Invocation(
        execution_successful=not failed,
        start_time_utc=_timestamp(result.started_at),
        end_time_utc=_timestamp(result.finished_at),
        tool_execution_notifications=notifications,
    )


def _diagnostic_notification(diag: Diagnostic, root: str) -> om.Notification:
    text = diag.message if not diag.hint else f"{diag.message} (hint: {diag.hint})"
    notification = om.Notification(
        message=om.Message(text=text),
        level=diag.severity if diag.severity in ("error", "warning", "note") else "note",
        descriptor=om.ReportingDescriptorReference(id=diag.code),
    )
    file = diag.location.file if diag.location is not None else diag.file
    if file:
        notification.locations = [_notification_location(file, diag.location, root)]
    return notification


def _error_notification(finding: Finding, rule_index: dict[str, int], root: str) -> om.Notification:
    policy = finding.policy
    notification = om.Notification(
        message=om.Message(text=f"{policy.id} on {finding.resource.id}: {finding.message}"),
        level="error",
        associated_rule=om.ReportingDescriptorReference(id=policy.id, index=rule_index[policy.id]),
    )
    location, _ = _result_location(finding, root, live_identity(finding.resource))
    notification.locations = [location]
    return notification


def _notification_location(file: str, location: Location | None, root: str) -> om.Location:
    rel = relative_path(file, root)
    if rel.startswith("../") or Path(rel).is_absolute():
        artifact = om.ArtifactLocation(uri=Path(file).resolve().as_uri())
    else:
        artifact = om.ArtifactLocation(uri=file_uri(rel), uri_base_id=SRCROOT)
    physical = om.PhysicalLocation(artifact_location=artifact)
    if location is not None:
        physical.region = _region_data(location)
    return om.Location(physical_location=physical)


def _root_uri(root: str) -> str:
    return Path(root).resolve().as_uri().rstrip("/") + "/"


def _timestamp(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _restore_defaults(log: dict[str, Any]) -> None:
    """Put back what ``to_json`` dropped for equalling a default (results are built whole)."""
    for run in log["runs"]:
        for rule in run["tool"]["driver"].get("rules", []):
            rule.setdefault("defaultConfiguration", {}).setdefault("level", "warning")
        for invocation in run.get("invocations", []):
            for notification in invocation.get("toolExecutionNotifications", []):
                notification.setdefault("level", "warning")
