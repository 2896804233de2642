"""What the reports people read list, and the counts their summaries show.

Text, Markdown, HTML and CSV list the ``fail``, ``unknown``, ``suppressed`` and ``error``
findings (``include_passed`` adds ``pass`` and ``skip``). ``quiet`` keeps the failed ones
only; ``new_only`` keeps the findings a baseline did not have (state ``new``, or no state
when there was no baseline). Their summaries count every finding all the same, and say
how many failures are new, so a pull request with 5 new findings among 1,183 old ones
lists 5 and says so.

SARIF, JSON, JUnit and GitLab SAST always carry every finding with its baseline state:
code scanning and GitLab track findings across runs themselves, and would close an alert
that a filtered report left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.model import BaselineState, Finding, Status
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import live_identity, ordered

LISTED = (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED, Status.ERROR)
PASSED = (Status.PASS, Status.SKIP)
TEMPLATES = "templates"  # the account column of a finding in a template


@dataclass(frozen=True, slots=True)
class Listing:
    """The findings a report lists, in report order, and what it left out."""

    findings: list[Finding]
    not_new: int  # findings of a listed status the baseline already had (``new_only``)
    not_failed: int  # findings of a listed status that are not failures (``quiet``)


def listing(result: ScanResult, options: ReportOptions) -> Listing:
    statuses = set(LISTED) | (set(PASSED) if options.include_passed else set())
    chosen = [f for f in result.findings if f.status in statuses]
    not_new = not_failed = 0
    if options.quiet:
        not_failed = sum(1 for f in chosen if f.status is not Status.FAIL)
        chosen = [f for f in chosen if f.status is Status.FAIL]
    if options.new_only:
        not_new = sum(1 for f in chosen if not is_new(f))
        chosen = [f for f in chosen if is_new(f)]
    return Listing(ordered(chosen, result.root), not_new, not_failed)


def is_new(finding: Finding) -> bool:
    """Whether a baseline did not have this finding (always so without a baseline)."""
    return finding.triage.baseline in (None, BaselineState.NEW)


def has_baseline(result: ScanResult) -> bool:
    return bool(result.absent) or any(f.triage.baseline is not None for f in result.findings)


def status_counts(findings: Iterable[Finding]) -> Counter[Status]:
    return Counter(f.status for f in findings)


def new_failures(result: ScanResult) -> int:
    return sum(
        1
        for f in result.findings
        if f.status is Status.FAIL and f.triage.baseline is BaselineState.NEW
    )


def service(finding: Finding) -> str:
    """The service of a finding's resource type: ``AWS::S3::Bucket`` -> ``S3``."""
    parts = finding.resource.type.split("::")
    return parts[1] if len(parts) > 2 else finding.resource.type


def account(finding: Finding) -> str:
    """The account of a live finding; ``templates`` for a finding in a template."""
    identity = live_identity(finding.resource)
    return identity.account if identity is not None else TEMPLATES
