"""Baselines: compare a scan with a previous one (``--baseline previous.sarif``).

The previous scan is a SARIF log or a JSON report written by pacscan. Results are
matched by fingerprint (``scanner.triage.fingerprint``: policy, file, resource and path, never a
line), read from ``partialFingerprints.primaryLocationLineHash`` in SARIF and recomputed
from the fields of a JSON report. Each current finding gets a ``triage.baseline``
(``scanner.model.BaselineState``):

- ``new``: no previous result has its fingerprint;
- ``unchanged``: a previous result has it, with the same status and message;
- ``updated``: a previous result has it, but the status or the message changed.

Previous results no current finding matches are ``absent`` (the problem went away):
they come back as ``ScanResult.absent`` so SARIF can report them, and never count
toward the exit code. With ``--new-only`` only ``new`` failures fail the scan.

Except where this scan could not look: a previous result on a live resource whose
(account, region, type) this scan's collection failed to list (a *gap*, see
``scanner.loaders.snapshot``) is not absent but *carried*: it comes back among the
findings as it was (status and message), ``unchanged``, with ``triage.carried``
naming the failure. A throttled listing never reads as a fix.
Two findings with identical inputs (the two ``Fn::If`` branches of one resource on one
path) are told apart by their order; a JSON report numbers them among the findings it
lists, so in that rare case a match can be off by one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from scanner.errors import Diagnostic, UsageError
from scanner.model import (
    BaselineState,
    Document,
    Finding,
    LiveOrigin,
    Location,
    PolicyInfo,
    Resource,
    Severity,
    Status,
    Suppressed,
    TemplateOrigin,
    Triage,
)
from scanner.result import ScanResult, moved_fixes
from scanner.triage.fingerprint import (
    FINGERPRINT_KEY,
    fingerprint_base,
    fingerprints,
    number_occurrences,
)
from scanner.triage.locations import result_message


@dataclass(frozen=True, slots=True)
class PreviousResult:
    """One result of a previous scan, as much of it as a baseline needs."""

    fingerprint: str
    policy_id: str
    status: Status
    message: str
    format: str  # "sarif" | "json": how ``message`` was written
    title: str = ""
    severity: Severity = Severity.MEDIUM
    resource_type: str = ""
    resource_id: str = ""
    file: str | None = None  # relative to the scan root
    location: tuple[int, int, int | None, int | None] | None = None
    metadata: Mapping[str, Any] | None = None  # arn, account, region, name (live)
    suppression: Suppressed | None = None


def load_baseline_if_present(path: str) -> tuple[list[PreviousResult], Diagnostic | None]:
    """Like ``load_baseline``, but a file that does not exist yet is an empty baseline.

    A pipeline's first run has no previous report: every finding is new, and a warning
    says why instead of failing the run.
    """
    if not os.path.exists(path):
        warning = Diagnostic(
            code="B004",
            message=f"baseline {path} does not exist yet; every finding counts as new",
            severity="warning",
            file=path,
        )
        return [], warning
    return load_baseline(path), None


def load_baseline(path: str) -> list[PreviousResult]:
    """The results of a previous SARIF log or JSON report; ``UsageError`` if unreadable."""
    data = _read_json(path)
    if isinstance(data, dict) and isinstance(data.get("runs"), list):
        return _checked(path, data, SARIF_SHAPE, _from_sarif)
    if isinstance(data, dict) and data.get("version") == 1 and "findings" in data:
        return _checked(path, data, JSON_REPORT_SHAPE, _from_json_report)
    raise UsageError(
        f"baseline {path} is neither a SARIF log nor a pacscan JSON report",
        code="B003",
        hint=_WRITTEN_BY,
    )


_WRITTEN_BY = "pass a file written by `pacscan scan --format sarif` or `--format json`"


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read baseline {path}: {exc.strerror}", code="B001") from exc
    except json.JSONDecodeError as exc:
        location = Location(path, exc.lineno, exc.colno)
        raise UsageError(
            f"baseline is not valid JSON: {exc.msg}", code="B002", location=location
        ) from exc
    except UnicodeDecodeError as exc:
        message = f"baseline {path} is not UTF-8 text (byte {exc.start})"
        raise UsageError(message, code="B002") from exc
    except RecursionError as exc:
        raise UsageError(f"baseline {path} is nested too deeply", code="B002") from exc


def _checked(
    path: str,
    data: Mapping[str, Any],
    shape: Mapping[str, Any],
    read: Callable[[Mapping[str, Any]], list[PreviousResult]],
) -> list[PreviousResult]:
    """``read(data)``; when the data is not of the shape it expects, one ``UsageError``.

    Reading is written for well-formed reports. Only when it trips does ``shape`` (the
    part of the format a baseline reads, as JSON Schema) say precisely what is wrong,
    so the check costs nothing on the large baselines of nightly audits.
    """
    try:
        return read(data)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        problem = _shape_problem(data, shape)
        if problem is None:
            raise  # the shape is right: a defect in this module, not in the file
        where, text = problem
        raise UsageError(
            f"baseline {path} is not a report pacscan can compare with: {text}",
            code="B003",
            hint=_WRITTEN_BY,
            location=_position(path, where),
        ) from exc


def _shape_problem(data: Any, shape: Mapping[str, Any]) -> tuple[tuple[Any, ...], str] | None:
    """The first place (by path) where ``data`` is not of ``shape``, and what is wrong."""
    from jsonschema import Draft202012Validator

    found = list(Draft202012Validator(shape).iter_errors(data))
    if not found:
        return None
    problem = min(found, key=lambda p: [str(k) for k in p.absolute_path])
    where = tuple(problem.absolute_path)
    pointer = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where)
    text = problem.message if len(problem.message) <= 200 else problem.message[:200] + "…"
    return where, f"{pointer.lstrip('.') or 'top level'}: {text}"


def _position(path: str, where: tuple[Any, ...]) -> Location | None:
    """Where the value at ``where`` sits in the file (None if it cannot be told)."""
    from scanner.errors import InputError
    from scanner.loaders.json_source import read_json
    from scanner.loaders.source import Limits

    try:
        with open(path, encoding="utf-8-sig") as handle:
            parsed = read_json(path, handle.read(), Limits())
        span = parsed.positions.get(where)
    except (OSError, ValueError, InputError):
        return None
    return span.value if span is not None else None


def _object(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": dict(properties)}


def _array(items: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": dict(items)}


_STRING = {"type": "string"}
_INT = {"type": "integer"}
_TEXT = _object({"text": _STRING})
_REGION = _object({k: _INT for k in ("startLine", "startColumn", "endLine", "endColumn")})
# What a baseline reads of a SARIF log (valid SARIF always has this shape).
SARIF_SHAPE = _object(
    {
        "runs": _array(
            _object(
                {
                    "tool": _object(
                        {"driver": _object({"rules": _array(_object({"id": _STRING}))})}
                    ),
                    "results": _array(
                        _object(
                            {
                                "ruleId": _STRING,
                                "kind": _STRING,
                                "level": _STRING,
                                "message": _TEXT,
                                "partialFingerprints": {"type": "object"},
                                "properties": {"type": "object"},
                                "suppressions": _array(_object({"status": _STRING})),
                                "locations": _array(
                                    _object(
                                        {
                                            "physicalLocation": _object(
                                                {
                                                    "artifactLocation": _object({"uri": _STRING}),
                                                    "region": _REGION,
                                                }
                                            ),
                                            "logicalLocations": _array({"type": "object"}),
                                        }
                                    )
                                ),
                            }
                        )
                    ),
                }
            )
        )
    }
)
# What a baseline reads of a pacscan JSON report.
JSON_REPORT_SHAPE = _object(
    {
        "findings": _array(
            _object(
                {
                    "resource": _object({"type": _STRING, "id": _STRING}),
                    "path": _array({"type": ["string", "integer"]}),
                    "file": {"type": ["string", "null"]},
                    "location": {
                        "type": ["object", "null"],
                        "properties": {k: _INT for k in ("line", "column")},
                    },
                }
            )
        )
    }
)


def apply_baseline(result: ScanResult, previous: Sequence[PreviousResult]) -> ScanResult:
    """``result`` with a baseline state on every finding and the absent results; its
    fixes follow their findings."""
    by_print = {p.fingerprint: p for p in previous}
    prints = fingerprints(result.findings, result.root)
    seen: set[str] = set()
    findings = []
    for finding in result.findings:
        fingerprint = prints[id(finding)]
        before = by_print.get(fingerprint)
        seen.add(fingerprint)
        state = BaselineState.NEW if before is None else _compare(finding, before)
        findings.append(replace(finding, triage=replace(finding.triage, baseline=state)))
    policies = {p.id: p for p in result.policies}
    gaps = _gaps(result.findings)
    absent: list[Finding] = []
    for before in previous:
        if before.fingerprint in seen:
            continue
        gone = _absent(before, policies.get(before.policy_id), result.root)
        gap = _gap_over(before, gaps)
        if gap is None:
            absent.append(gone)
            continue
        carried = replace(gone.triage, baseline=BaselineState.UNCHANGED, carried=gap)
        findings.append(replace(gone, triage=carried))
    fixes = moved_fixes(result.fixes, result.findings, findings)
    return replace(result, findings=tuple(findings), absent=tuple(absent), fixes=fixes)


def _gaps(findings: Sequence[Finding]) -> dict[tuple[str, str, str], str]:
    """(account, region, type) → why this scan could not list them."""
    gaps: dict[tuple[str, str, str], str] = {}
    for finding in findings:
        live = finding.resource.live
        if live is not None and live.gap is not None:
            key = (live.account, live.region, finding.resource.type)
            gaps.setdefault(key, live.gap)
    return gaps


def _gap_over(before: PreviousResult, gaps: Mapping[tuple[str, str, str], str]) -> str | None:
    """The gap that hides ``before``'s resource in this scan, if any.

    A gap in ``global`` (an account whose role could not be assumed, an IAM listing)
    covers that type in every region of the account.
    """
    if not gaps or not before.metadata:
        return None
    account = str(before.metadata.get("account"))
    region = str(before.metadata.get("region"))
    kind = before.resource_type
    return gaps.get((account, region, kind)) or gaps.get((account, "global", kind))


def _compare(finding: Finding, before: PreviousResult) -> BaselineState:
    message = result_message(finding) if before.format == "sarif" else finding.message
    same = finding.status is before.status and message == before.message
    return BaselineState.UNCHANGED if same else BaselineState.UPDATED


def _absent(before: PreviousResult, policy: PolicyInfo | None, root: str) -> Finding:
    if policy is None:
        policy = PolicyInfo(
            id=before.policy_id,
            name=before.policy_id,
            title=before.title or before.policy_id,
            severity=before.severity,
            resource_types=(before.resource_type,) if before.resource_type else (),
        )
    file = os.path.join(root, before.file) if before.file else None
    resource = Resource(
        type=before.resource_type,
        id=before.resource_id,
        body={},
        document=Document(file, "baseline") if file else None,
        origin=_live_origin(before.metadata) if before.metadata else TemplateOrigin(),
    )
    location = None
    if file and before.location is not None:
        location = Location(file, *before.location)
    triage = Triage(before.suppression, BaselineState.ABSENT, before.fingerprint)
    return Finding(
        policy=policy,
        resource=resource,
        status=before.status,
        message=before.message,
        location=location,
        triage=triage,
    )


_LEVEL_SEVERITY = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW}


def _from_sarif(log: Mapping[str, Any]) -> list[PreviousResult]:
    results = []
    for run in log["runs"]:
        driver = (run.get("tool") or {}).get("driver") or {}
        if driver.get("name") != "pacscan":
            continue  # a merged log: other tools' results are not ours to compare
        rules = {r.get("id"): r for r in driver.get("rules") or [] if isinstance(r, dict)}
        for item in run.get("results") or []:
            previous = _sarif_result(item, rules)
            if previous is not None:
                results.append(previous)
    return results


def _sarif_result(item: Any, rules: Mapping[Any, Any]) -> PreviousResult | None:
    if not isinstance(item, dict) or item.get("baselineState") == "absent":
        return None
    fingerprint = (item.get("partialFingerprints") or {}).get(FINGERPRINT_KEY)
    if not isinstance(fingerprint, str):
        return None
    rule = rules.get(item.get("ruleId")) or {}
    props = item.get("properties") or {}
    suppressions = [s for s in item.get("suppressions") or [] if s.get("status") != "rejected"]
    status = _sarif_status(item.get("kind", "fail"), bool(suppressions))
    physical, logical = _sarif_location(item)
    return PreviousResult(
        fingerprint=fingerprint,
        policy_id=str(item.get("ruleId", "")),
        status=status,
        message=str((item.get("message") or {}).get("text", "")),
        format="sarif",
        title=str((rule.get("shortDescription") or {}).get("text", "")),
        severity=_rule_severity(rule, item.get("level")),
        resource_type=str(props.get("resourceType", "")),
        resource_id=str(props.get("resourceId", "")),
        file=physical[0] if physical and not logical else None,
        location=physical[1] if physical and not logical else None,
        metadata=_sarif_live(props, logical) if logical else None,
        suppression=_sarif_suppression(suppressions[0]) if suppressions else None,
    )


def _sarif_status(kind: str, suppressed: bool) -> Status:
    if kind == "pass":
        return Status.PASS
    if kind == "notApplicable":
        return Status.SKIP
    if kind in ("review", "open", "informational"):
        return Status.UNKNOWN
    return Status.SUPPRESSED if suppressed else Status.FAIL


def _sarif_location(item: Mapping[str, Any]) -> tuple[Any, Any]:
    """``((file, region), logical location)`` of a result's first location."""
    locations = item.get("locations") or [{}]
    first = locations[0] if isinstance(locations[0], dict) else {}
    logical = (first.get("logicalLocations") or [None])[0]
    physical = first.get("physicalLocation") or {}
    uri = (physical.get("artifactLocation") or {}).get("uri")
    if not isinstance(uri, str):
        return None, logical
    region = physical.get("region") or {}
    line = region.get("startLine")
    where = None
    if isinstance(line, int):
        where = (line, region.get("startColumn", 1), region.get("endLine"), region.get("endColumn"))
    return (unquote(uri), where), logical


