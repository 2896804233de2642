"""``pacscan scan``: check templates and snapshots against policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from scanner.commands.options import (
    config_file_options,
    policy_selection_options,
    report_destinations,
    report_options,
    resolve_run,
    scan_request,
    template_input_options,
)
from scanner.errors import render_diagnostic
from scanner.outcome import EXIT_OK, EXIT_USAGE, exit_code
from scanner.pipeline import Run, scan_inputs, select_policies
from scanner.report.destinations import (
    Destination,
    check_destinations,
    render_to,
    report_chunks,
    write_to,
)
from scanner.report.output import OutputError
from scanner.result import ScanResult

EPILOG = """\b
Exit codes:
  0  no failed finding at or above --fail-on (unknowns never fail a scan)
  1  at least one failed finding at or above --fail-on, and no input errors
     (with --new-only: one the baseline did not have)
  2  usage error, a bad config file, a policy that does not compile (the other
     policies still run), or a report that cannot be written (-o into a missing
     directory is refused before the scan; a failed write leaves the old file
     and the other reports are still written)
  3  input errors (unreadable or malformed files) and no finding over the threshold
  4  findings at or above --fail-on and input errors: the scan is incomplete
 70  internal error (a bug; --debug shows the traceback)
With --soft-fail, 1, 3 and 4 become 0.

Suppressed findings never fail a scan. Settings not given on the command line come
from .pacscan.yaml (the nearest one upward from the working directory, or --config).
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@policy_selection_options
@report_options("Write the report here.")
@template_input_options("scan")
@config_file_options
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="A previous SARIF log or JSON report: mark findings new, unchanged or updated.",
)
@click.option(
    "--new-only/--all-findings",
    default=None,
    help="Fail only on findings the baseline does not have.",
)
@click.option("--category", help="SARIF automationDetails.id.  [default: pacscan/iac/]")
@click.option(
    "--omit-suppressed/--keep-suppressed",
    default=None,
    help="Leave suppressed findings out of SARIF (GitHub ignores SARIF suppressions).",
)
@click.option(
    "--framework",
    metavar="NAME",
    help="Run only the policies mapped to this framework (e.g. cis-aws-3.0, aws-fsbp) "
    "and print its compliance summary; see `pacscan policies frameworks`.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes to parse inputs with, and to share the evaluation of a large one "
    "(default: auto; 1: this process only).",
)
@click.pass_context
def scan(ctx: click.Context, **options: Any) -> None:
    """Scan CloudFormation templates, Terraform and pacscan snapshots in PATHS.

    Directories are searched recursively for .yaml, .yml, .json, .template and .tf files
    (skipping .git, .terraform, node_modules and .venv). A directory of .tf and .tf.json
    files is one Terraform module (variables from --var, --var-file and .tfvars files);
    JSON from `terraform show -json` is read as a plan. YAML or JSON that is none of these
    is skipped and counted.
    """
    run = resolve_run(options)
    reports = report_destinations(options, run)
    check_destinations(reports)  # a typo in any report path costs nothing
    request = scan_request(options, options["jobs"])
    policies = select_policies(run)
    text_on_stdout = any(d.fmt == "text" and d.to_stdout for d in reports)  # it lists errors
    if not text_on_stdout:
        for diag in policies.diagnostics:
            click.echo(render_diagnostic(diag), err=True)
    # SARIF carries fixes: the edits pacscan fix would write, verified by a re-scan
    result = scan_inputs(request, policies, run, fixes=any(d.fmt == "sarif" for d in reports))
    summary = _compliance(run.framework, result) if run.framework else None
    if not text_on_stdout:  # text output lists errors itself; other formats keep stdout clean
        for diag in result.errors[len(policies.diagnostics) :]:
            if not run.report.quiet or diag.severity == "error":
                click.echo(render_diagnostic(diag), err=True)
        if summary:
            click.echo(summary, err=True)
    written = _write_reports(result, reports, run, summary)
    failed = exit_code(result, run.fail_on, run.new_only)
    if policies.diagnostics or not written:
        ctx.exit(EXIT_USAGE)
    ctx.exit(EXIT_OK if options["soft_fail"] else failed)


def _write_reports(
    result: ScanResult, reports: list[Destination], run: Run, summary: str | None
) -> bool:
    """Render and write every report, each piece as it comes; one that cannot be written
    does not stop the others. Whether all were written."""
    written = True
    for dest in reports:
        text: str | Iterator[str] = report_chunks(result, dest, run.report)
        if summary and dest.fmt == "text":
            text = render_to(result, dest, run.report).rstrip("\n") + "\n\n" + summary + "\n"
        try:
            write_to(dest, text)
        except OutputError as exc:
            click.echo(render_diagnostic(exc.diagnostic()), err=True)
            written = False
    return written


def _compliance(name: str, result: ScanResult) -> str:
    from scanner.catalogue import compliance_summary, render_summary

    return render_summary(compliance_summary(name, result.findings))
