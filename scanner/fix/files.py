"""Fix every template of a scan in memory: what ``pacscan fix`` writes and SARIF offers.

``fix_files`` plans the failed findings of a triaged scan at ``fail_on`` and edits and
re-scans each file (``apply.fix_file``; a Terraform module's files ``hcl_fix``);
nothing is written here. ``verified`` keeps the files whose edit passed the re-scan, as
the ``TemplateFix`` a report carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scanner.fix.apply import FileFix, fix_file
from scanner.fix.hcl_fix import fix_terraform, is_terraform
from scanner.fix.plan import Refusal, plan
from scanner.loaders import LoadOptions
from scanner.model import Finding, Severity
from scanner.result import TemplateFix


@dataclass
class FixRun:
    """Each file's outcome, in plan order, and the findings left alone before editing."""

    files: list[FileFix]
    refusals: list[Refusal]


def fix_files(
    raw: Sequence[Finding],
    triaged: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    fail_on: Severity,
    now: datetime,
) -> FixRun:
    """Edit and verify every file with a fixable finding of ``triaged`` at ``fail_on``.

    ``raw`` are the same scan's untriaged findings: the re-scan compares against them.
    """
    work = plan([f for f in triaged if not is_terraform(f)], fail_on)
    by_file: dict[str, list[Finding]] = {}
    for finding in raw:
        document = finding.resource.document
        if document is not None and document.path in work.requests:
            by_file.setdefault(document.path, []).append(finding)
    files = [
        fix_file(path, requests, by_file.get(path, []), program, options, now)
        for path, requests in work.requests.items()
    ]
    terraform = fix_terraform(raw, triaged, program, options, fail_on, now)
    return FixRun([*files, *terraform.files], [*work.refusals, *terraform.refusals])


def verified(run: FixRun) -> tuple[TemplateFix, ...]:
    """The edits that passed the re-scan: one per changed file."""
    return tuple(
        TemplateFix(o.path, tuple(r.finding for r in o.requests), o.after)
        for o in run.files
        if o.after is not None and o.findings is not None
    )