def _sarif_live(props: Mapping[str, Any], logical: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "arn": props.get("arn") or logical.get("fullyQualifiedName"),
        "account": props.get("account"),
        "region": props.get("region"),
        "name": logical.get("name"),
    }


def _sarif_suppression(suppression: Mapping[str, Any]) -> Suppressed:
    justification = suppression.get("justification")
    kind = suppression.get("kind")
    return Suppressed(
        kind if isinstance(kind, str) else "external",
        justification if isinstance(justification, str) and justification else None,
    )


def _rule_severity(rule: Mapping[Any, Any], level: Any) -> Severity:
    named = (rule.get("properties") or {}).get("severity")
    if named in {s.value for s in Severity}:
        return Severity(named)
    return _LEVEL_SEVERITY.get(str(level), Severity.MEDIUM)


def _from_json_report(data: Mapping[str, Any]) -> list[PreviousResult]:
    entries = [f for f in data.get("findings") or [] if isinstance(f, dict)]
    bases = [_json_base(f) for f in entries]
    results = []
    for entry, fingerprint in zip(entries, number_occurrences(bases), strict=True):
        resource = entry.get("resource") or {}
        loc = entry.get("location")
        live = "account" in resource
        results.append(
            PreviousResult(
                fingerprint=fingerprint,
                policy_id=str(entry.get("policy_id", "")),
                status=_status(entry.get("status")),
                message=str(entry.get("message", "")),
                format="json",
                title=str(entry.get("title", "")),
                severity=_severity(entry.get("severity")),
                resource_type=str(resource.get("type", "")),
                resource_id=str(resource.get("id", "")),
                file=entry.get("file"),
                location=_json_location(loc) if isinstance(loc, dict) else None,
                metadata=_live_metadata(resource) if live else None,
                suppression=Suppressed("external") if entry.get("status") == "suppressed" else None,
            )
        )
    return results


