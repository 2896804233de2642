"""HTML: one self-contained page to read a scan or an audit in a browser.

The page needs nothing at view time: its style sheet and script are inline
(``scanner.report.html_assets``), there are no images, fonts or links it loads, and its
Content-Security-Policy (a ``<meta>`` tag) allows only those two inline blocks by hash and
nothing else (``default-src 'none'``), so even markup that slipped in could load or run
nothing. Everything that comes from the scanned input (file names, resource ids, ARNs,
messages) and from policies is HTML-escaped, with control and bidi characters shown as
escapes (``scanner.escape.printable``).

Sections: the counts by status (as the JSON report's ``summary``), the failed findings by
severity, service, framework control and account (each a button that filters the
table), the findings table with a search box and filters (each finding with its file and
line or ARN, message, fix and a link to its policy's help), the policies with their help,
controls and fix, and the input errors. The table lists what the text report lists
(``scanner.report.listing``); it works without the script too, unfiltered.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence

from scanner.errors import Diagnostic
from scanner.escape import printable, printable_lines
from scanner.fix.describe import describe_all
from scanner.model import Finding, PolicyInfo, Severity, Status
from scanner.report.html_assets import SCRIPT, STYLE, csp_hash
from scanner.report.listing import (
    account,
    has_baseline,
    is_new,
    listing,
    new_failures,
    service,
    status_counts,
)
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity, relative_path

STATUS_WORDS = (
    (Status.FAIL, "failed"),
    (Status.UNKNOWN, "unknown"),
    (Status.ERROR, "not evaluated"),
    (Status.SUPPRESSED, "suppressed"),
    (Status.PASS, "passed"),
    (Status.SKIP, "skipped"),
)
CSP = (
    f"default-src 'none'; style-src {csp_hash(STYLE)}; script-src {csp_hash(SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)
_SEVERITIES = sorted(Severity, key=lambda s: -s.rank)


def render(result: ScanResult, options: ReportOptions) -> str:
    shown = listing(result, options)
    baseline = has_baseline(result)
    parts = [
        _head(),
        _header(result, options, baseline),
        _breakdown(result),
        _findings(result, shown.findings, baseline, options),
        _policies(shown.findings),
        _errors(result.errors, result.root),
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n",
    ]
    return "\n".join(part for part in parts if part)


def text(value: object) -> str:
    """Untrusted text as HTML: escaped, control and bidi characters shown as escapes."""
    return html.escape(printable(str(value)), quote=True)


def _head() -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>pacscan report</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>"
    )


def _header(result: ScanResult, options: ReportOptions, baseline: bool) -> str:
    counts = status_counts(result.findings)
    errors = sum(1 for d in result.errors if d.severity == "error")
    cards = [
        f'<div class="card" id="count-{status.value}" data-count="{counts[status]}">'
        f"<b>{counts[status]}</b>{word}</div>"
        for status, word in STATUS_WORDS
    ]
    cards.append(
        f'<div class="card" id="count-errors" data-count="{errors}"><b>{errors}</b>'
        "input errors</div>"
    )
    if baseline:
        cards.insert(
            1,
            f'<div class="card" id="count-new" data-count="{new_failures(result)}">'
            f"<b>{new_failures(result)}</b>new failures</div>",
        )
        cards.append(
            f'<div class="card" id="count-absent" data-count="{len(result.absent)}">'
            f"<b>{len(result.absent)}</b>fixed since the baseline</div>"
        )
    when = result.finished_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        "<header>\n<h1>pacscan report</h1>\n"
        f'<p class="meta">pacscan {text(options.tool_version)}, {when}: '
        f'<span id="files">{result.files}</span> files, '
        f'<span id="resources">{result.resources}</span> resources.</p>\n'
        f'<div class="cards" id="status-counts">{"".join(cards)}</div>\n</header>'
    )


def _breakdown(result: ScanResult) -> str:
    failed = [f for f in result.findings if f.status is Status.FAIL]
    if not failed:
        return '<section id="summary"><p>No failed findings.</p></section>'
    by_severity = Counter(f.policy.severity.value for f in failed)
    severities = [(s.value, by_severity[s.value]) for s in _SEVERITIES if by_severity[s.value]]
    tables = [
        _count_table("Failed by severity", "severity", severities),
        _count_table("Failed by service", "service", _most(service(f) for f in failed)),
        _count_table("Failed by account", "account", _most(account(f) for f in failed)),
        _control_table(result.findings),
    ]
    return (
        '<section id="summary">\n<h2>Summary</h2>\n<div class="breakdown">\n'
        + "\n".join(tables)
        + "\n</div>\n</section>"
    )


def _most(values: Iterable[str]) -> list[tuple[str, int]]:
    return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0]))


def _count_table(title: str, field: str, rows: Sequence[tuple[str, int]]) -> str:
    body = "".join(
        f'<tr data-{field}="{text(value)}"><td>{_pick(field, value, status="fail")}</td>'
        f'<td class="n">{count}</td></tr>'
        for value, count in rows
    )
    return (
        f'<table id="by-{field}"><caption><h3>{title}</h3></caption>'
        f'<thead><tr><th>{field}</th><th class="n">failed</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _control_table(findings: Sequence[Finding]) -> str:
    failed: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for finding in findings:
        for control in finding.policy.controls:
            if finding.status is Status.FAIL:
                failed[control] += 1
            elif finding.status is Status.PASS:
                passed[control] += 1
    controls = sorted(set(failed) | set(passed), key=lambda c: (-failed[c], c))
    body = "".join(
        f'<tr data-control="{text(c)}"><td>{_pick("control", c, status="fail")}</td>'
        f'<td class="n">{failed[c]}</td><td class="n">{passed[c]}</td></tr>'
        for c in controls
    )
    return (
        '<table id="by-control"><caption><h3>By framework control</h3></caption>'
        '<thead><tr><th>control</th><th class="n">failed</th><th class="n">passed</th></tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )


def _pick(field: str, value: str, status: str = "") -> str:
    extra = f' data-status="{status}"' if status else ""
    return (
        f'<button type="button" class="pick" data-filter="{field}" data-value="{text(value)}"'
        f"{extra}>{text(value)}</button>"
    )


def _findings(
    result: ScanResult, findings: list[Finding], baseline: bool, options: ReportOptions
) -> str:
    rows = "\n".join(_row(f, result.root, baseline) for f in findings)
    return (
        '<section id="findings">\n<h2>Findings</h2>\n'
        + _filters(findings, baseline and not options.new_only)
        + f'<p class="muted"><span id="shown">{len(findings)}</span> of '
        f'<span id="listed">{len(findings)}</span> findings shown.</p>\n'
        '<table id="finding-table"><thead><tr><th>severity</th><th>status</th>'
        "<th>policy</th><th>resource</th><th>where</th><th>message, fix and help</th>"
        f"</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        '<p id="none-shown" class="muted" hidden>No finding matches the filters.</p>\n'
        "</section>"
    )


def _filters(findings: list[Finding], new_filter: bool) -> str:
    choices = {
        "severity": [s.value for s in _SEVERITIES],
        "status": sorted({f.status.value for f in findings}),
        "service": sorted({service(f) for f in findings}),
        "account": sorted({account(f) for f in findings}),
        "control": sorted({c for f in findings for c in f.policy.controls}),
    }
    selects = "".join(
        f'<label>{field}<select id="filter-{field}"><option value="">all</option>'
        + "".join(f'<option value="{text(v)}">{text(v)}</option>' for v in values)
        + "</select></label>"
        for field, values in choices.items()
    )
    new = '<label>new only<input type="checkbox" id="new-only"></label>' if new_filter else ""
    return (
        '<form id="filters" role="search" autocomplete="off">'
        '<label>search<input type="search" id="search" placeholder="id, resource, file, '
        f'message…"></label>{selects}{new}<button type="reset" id="clear-filters">clear</button>'
        "</form>\n"
    )


def _row(finding: Finding, root: str, baseline: bool) -> str:
    policy = finding.policy
    severity = policy.severity.value
    new = baseline and is_new(finding)
    marker = '<span class="new">new</span>' if new and finding.status is Status.FAIL else ""
    return (
        f'<tr class="finding" data-severity="{severity}" data-status="{finding.status.value}" '
        f'data-service="{text(service(finding))}" data-account="{text(account(finding))}" '
        f'data-controls="{text(" ".join(policy.controls))}" data-new="{int(new)}">'
        f'<td class="sev sev-{severity}">{severity}</td>'
        f'<td class="status">{finding.status.value}{marker}</td>'
        f'<td><a href="#policy-{text(policy.id)}"><code>{text(policy.id)}</code></a> '
        f"{text(policy.title)}</td>"
        f"<td><code>{text(finding.resource.type)}</code><br>{text(finding.resource.id)}</td>"
        f"<td>{_where(finding, root)}</td>"
        f"<td>{text(finding.message)}{_fix(policy)}</td></tr>"
    )


def _where(finding: Finding, root: str) -> str:
    identity = live_identity(finding.resource)
    if identity is not None:
        return (
            f"<code>{text(identity.arn)}</code><br>"
            f"{text(identity.account)} / {text(identity.region)}"
        )
    file = finding_file(finding, root) or ""
    loc = finding.location
    where = f"{file}:{loc.line}:{loc.column}" if loc is not None else file
    return f"<code>{text(where)}</code>"


def _fix(policy: PolicyInfo) -> str:
    fix = describe_all(policy.fixes, policy.resource_types) if policy.fixes else ""
    fix_line = f"<br><small>Fix: pacscan fix {text(fix)}.</small>" if fix else ""
    return f'{fix_line}<br><small><a href="#policy-{text(policy.id)}">help</a></small>'


def _policies(findings: list[Finding]) -> str:
    policies: dict[str, PolicyInfo] = {}
    for finding in findings:
        policies.setdefault(finding.policy.id, finding.policy)
    if not policies:
        return ""
    articles = "\n".join(_policy(p) for p in sorted(policies.values(), key=lambda p: p.id))
    return f'<section id="policies">\n<h2>Policies</h2>\n{articles}\n</section>'


def _policy(policy: PolicyInfo) -> str:
    facts = [f'<span class="sev sev-{policy.severity.value}">{policy.severity.value}</span>']
    if policy.controls:
        facts.append("controls: " + ", ".join(f"<code>{text(c)}</code>" for c in policy.controls))
    if policy.equivalents:
        facts.append(
            "equivalent checks: " + ", ".join(f"<code>{text(e)}</code>" for e in policy.equivalents)
        )
    help_text = policy.help.strip() or policy.description.strip() or policy.title
    body = [
        f'<article class="policy" id="policy-{text(policy.id)}">',
        f"<h3><code>{text(policy.id)}</code> {text(policy.title)}</h3>",
        f'<p class="muted">{" · ".join(facts)}</p>',
        f'<pre class="help">{html.escape(printable_lines(help_text), quote=True)}</pre>',
    ]
    if policy.fixes:
        fix = describe_all(policy.fixes, policy.resource_types)
        body.append(f"<p>Fix: <code>pacscan fix</code> {text(fix)}.</p>")
    if policy.help_url and policy.help_url.startswith(("https://", "http://")):
        url = text(policy.help_url)
        body.append(f'<p><a href="{url}" rel="noreferrer noopener">{url}</a></p>')
    body.append("</article>")
    return "\n".join(body)


def _errors(errors: Sequence[Diagnostic], root: str) -> str:
    if not errors:
        return ""
    items = []
    for diag in errors:
        loc = diag.location
        file = loc.file if loc is not None else diag.file
        where = relative_path(file, root) if file else ""
        if where and loc is not None:
            where += f":{loc.line}:{loc.column}"
        items.append(
            f'<li class="{text(diag.severity)}"><code>{text(where)}</code> '
            f"{text(diag.severity)}[{text(diag.code)}]: {text(diag.message)}</li>"
        )
    return f'<section id="problems">\n<h2>Problems</h2>\n<ul>{"".join(items)}</ul>\n</section>'
