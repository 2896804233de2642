"""``pacscan fix``: apply the fix clauses of failed findings to templates, in place."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import click

from scanner.commands.options import (
    config_file_options,
    fail_on_option,
    policy_selection_options,
    resolve_run,
    scan_request,
    template_input_options,
)
from scanner.errors import render_diagnostic
from scanner.escape import printable
from scanner.fix.apply import FileFix, write
from scanner.fix.files import fix_files
from scanner.fix.plan import Refusal
from scanner.model import Finding, path_text
from scanner.outcome import EXIT_USAGE, exit_code
from scanner.pipeline import load_options, run_scan, select_policies, triage_result
from scanner.result import ScanResult

EPILOG = """\b
Exit codes:
  0  no failed finding at or above --fail-on is left (with --diff: would be left)
  1  failed findings at or above --fail-on remain; the summary says why each
     could not be fixed
  2  usage error, a bad config file, or a policy that does not compile
  3  input errors (unreadable or malformed files), no failure left over the threshold
  4  failures left over the threshold and input errors

Only the scanned template files are written, each through a temporary file in its
directory renamed over it (its mode kept), and only if its bytes did not change
meanwhile. After the edit, the file is loaded and evaluated again: the fixed findings
must pass and no policy may newly fail, else the file is left as it was.

pacscan scan --format sarif carries the same edits as each result's fixes (exact
replacements of the scanned bytes), after the same re-scan.
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@policy_selection_options
@click.option(
    "--framework",
    metavar="NAME",
    help="Fix only the findings of policies mapped to this framework.",
)
@fail_on_option("Lowest severity of a failed finding to fix (and to fail on).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@template_input_options("fix")
@config_file_options
@click.pass_context
def fix(ctx: click.Context, show_diff: bool, **options: Any) -> None:
    """Fix the failed findings of CloudFormation templates and Terraform files in PATHS.

    Every failed finding at or above --fail-on whose policy has a fix clause is fixed by
    exact text edits: comments, key order, quoting, flow style, short-form tags, anchors,
    indentation and line endings stay as they are. The branch of an Fn::If the finding
    points to is edited; a value that comes from a parameter, a mapping or SAM Globals,
    a value that holds an intrinsic function, and a resource made by Fn::ForEach are
    reported and left alone. In a .tf file a literal argument is replaced or a missing
    one inserted (in the split resource that sets it, such as aws_s3_bucket_versioning);
    a value from a variable, a local or an expression, a setting that needs a new
    resource and a resource of a child module are reported and left alone.
    """
    run = resolve_run(options, report_file_from_config=False)
    request = scan_request(options, jobs=1)
    policies = select_policies(run)
    for diag in policies.diagnostics:
        click.echo(render_diagnostic(diag), err=True)
    raw = run_scan(request, policies)
    triaged = triage_result(raw, run)
    load = load_options(request, jobs=1)
    work = fix_files(
        raw.findings, triaged.findings, policies.program, load, run.fail_on, raw.started_at
    )
    outcomes = work.files
    if not show_diff:
        for outcome in outcomes:
            write(outcome)
    else:
        for outcome in outcomes:
            sys.stdout.write(_shown_diff(outcome.diff()))
    for diag in raw.errors[len(policies.diagnostics) :]:
        click.echo(render_diagnostic(diag), err=True)
    click.echo(_summary(outcomes, work.refusals, show_diff), err=show_diff)
    after = triage_result(_after(raw, outcomes), run)
    ctx.exit(EXIT_USAGE if policies.diagnostics else exit_code(after, run.fail_on))


def _file(finding: Finding) -> str | None:
    document = finding.resource.document
    return None if document is None else document.path


def _after(raw: ScanResult, outcomes: list[FileFix]) -> ScanResult:
    """The scan result as the files are now (or would be, with --diff): a re-scan's
    findings replace those of the resources it judged again (a Terraform module's re-scan
    covers every file of the module)."""
    rescanned = [o for o in outcomes if o.findings is not None]
    covered: set[tuple[str | None, str | None]] = {(o.path, None) for o in rescanned}
    covered.update(_owner(f) for o in rescanned for f in o.findings or ())
    kept = [f for f in raw.findings if _owner(f) not in covered]
    for outcome in rescanned:
        kept.extend(outcome.findings or ())
    return replace(raw, findings=tuple(kept))


def _owner(finding: Finding) -> tuple[str | None, str | None]:
    """A finding's file and the module it was evaluated in (None: the file alone)."""
    origin = finding.resource.template
    return _file(finding), origin.scope if origin is not None else None


def _summary(outcomes: list[FileFix], refusals: list[Refusal], dry: bool) -> str:
    lines = []
    fixed = 0
    refusals = list(refusals)
    for outcome in outcomes:
        done = outcome.findings is not None and (dry or outcome.written)
        if done:
            fixed += len(outcome.fixed)
            for finding in outcome.fixed:
                lines.append(f"{'would fix' if dry else 'fixed'}  {_where(finding)}")
        elif outcome.problem:
            lines.append(f"{printable(outcome.path)}: {printable(outcome.problem)}")
        refusals.extend(outcome.refused)
    files = sum(1 for o in outcomes if o.findings is not None and (dry or o.written))
    for refusal in refusals:
        lines.append(f"not fixed  {_where(refusal.finding)}: {printable(refusal.reason)}")
    verb = "would be fixed" if dry else "fixed"
    lines.append(
        f"{fixed} finding{'s' * (fixed != 1)} {verb} in {files} file{'s' * (files != 1)}; "
        f"{len(refusals)} not fixed"
    )
    return "\n".join(lines)


def _where(finding: Finding) -> str:
    location = finding.location
    place = printable(str(location)) if location is not None else printable(_file(finding) or "")
    field = path_text(finding.path)
    return f"{place} {finding.policy.id} {printable(finding.resource.id)}" + (
        f" {printable(field)}" if field else ""
    )


def _shown_diff(text: str) -> str:
    """The diff with control characters of the files' text shown escaped."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(printable(body) + line[len(body) :])
    return "".join(out)