def _json_base(entry: Mapping[str, Any]) -> str:
    resource = entry.get("resource") or {}
    policy_id = str(entry.get("policy_id", ""))
    if "account" in resource:  # a live resource: its id is the ARN
        return fingerprint_base(policy_id, arn=str(resource.get("id", "")))
    return fingerprint_base(
        policy_id,
        file=entry.get("file"),
        resource_id=str(resource.get("id", "")),
        path=list(entry.get("path") or []),
    )


def _json_location(loc: Mapping[str, Any]) -> tuple[int, int, int | None, int | None] | None:
    line, column = loc.get("line"), loc.get("column")
    if not isinstance(line, int) or not isinstance(column, int):
        return None
    return (line, column, loc.get("end_line"), loc.get("end_column"))


def _live_origin(metadata: Mapping[str, Any]) -> LiveOrigin:
    """The origin of a live resource a previous report named (its ARN, account, region)."""
    return LiveOrigin(
        arn=str(metadata.get("arn") or ""),
        account=str(metadata.get("account") or ""),
        region=str(metadata.get("region") or ""),
        name=metadata.get("name"),
    )


def _live_metadata(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "arn": resource.get("id"),
        "account": resource.get("account"),
        "region": resource.get("region"),
    }


def _status(value: Any) -> Status:
    try:
        return Status(value)
    except ValueError:
        return Status.FAIL


def _severity(value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        return Severity.MEDIUM


@dataclass(frozen=True, slots=True)
class FailureChanges:
    """What changed in the failures since a baseline: what a nightly job reports."""

    new: tuple[Finding, ...]  # failing now, not failing in the baseline
    unchanged: tuple[Finding, ...]  # failing now and in the baseline
    fixed: tuple[PreviousResult, ...]  # failing in the baseline, not now (passed or gone)


def failure_changes(result: ScanResult, previous: Sequence[PreviousResult]) -> FailureChanges:
    """The failures of ``result`` against those of ``previous``, matched by fingerprint."""
    prints = fingerprints(result.findings, result.root)
    now = {prints[id(f)]: f for f in result.findings if f.status is Status.FAIL}
    before = {p.fingerprint: p for p in previous if p.status is Status.FAIL}
    return FailureChanges(
        new=tuple(f for key, f in now.items() if key not in before),
        unchanged=tuple(f for key, f in now.items() if key in before),
        fixed=tuple(p for key, p in before.items() if key not in now),
    )


def for_account(previous: Sequence[PreviousResult], account: str) -> list[PreviousResult]:
    """The results of one live account in a baseline that may hold several."""
    return [p for p in previous if p.metadata and str(p.metadata.get("account")) == account]
