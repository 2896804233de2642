"""The JSON report: a stable, versioned shape for scripts.

```
{"version": 1,
 "tool": {"name": "pacscan", "version": "..."},
 "summary": {"files", "resources", "pass", "fail", "unknown", "skip", "suppressed", "error"},
 "findings": [{"policy_id", "title", "severity", "status", "message",
               "resource": {"type", "id"} (+ "account", "region" for live resources),
               "file", "location": {"line", "column", "end_line", "end_column"} | null,
               "path": [...]}],
 "errors": [{"file", "code", "message", "location"}]}
```

``summary`` counts every finding by status. ``findings`` lists ``fail``, ``unknown``,
``suppressed`` and ``error`` findings (``include_passed`` adds ``pass`` and ``skip``), in
report order. ``file`` is relative to the scan root; for a live resource it is the
snapshot it came from and ``location`` is null. ``errors`` holds the error diagnostics;
warnings (an expired suppression, say) are left to the text report and SARIF.

Text is UTF-8; control, bidi and separator characters inside strings are ``\\uXXXX``
escapes (a file name that is not UTF-8 keeps its bytes as ``\\udcXX``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.errors import Diagnostic
from scanner.escape import json_escaped
from scanner.model import Finding, Location, Status
from scanner.report.compact import batched, compact
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity, ordered, relative_path

FORMAT_VERSION = 1
_LISTED = (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED, Status.ERROR)
_COUNTED = (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.SKIP, Status.SUPPRESSED, Status.ERROR)


def render(result: ScanResult, options: ReportOptions) -> str:
    """The report with one finding or error per line (``chunks``, joined)."""
    return "".join(chunks(result, options))


def chunks(result: ScanResult, options: ReportOptions) -> Iterator[str]:
    """The report's text in pieces: the head, batches of finding lines, the tail.

    Python's JSON encoder is written in C only without ``indent``; indenting every
    nested object made large reports several times slower, so the top level is laid out
    by hand and each finding is one compact line (still valid, diff-friendly JSON).
    Findings become lines a batch at a time (``scanner.report.compact``), and a writer
    can write each batch before the next is made: neither the data nor the text of all
    of them need be held.
    """
    data = _fields(result, options)
    yield "{\n"
    last = len(data) - 1
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < last else ""
        if not isinstance(value, Iterator | list):
            yield json_escaped(f'  "{key}": {compact(value)}{comma}') + "\n"
            continue
        opened = False
        for batch in batched(value):
            lines = ",\n    ".join(map(compact, batch))
            yield (",\n    " if opened else f'  "{key}": [\n    ') + json_escaped(lines)
            opened = True
        yield f"\n  ]{comma}\n" if opened else f'  "{key}": []{comma}\n'
    yield "}\n"


def report_data(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    data = _fields(result, options)
    data["findings"] = list(data["findings"])
    return data


def _fields(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """The report's data; its findings one at a time, as an iterator."""
    listed = set(_LISTED)
    if options.include_passed:
        listed |= {Status.PASS, Status.SKIP}
    shown = ordered((f for f in result.findings if f.status in listed), result.root)
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "pacscan", "version": options.tool_version},
        "summary": summary(result),
        "findings": (finding_data(f, result.root) for f in shown),
        "errors": [error_data(d, result.root) for d in result.errors if d.severity == "error"],
    }


def summary(result: ScanResult) -> dict[str, int]:
    counts = {"files": result.files, "resources": result.resources}
    counts.update({status.value: 0 for status in _COUNTED})
    for finding in result.findings:
        counts[finding.status.value] += 1
    return counts


def finding_data(finding: Finding, root: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": finding.resource.type, "id": finding.resource.id}
    identity = live_identity(finding.resource)
    if identity is not None:
        resource.update(account=identity.account, region=identity.region)
    return {
        "policy_id": finding.policy.id,
        "title": finding.policy.title,
        "severity": finding.policy.severity.value,
        "status": finding.status.value,
        "message": finding.message,
        "resource": resource,
        "file": finding_file(finding, root),
        "location": location_data(finding.location),
        "path": list(finding.path),
    }


def error_data(diag: Diagnostic, root: str) -> dict[str, Any]:
    file = diag.location.file if diag.location is not None else diag.file
    return {
        "file": relative_path(file, root) if file else None,
        "code": diag.code,
        "message": diag.message,
        "location": location_data(diag.location),
    }


def location_data(location: Location | None) -> dict[str, int | None] | None:
    if location is None:
        return None
    return {
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }
