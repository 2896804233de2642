"""Markdown: a pull request comment or a GitHub job summary (``$GITHUB_STEP_SUMMARY``).

A heading with the counts, failures by severity (and how many are new, with a baseline),
then the listed findings in tables, new findings first, then errors. What does not fit
in ``MAX_ROWS`` rows or ``MAX_CHARS`` characters (GitHub takes 65,536 in a comment) is
left out with a "N more" line; the counts above it still count everything.

Everything from the scanned input is escaped: Markdown and HTML punctuation is written
as a literal (a resource named ``<img src=x>`` or ``**x**`` shows as typed), a ``@`` gets
a zero-width space after it (a message cannot mention, and so notify, anyone), control
characters are shown escaped and ``|`` cannot end a table cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.errors import Diagnostic
from scanner.escape import printable
from scanner.model import Finding, Severity, Status
from scanner.report.listing import has_baseline, is_new, listing, new_failures, status_counts
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity, relative_path

MAX_ROWS = 100
MAX_CHARS = 60_000  # below GitHub's 65,536 for a comment, with room for the tail
_MAX_CELL = 300
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_WORDS = (
    (Status.FAIL, "failed"),
    (Status.UNKNOWN, "unknown"),
    (Status.ERROR, "not evaluated"),
    (Status.SUPPRESSED, "suppressed"),
    (Status.PASS, "passed"),
    (Status.SKIP, "skipped"),
)
_HEADER = (
    "| Severity | Status | Policy | Resource | Location | Message |\n|---|---|---|---|---|---|"
)


def render(result: ScanResult, options: ReportOptions) -> str:
    out = [_heading(result), "", _scope(result), ""]
    table = _severity_table(result)
    if table:
        out += [table, ""]
    shown = listing(result, options)
    budget = MAX_CHARS - sum(len(part) + 1 for part in out)
    sections = _sections(shown.findings, has_baseline(result))
    out += _tables(sections, result.root, budget)
    if shown.not_new or shown.not_failed:
        out += [_left_out(shown.not_new, shown.not_failed), ""]
    errors = [d for d in result.errors if d.severity == "error"]
    if errors:
        out += _errors(errors, result.root)
    return "\n".join(out).rstrip("\n") + "\n"


def _heading(result: ScanResult) -> str:
    counts = status_counts(result.findings)
    parts = [f"{counts[status]} {word}" for status, word in _WORDS if counts[status]]
    if counts[Status.FAIL] and has_baseline(result):
        parts[0] += f" ({new_failures(result)} new)"
    errors = sum(1 for d in result.errors if d.severity == "error")
    if errors:
        parts.append(f"{errors} input error{'s' if errors != 1 else ''}")
    icon = ":x:" if counts[Status.FAIL] else ":white_check_mark:"
    return f"### {icon} pacscan: {', '.join(parts) if parts else 'nothing to check'}"


def _is_new_fail(finding: Finding) -> bool:
    return finding.triage.baseline is not None and is_new(finding)


def _scope(result: ScanResult) -> str:
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    resources = f"{result.resources} resource{'s' if result.resources != 1 else ''}"
    gone = f"; {len(result.absent)} fixed since the baseline" if result.absent else ""
    return f"Scanned {files}, {resources}{gone}."


def _severity_table(result: ScanResult) -> str:
    failed = [f for f in result.findings if f.status is Status.FAIL]
    if not failed:
        return ""
    baseline = has_baseline(result)
    rows = ["| Severity | Failed |" + (" New |" if baseline else ""), "|---|---:|"]
    rows[1] += "---:|" if baseline else ""
    for severity in sorted(Severity, key=lambda s: -s.rank):
        of = [f for f in failed if f.policy.severity is severity]
        if of:
            new = f" {sum(1 for f in of if _is_new_fail(f))} |" if baseline else ""
            rows.append(f"| {severity.value} | {len(of)} |{new}")
    return "\n".join(rows)


def _sections(findings: list[Finding], baseline: bool) -> list[tuple[str, list[Finding]]]:
    if not baseline:
        return [("Findings", findings)]
    new = [f for f in findings if is_new(f)]
    old = [f for f in findings if not is_new(f)]
    return [("New findings", new), ("Findings the baseline already had", old)]


def _tables(sections: list[tuple[str, list[Finding]]], root: str, budget: int) -> list[str]:
    out: list[str] = []
    rows_left = MAX_ROWS
    left_out = 0
    for title, findings in sections:
        if not findings:
            continue
        if rows_left <= 0 or budget <= len(_HEADER):
            left_out += len(findings)
            continue
        lines = [f"#### {title} ({len(findings)})", "", _HEADER]
        budget -= sum(len(line) + 1 for line in lines)
        for n, finding in enumerate(findings):
            line = _row(finding, root)
            if rows_left <= 0 or budget < len(line) + 1:
                left_out += len(findings) - n
                break
            lines.append(line)
            budget -= len(line) + 1
            rows_left -= 1
        out += [*lines, ""]
    if left_out:
        out += [
            f"_… and {left_out} more finding{'s' if left_out != 1 else ''} not shown here._",
            "",
        ]
    return out


def _row(finding: Finding, root: str) -> str:
    policy = finding.policy
    identity = live_identity(finding.resource)
    resource = identity.arn if identity is not None else finding.resource.id
    cells = [
        policy.severity.value,
        finding.status.value + (" (new)" if _is_new_fail(finding) else ""),
        f"`{_code(policy.id)}` {text(policy.title)}",
        f"`{_code(resource)}`",
        _where(finding, root),
        text(finding.message),
    ]
    return "| " + " | ".join(cells) + " |"


def _where(finding: Finding, root: str) -> str:
    identity = live_identity(finding.resource)
    if identity is not None:
        return text(f"{identity.account}/{identity.region}")
    file = finding_file(finding, root) or ""
    loc = finding.location
    return f"`{_code(f'{file}:{loc.line}' if loc is not None else file)}`"


def _left_out(not_new: int, not_failed: int) -> str:
    parts = []
    if not_new:
        parts.append(f"{not_new} the baseline already had (--new-only)")
    if not_failed:
        parts.append(f"{not_failed} not failed (--quiet)")
    return "Not listed: " + ", ".join(parts) + "."


def _errors(errors: Iterable[Diagnostic], root: str) -> list[str]:
    out = ["#### Input errors", ""]
    for n, diag in enumerate(errors):
        if n == 20:
            out.append("- …")
            break
        loc = diag.location
        file = loc.file if loc is not None else diag.file
        where = relative_path(file, root) if file else ""
        if loc is not None:
            where += f":{loc.line}:{loc.column}"
        prefix = f"`{_code(where)}` " if where else ""
        out.append(f"- {prefix}{diag.code}: {text(diag.message)}")
    return [*out, ""]


def text(value: str) -> str:
    """Untrusted text as literal Markdown on one line, in a table cell."""
    value = printable(_clip(value))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCTUATION.sub(r"\\\1", value).replace("@", "@\u200b")


def _code(value: str) -> str:
    """Untrusted text inside a code span: no backtick can close it, no ``|`` end the cell."""
    value = printable(_clip(value)).replace("`", "'").replace("|", "\\|")
    return value.replace("@", "@\u200b")


def _clip(value: str) -> str:
    return value if len(value) <= _MAX_CELL else value[: _MAX_CELL - 1] + "…"
