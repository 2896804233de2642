"""``pacscan test``: run the inline examples of policies like a test runner."""

from __future__ import annotations

import os
from typing import Any

import click

from scanner.commands.options import param_option, parse_policy_params
from scanner.errors import render_diagnostic
from scanner.escape import printable
from scanner.lang.sources import builtin_policy_dir, discover_policy_files
from scanner.outcome import EXIT_FINDINGS, EXIT_USAGE
from scanner.policyset.compiler import compile_sources
from scanner.policyset.examples import ExampleResult, run_examples

EPILOG = """\b
Exit codes:
  0  every example gave its expected status (and path, with `at`)
  1  at least one example failed
  2  a policy does not compile (its errors are printed; the rest is still tested)
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path())
@param_option
@click.option("-v", "--verbose", is_flag=True, help="Also list the examples that passed.")
@click.pass_context
def test(
    ctx: click.Context, paths: tuple[str, ...], policy_params: tuple[str, ...], verbose: bool
) -> None:
    """Run every example of the policies under PATHS (default: the built-in policies)."""
    roots: list[Any] = list(paths) or [builtin_policy_dir()]
    sources = discover_policy_files(roots)
    compiled = compile_sources(sources, params=parse_policy_params(policy_params))
    for diagnostic in compiled.diagnostics:
        click.echo(render_diagnostic(diagnostic))
    results = run_examples(compiled.program)
    failed = [r for r in results if not r.ok]
    for result in results:
        if not result.ok:
            line = f"{_where(result)}: FAIL {result.policy.id}: {result.explain()}"
        elif verbose:
            line = f"{_where(result)}: ok {result.policy.id} ({result.expected.value})"
        else:
            continue
        click.echo(printable(line))
    bare = [p.info.id for p in compiled.program.policies if not p.examples]
    if bare:
        click.echo(f"policies without examples: {', '.join(bare)}")
    summary = f"{len(results) - len(failed)} passed, {len(failed)} failed"
    if compiled.diagnostics:
        summary += f", {len(compiled.diagnostics)} compile errors"
    click.echo(summary)
    if compiled.diagnostics:
        ctx.exit(EXIT_USAGE)
    if failed:
        ctx.exit(EXIT_FINDINGS)


def _where(result: ExampleResult) -> str:
    path = result.location.file
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = path
    if shown.startswith(".." + os.sep):
        shown = path
    return f"{shown}:{result.location.line}"
