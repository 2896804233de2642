"""One account's audit reports: its scan triaged and rendered as the run asks, with the
compliance and baseline summaries and the exit code.

``pacscan audit`` makes them in the client when it collects with threads, and on a
cluster worker with ``--cluster`` (``scanner.aws.cluster_scan``): the same function, so
both write the same reports. What it returns is text and numbers; the client writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scanner.escape import printable
from scanner.outcome import exit_code
from scanner.pipeline import Run, triage_result
from scanner.report.destinations import Destination, render_to
from scanner.result import ScanResult
from scanner.triage.baseline import FailureChanges, failure_changes

MAX_LISTED = 50  # changes listed per kind in the baseline summary


@dataclass(frozen=True, slots=True)
class Reporting:
    """How one account's scan is reported (sent to the worker that scans it)."""

    account: str
    run: Run  # with this account's baseline, when there is one
    reports: tuple[Destination, ...]
    color: bool = False  # the text report on stdout is coloured (the client's terminal)
    baseline: str | None = None  # the --baseline path, as the summary of changes names it


@dataclass(frozen=True, slots=True)
class AccountReport:
    """Each report's text (in the order of ``Reporting.reports``; a text report ends with
    the summaries), the summaries, and the account's exit code."""

    texts: tuple[str, ...]
    summaries: str
    exit_code: int


def report_account(result: ScanResult, how: Reporting) -> AccountReport:
    """``result`` (untriaged) triaged, summarised and rendered for every report."""
    run = how.run
    result = triage_result(result, run)
    summaries = _summaries(result, run, how.baseline)
    options = replace(run.report, category=f"pacscan/aws/{how.account}/")
    texts = []
    for dest in how.reports:
        color = how.color and dest.fmt == "text" and dest.to_stdout
        text = render_to(result, dest, options, color=color)
        if summaries and dest.fmt == "text":
            text = text.rstrip("\n") + "\n\n" + summaries + "\n"
        texts.append(text)
    return AccountReport(tuple(texts), summaries, exit_code(result, run.fail_on))


def _summaries(result: ScanResult, run: Run, baseline: str | None) -> str:
    """The framework's compliance summary and the changes since the baseline, as asked."""
    parts = []
    if run.framework:
        from scanner.catalogue import compliance_summary, render_summary

        parts.append(render_summary(compliance_summary(run.framework, result.findings)))
    if baseline is not None and run.baseline is not None:
        parts.append(_render_changes(failure_changes(result, run.baseline), baseline))
    return "\n\n".join(parts)


def _render_changes(changes: FailureChanges, path: str) -> str:
    lines = [
        f"failures since the baseline {printable(path)}: {len(changes.new)} new, "
        f"{len(changes.unchanged)} unchanged, {len(changes.fixed)} fixed"
    ]
    for finding in changes.new[:MAX_LISTED]:
        lines.append(f"  new    {finding.policy.id} {printable(finding.resource.id)}")
    for before in changes.fixed[:MAX_LISTED]:
        lines.append(f"  fixed  {before.policy_id} {printable(before.resource_id)}")
    hidden = max(0, len(changes.new) - MAX_LISTED) + max(0, len(changes.fixed) - MAX_LISTED)
    if hidden:
        lines.append(f"  ... and {hidden} more")
    return "\n".join(lines)
