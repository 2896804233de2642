"""The human report: findings grouped by file, the offending line, a summary.

```
templates/app.yaml
  templates/app.yaml:9:9: medium PAC-S3-014 S3 buckets keep object versions
    bucket Logs does not keep object versions (Status is Suspended)
       9 |         Status: Suspended
```

A finding that is not a plain failure says so after the title (``[unknown]``,
``[suppressed: reason]``, ``[error]``); with a baseline, new failures are marked
``[new]`` and the summary says how many failures are new. Live resources are named by ARN
under the snapshot they came from. Errors and warnings follow the findings, then one
summary line. ``new_only`` and ``quiet`` narrow the list (``scanner.report.listing``; quiet
also leaves warnings out) and a line says what was not listed. Colour only with
``options.color``.

Names, messages and source lines come from untrusted input: control characters are shown
escaped (``\n``, ``\x1b``), so nothing in a template or a file name can forge a line of
the report or drive the terminal, and secret-looking values in echoed source lines are
masked (``scanner.redact``).
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from scanner.errors import render_diagnostic
from scanner.escape import printable
from scanner.model import BaselineState, Finding, Severity, Status
from scanner.redact import source_line
from scanner.report.listing import Listing, has_baseline, listing, new_failures
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity

_SEVERITY_STYLE: dict[Severity, dict[str, object]] = {
    Severity.CRITICAL: {"fg": "red", "bold": True},
    Severity.HIGH: {"fg": "red"},
    Severity.MEDIUM: {"fg": "yellow"},
    Severity.LOW: {"fg": "cyan"},
    Severity.INFO: {"dim": True},
}
_MAX_SOURCE = 160  # a minified JSON template is one very long line
_SUMMARY_WORDS = (
    (Status.FAIL, "failed"),
    (Status.UNKNOWN, "unknown"),
    (Status.ERROR, "not evaluated"),
    (Status.SUPPRESSED, "suppressed"),
    (Status.PASS, "passed"),
    (Status.SKIP, "skipped"),
)


def render(result: ScanResult, options: ReportOptions) -> str:
    shown = listing(result, options)
    out: list[str] = []
    for file, group in _by_file(shown.findings, result.root):
        out.append(_style(printable(file), options, bold=True))
        for finding in group:
            out.extend(_finding_lines(finding, file, options))
        out.append("")
    diagnostics = [d for d in result.errors if not options.quiet or d.severity == "error"]
    if diagnostics:
        out.append(_style("Problems:", options, bold=True))
        out.extend(render_diagnostic(d) for d in diagnostics)
        out.append("")
    left_out = _left_out(shown)
    if left_out:
        out.append(left_out)
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _left_out(shown: Listing) -> str:
    """What ``--new-only`` and ``--quiet`` did not list, in one line."""
    parts = []
    if shown.not_new:
        parts.append(f"{shown.not_new} the baseline already had (--new-only)")
    if shown.not_failed:
        parts.append(f"{shown.not_failed} not failed (--quiet)")
    return f"Not listed: {', '.join(parts)}." if parts else ""


def _by_file(findings: Iterable[Finding], root: str) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding_file(finding, root) or "(no file)", []).append(finding)
    return list(groups.items())


def _finding_lines(finding: Finding, file: str, options: ReportOptions) -> list[str]:
    policy = finding.policy
    severity = _style(policy.severity.value, options, **_SEVERITY_STYLE[policy.severity])
    head = f"  {printable(_where(finding, file))}: {severity} {printable(policy.id)}"
    head += f" {printable(policy.title)}"
    marker = _marker(finding)
    if marker:
        head += " " + _style(printable(marker), options, fg="magenta")
    lines = [head]
    if finding.message:
        lines.append(f"    {printable(finding.message)}")
    source = _source(finding)
    if source:
        lines.append(_style(source, options, dim=True))
    return lines


def _where(finding: Finding, file: str) -> str:
    identity = live_identity(finding.resource)
    if identity is not None:
        return f"{identity.arn} ({identity.account}/{identity.region})"
    loc = finding.location
    if loc is None:
        return f"{file} ({finding.resource.id})"
    return f"{file}:{loc.line}:{loc.column}"


def _marker(finding: Finding) -> str:
    if finding.status is Status.SUPPRESSED:
        suppression = finding.triage.suppression
        reason = suppression.justification if suppression is not None else None
        return f"[suppressed: {reason}]" if reason else "[suppressed]"
    if finding.status is not Status.FAIL:
        return f"[{finding.status.value}]"
    if finding.triage.baseline is BaselineState.NEW:
        return "[new]"
    return ""


def _source(finding: Finding) -> str | None:
    document = finding.resource.document
    if finding.location is None or document is None:
        return None
    if finding.location.file != document.path:  # set in another file of the input
        return None
    line = source_line(document, finding.location.line, _MAX_SOURCE * 4)
    if line is None or not line.strip():
        return None
    text = line.rstrip().expandtabs()
    if len(text) > _MAX_SOURCE:
        text = text[: _MAX_SOURCE - 1] + "…"
    return f"    {finding.location.line:>5} | {printable(text)}"


def summary_line(result: ScanResult) -> str:
    counts = {status: 0 for status, _ in _SUMMARY_WORDS}
    for finding in result.findings:
        counts[finding.status] += 1
    parts = [f"{counts[status]} {word}" for status, word in _SUMMARY_WORDS if counts[status]]
    if counts[Status.FAIL] and has_baseline(result):
        parts[0] += f" ({new_failures(result)} new)"
    errors = sum(1 for d in result.errors if d.severity == "error")
    warnings = len(result.errors) - errors
    if errors:
        parts.append(_plural(errors, "error"))  # unreadable inputs and broken policies
    if warnings:
        parts.append(_plural(warnings, "warning"))
    if result.absent:
        parts.append(f"{len(result.absent)} gone since the baseline")
    scope = f"{_plural(result.files, 'file')}, {_plural(result.resources, 'resource')}"
    return f"{scope}: {', '.join(parts) if parts else 'nothing to check'}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _style(text: str, options: ReportOptions, **style: object) -> str:
    return click.style(text, **style) if options.color else text  # type: ignore[arg-type]
