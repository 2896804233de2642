"""GitLab SAST: the ``gl-sast-report.json`` that ``artifacts:reports:sast`` takes.

Shaped by GitLab's security report schema ``sast-report-format.json`` version
``SCHEMA_VERSION``: a ``scan`` object (analyzer and scanner: pacscan; start and end time
in UTC as ``yyyy-mm-ddThh:mm:ss``; ``status``; input errors as ``warn`` messages) and one
vulnerability per failed finding. Suppressed, unknown and passed findings are not
vulnerabilities. Each vulnerability has:

- ``id``: a UUID made from the finding's fingerprint (the one SARIF and baselines use),
  so the same finding keeps its id from one pipeline to the next;
- ``name`` (the policy title), ``description`` (its description), ``severity``,
  ``solution`` (its help and the fix clause), ``links`` (its help URL);
- ``identifiers``: the policy id first (GitLab's primary identifier, type
  ``pacscan_policy``), then its framework controls and equivalent checks;
- ``location``: the file relative to the scan root with ``start_line``/``end_line``; a
  live resource's stable pseudo-path (``aws/<account>/<region>/<type>/<name>``, as in
  SARIF) with the ARN as ``class``.

Every finding is reported whatever ``--new-only`` says: GitLab compares pipelines itself.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from scanner.errors import Diagnostic
from scanner.escape import json_escaped
from scanner.fix.describe import describe_all
from scanner.model import Finding, PolicyInfo, Severity, Status
from scanner.result import ReportOptions, ScanResult
from scanner.triage.fingerprint import fingerprints
from scanner.triage.locations import (
    finding_file,
    live_identity,
    ordered,
    pseudo_path,
    relative_path,
)

SCHEMA_VERSION = "15.1.4"
SCHEMA_URI = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
INFORMATION_URI = "https://github.com/pacscan/pacscan"
# The schema's limits
MAX_NAME = 255
MAX_DESCRIPTION = 1_048_576
MAX_SOLUTION = 7000

_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
_IDS = uuid.UUID("5c1b7e0e-6d4b-4c55-9b1e-70a5c5a2f0d1")  # namespace of vulnerability ids


def render(result: ScanResult, options: ReportOptions) -> str:
    text = json.dumps(report_data(result, options), indent=2, ensure_ascii=False)
    return json_escaped(text) + "\n"


def report_data(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    failed = ordered((f for f in result.findings if f.status is Status.FAIL), result.root)
    prints = fingerprints(failed, result.root)
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URI,
        "scan": _scan(result, options),
        "vulnerabilities": [vulnerability(f, prints[id(f)], result.root) for f in failed],
    }


def _scan(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    tool = {
        "id": "pacscan",
        "name": "pacscan",
        "url": INFORMATION_URI,
        "vendor": {"name": "pacscan"},
        "version": options.tool_version,
    }
    scan: dict[str, Any] = {
        "analyzer": tool,
        "scanner": dict(tool),
        "type": "sast",
        "start_time": _time(result.started_at),
        "end_time": _time(result.finished_at),
        "status": "success",
    }
    messages = [_message(d, result.root) for d in result.errors if d.severity == "error"]
    if messages:
        scan["messages"] = messages
    return scan


def _message(diag: Diagnostic, root: str) -> dict[str, str]:
    """An input error as a scan message: ``file:line:col: CODE: message``."""
    loc = diag.location
    file = loc.file if loc is not None else diag.file
    where = relative_path(file, root) if file else ""
    if where and loc is not None:
        where += f":{loc.line}:{loc.column}"
    return {"level": "warn", "value": f"{where + ': ' if where else ''}{diag.code}: {diag.message}"}


def vulnerability(finding: Finding, fingerprint: str, root: str) -> dict[str, Any]:
    policy = finding.policy
    item: dict[str, Any] = {
        "id": str(uuid.uuid5(_IDS, f"{policy.id}\x1f{fingerprint}")),
        "name": _clip(policy.title, MAX_NAME),
        "description": _clip(_description(finding), MAX_DESCRIPTION),
        "severity": _SEVERITY[policy.severity],
        "identifiers": identifiers(policy),
        "location": location(finding, root),
    }
    solution = _solution(policy)
    if solution:
        item["solution"] = _clip(solution, MAX_SOLUTION)
    if policy.help_url and _is_web(policy.help_url):
        item["links"] = [{"name": "Reference", "url": policy.help_url}]
    return item


def _description(finding: Finding) -> str:
    about = finding.policy.description.strip() or finding.policy.title
    return f"{finding.message}\n\n{about}" if finding.message else about


def _solution(policy: PolicyInfo) -> str:
    parts = [policy.help.strip()]
    if policy.fixes:
        fix = describe_all(policy.fixes, policy.resource_types)
        parts.append(f"pacscan fix {fix}.")
    return "\n\n".join(p for p in parts if p)


def identifiers(policy: PolicyInfo) -> list[dict[str, str]]:
    first: dict[str, str] = {"type": "pacscan_policy", "name": policy.id, "value": policy.id}
    if policy.help_url and _is_web(policy.help_url):
        first["url"] = policy.help_url
    found = [first]
    for control in policy.controls:
        found.append({"type": "pacscan_control", "name": control, "value": control})
    for equivalent in policy.equivalents:
        found.append({"type": "pacscan_equivalent", "name": equivalent, "value": equivalent})
    return found


def location(finding: Finding, root: str) -> dict[str, Any]:
    identity = live_identity(finding.resource)
    if identity is not None:
        return {"file": pseudo_path(finding.resource, identity), "class": identity.arn}
    where: dict[str, Any] = {"file": finding_file(finding, root) or finding.resource.id}
    loc = finding.location
    if loc is not None:
        where["start_line"] = loc.line
        where["end_line"] = loc.end_line or loc.line
    return where


def _time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _is_web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
