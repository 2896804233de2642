"""``pacscan scan``: check templates and snapshots against policies."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date

import click

from scanner import __version__
from scanner.baseline import load_baseline_if_present
from scanner.commands.options import (
    config_file_options,
    load_command_config,
    parse_policy_params,
    parse_template_parameters,
    policy_selection_options,
    template_input_options,
)
from scanner.commands.selection import Selection, apply_selection, framework_policy_ids
from scanner.errors import render
from scanner.model import Severity
from scanner.outcome import exit_code
from scanner.pipeline import ScanRequest, compile_policies, run_scan
from scanner.report import available_formats, renderer
from scanner.report.output import check_output, write_output
from scanner.result import ReportOptions, ScanResult
from scanner.triage import triage

SEVERITIES = [s.value for s in Severity]

EPILOG = """\b
Exit codes:
  0  no failed finding at or above --fail-on (unknowns never fail a scan)
  1  at least one failed finding at or above --fail-on, and no input errors
     (with --new-only: one the baseline did not have)
  2  usage error, a bad config file, a policy that does not compile (the other
     policies still run), or a report that cannot be written (-o into a missing
     directory is refused before the scan; a failed write leaves the old file)
  3  input errors (unreadable or malformed files) and no finding over the threshold
  4  findings at or above --fail-on and input errors: the scan is incomplete
 70  internal error (a bug; --debug shows the traceback)

Suppressed findings never fail a scan. Settings not given on the command line come
from .pacscan.yaml (the nearest one upward from the working directory, or --config).
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@policy_selection_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit"]),
    help="Output format.  [default: text]",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--include-passed/--no-include-passed",
    default=None,
    help="Also list passed and skipped results.",
)
@template_input_options("scan")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Lowest severity of a failed finding that makes the exit code 1.  [default: low]",
)
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
    "--jobs", type=click.IntRange(min=1), help="Parallel parser processes (default: auto)."
)
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[str, ...],
    policy_dirs: tuple[str, ...],
    only: tuple[str, ...],
    skip: tuple[str, ...],
    fmt: str,
    output: str | None,
    include_passed: bool,
    include_globs: tuple[str, ...],
    exclude_globs: tuple[str, ...],
    template_params: tuple[str, ...],
    parameters_file: tuple[str, ...],
    policy_params: tuple[str, ...],
    fail_on: str | None,
    jobs: int | None,
    config_path: str | None,
    no_config: bool,
    baseline: str | None,
    new_only: bool | None,
    category: str | None,
    omit_suppressed: bool | None,
    framework: str | None,
) -> None:
    """Scan CloudFormation templates and pacscan snapshots in PATHS.

    Directories are searched recursively for .yaml, .yml, .json and .template files
    (skipping .git, .terraform, node_modules and .venv). YAML or JSON that is neither a
    CloudFormation template nor a pacscan snapshot is skipped and counted.
    """
    config = load_command_config(config_path, no_config)
    fmt = fmt or config.format or "text"
    output = output or config.output
    if output:
        check_output(output)  # a typo in -o costs nothing
    severity = Severity(fail_on or config.fail_on or "low")
    new_only = _first(new_only, config.new_only)
    if fmt not in available_formats():
        raise click.UsageError(f"output format {fmt!r} is not available in this build")
    baseline = baseline or config.baseline
    previous, baseline_warning = load_baseline_if_present(baseline) if baseline else (None, None)
    if new_only and previous is None:
        raise click.UsageError("--new-only needs a baseline (--baseline or baseline: in config)")
    if framework:
        framework_policy_ids(framework)  # an unknown name stops here, before any work
    request = ScanRequest(
        paths=paths,
        policy_paths=policy_dirs or config.policy_paths,
        include=include_globs,
        exclude=exclude_globs,
        template_parameters=parse_template_parameters(template_params, parameters_file),
        policy_params={**config.params, **parse_policy_params(policy_params)},
        jobs=jobs,
        root=os.getcwd(),
    )
    policies = apply_selection(
        compile_policies(request.policy_paths, request.policy_params),
        Selection(only, skip, framework, config, tuple(parse_policy_params(policy_params))),
    )
    if fmt != "text" or output:  # a text report on the terminal lists them itself
        for diag in policies.diagnostics:
            click.echo(render(diag), err=True)
    result = run_scan(request, policies)
    result = triage(result, config, today=date.today(), baseline=previous)
    if baseline_warning is not None:
        result = replace(result, errors=(*result.errors, baseline_warning))
    options = ReportOptions(
        include_passed=_first(include_passed, config.include_passed),
        color=output is None and fmt == "text" and sys.stdout.isatty(),
        category=category or config.category or ReportOptions().category,
        omit_suppressed=_first(omit_suppressed, config.omit_suppressed),
        fail_on=severity,
        tool_version=__version__,
    )
    text = renderer(fmt)(result, options)
    if framework:
        summary = _compliance(framework, result)
        if fmt == "text" and not output:
            text = text.rstrip("\n") + "\n\n" + summary + "\n"
        else:  # keep machine-readable output clean
            click.echo(summary, err=True)
    if fmt != "text":  # text output lists errors itself; other formats keep stdout clean
        for diag in result.errors[len(policies.diagnostics) :]:
            click.echo(render(diag), err=True)
    write_output(output or "-", text if text.endswith("\n") else text + "\n")
    ctx.exit(2 if policies.diagnostics else exit_code(result, severity, new_only))


def _compliance(name: str, result: ScanResult) -> str:
    from scanner.catalogue import compliance_summary, render_summary

    return render_summary(compliance_summary(name, result.findings))


def _first(value: bool | None, configured: bool | None) -> bool:
    return bool(value if value is not None else configured)
