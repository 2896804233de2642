"""``pacscan check``: compile policy files and report every problem."""

from __future__ import annotations

import click

from scanner.commands.options import param_option, parse_policy_params
from scanner.errors import render_diagnostic
from scanner.lang.sources import discover_policy_files
from scanner.outcome import EXIT_USAGE
from scanner.policyset.compiler import compile_sources

EPILOG = """\b
Exit codes:
  0  every policy compiles (warnings, such as an unused `use`, are printed too)
  2  at least one error (each printed as file:line:col: error[CODE]: message)
"""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@param_option
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], policy_params: tuple[str, ...]) -> None:
    """Compile the policy files (*.policy) under PATHS and report every error."""
    sources = discover_policy_files(paths)
    result = compile_sources(sources, params=parse_policy_params(policy_params))
    for diagnostic in [*result.diagnostics, *result.warnings]:
        click.echo(render_diagnostic(diagnostic))
    policies = len(result.program.policies)
    files = _plural(len(sources), "file")
    if result.diagnostics:
        errors = _plural(len(result.diagnostics), "error")
        click.echo(f"{errors} in {files} ({_plural(policies, 'policy', 'policies')} compiled)")
        ctx.exit(EXIT_USAGE)
    click.echo(f"{_plural(policies, 'policy', 'policies')} in {files}: no errors")


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
