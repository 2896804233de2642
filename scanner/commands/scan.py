"""``pacscan scan``: check templates and snapshots against policies."""

from __future__ import annotations

import os
import sys

import click

from scanner import __version__
from scanner.commands.options import parse_policy_params, parse_template_parameters
from scanner.errors import render
from scanner.model import Severity, Status
from scanner.pipeline import ScanRequest, compile_policies, run_scan
from scanner.report import available_formats, renderer
from scanner.result import ReportOptions, ScanResult

SEVERITIES = [s.value for s in Severity]

EPILOG = """\b
Exit codes:
  0  no failed finding at or above --fail-on (unknowns never fail a scan)
  1  at least one failed finding at or above --fail-on
  2  usage error, or a policy that does not compile (the other policies still run)
  3  input errors (unreadable or malformed files) and no finding over the threshold
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--policies",
    "policy_dirs",
    multiple=True,
    type=click.Path(exists=True),
    help="Policy file or directory (repeatable). Default: the built-in policies.",
)
@click.option("--policy", "only", multiple=True, metavar="ID", help="Run only this policy id.")
@click.option("--skip", multiple=True, metavar="ID", help="Do not run this policy id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--include-passed", is_flag=True, help="Also list passed and skipped results.")
@click.option(
    "--include", "include_globs", multiple=True, metavar="GLOB", help="Only scan matching files."
)
@click.option(
    "--exclude", "exclude_globs", multiple=True, metavar="GLOB", help="Do not scan matching files."
)
@click.option(
    "--parameter",
    "template_params",
    multiple=True,
    metavar="KEY=VALUE",
    help="CloudFormation parameter value (repeatable); overrides defaults.",
)
@click.option(
    "--parameters-file",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CloudFormation parameters: AWS CLI JSON list, {Parameters: {...}} or a plain map.",
)
@click.option(
    "--param",
    "policy_params",
    multiple=True,
    metavar="NAME=JSON",
    help="Override a policy param (value parsed as JSON, else taken as a string).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="low",
    show_default=True,
    help="Lowest severity of a failed finding that makes the exit code 1.",
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
    fail_on: str,
    jobs: int | None,
) -> None:
    """Scan CloudFormation templates and pacscan snapshots in PATHS.

    Directories are searched recursively for .yaml, .yml, .json and .template files
    (skipping .git, .terraform, node_modules and .venv). YAML or JSON that is neither a
    CloudFormation template nor a pacscan snapshot is skipped and counted.
    """
    if fmt not in available_formats():
        raise click.UsageError(f"output format {fmt!r} is not available in this build")
    request = ScanRequest(
        paths=paths,
        policy_paths=policy_dirs,
        only_policies=frozenset(only) if only else None,
        skip_policies=frozenset(skip),
        include=include_globs,
        exclude=exclude_globs,
        template_parameters=parse_template_parameters(template_params, parameters_file),
        policy_params=parse_policy_params(policy_params),
        jobs=jobs,
        root=os.getcwd(),
    )
    policies = compile_policies(
        request.policy_paths, request.policy_params, request.only_policies, request.skip_policies
    )
    for diag in policies.diagnostics:
        click.echo(render(diag), err=True)
    result = run_scan(request, policies)
    options = ReportOptions(
        include_passed=include_passed,
        color=output is None and fmt == "text" and sys.stdout.isatty(),
        fail_on=Severity(fail_on),
        tool_version=__version__,
    )
    text = renderer(fmt)(result, options)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if fmt != "text":  # text output lists errors itself; other formats keep stdout clean
        for diag in result.errors[len(policies.diagnostics) :]:
            click.echo(render(diag), err=True)
    ctx.exit(exit_code(result, Severity(fail_on), policy_errors=bool(policies.diagnostics)))


def exit_code(result: ScanResult, fail_on: Severity, *, policy_errors: bool) -> int:
    """The documented exit code (see ``EPILOG``)."""
    if policy_errors:
        return 2
    threshold = fail_on.rank
    if any(
        f.status is Status.FAIL and f.policy.severity.rank >= threshold for f in result.findings
    ):
        return 1
    return 3 if result.errors else 0
