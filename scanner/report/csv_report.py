"""CSV: one row per listed finding, for spreadsheets.

Columns: ``status, severity, policy_id, title, service, resource_type, resource_id,
account, region, file, line, column, message, baseline, controls, fix, help_url``.
``account`` is ``templates`` for a finding in a template, ``region`` is empty there;
``file`` is relative to the scan root (the snapshot for a live resource). ``controls`` are
the policy's framework controls separated by spaces; ``fix`` describes its fix clause.
Rows list what the text report lists (``scanner.report.listing``), in the same order.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: such a cell from the scanned input
(``=HYPERLINK(...)`` as a bucket name) gets a leading ``'``, so it is shown, never run.
Control characters are shown escaped (``scanner.escape.printable``), so every row is one
line.
"""

from __future__ import annotations

import csv
import io

from scanner.escape import printable
from scanner.fix.describe import describe_all
from scanner.model import Finding
from scanner.report.listing import account, listing, service
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity

COLUMNS = (
    "status",
    "severity",
    "policy_id",
    "title",
    "service",
    "resource_type",
    "resource_id",
    "account",
    "region",
    "file",
    "line",
    "column",
    "message",
    "baseline",
    "controls",
    "fix",
    "help_url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(result: ScanResult, options: ReportOptions) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for finding in listing(result, options).findings:
        writer.writerow([cell(value) for value in row(finding, result.root)])
    return out.getvalue()


def row(finding: Finding, root: str) -> list[str | int]:
    policy = finding.policy
    identity = live_identity(finding.resource)
    loc = finding.location
    return [
        finding.status.value,
        policy.severity.value,
        policy.id,
        policy.title,
        service(finding),
        finding.resource.type,
        identity.arn if identity is not None else finding.resource.id,
        account(finding),
        identity.region if identity is not None else "",
        finding_file(finding, root) or "",
        loc.line if loc is not None else "",
        loc.column if loc is not None else "",
        finding.message,
        finding.triage.baseline.value if finding.triage.baseline is not None else "",
        " ".join(policy.controls),
        describe_all(policy.fixes, policy.resource_types) if policy.fixes else "",
        policy.help_url or "",
    ]


def cell(value: str | int) -> str | int:
    """A value safe to open in a spreadsheet: never a formula, always one line."""
    if isinstance(value, int):
        return value
    text = printable(value)
    return "'" + text if value.startswith(_FORMULA_START) else text
