"""The ``pacscan`` command: option parsing and exit codes only.

Each subcommand lives in ``scanner/commands/<name>.py`` and is imported only when it runs,
so ``pacscan scan`` never pays for boto3 and ``pacscan --help`` starts instantly.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from scanner import __version__
from scanner.errors import InputError, PacscanError, UsageError, render_diagnostic
from scanner.escape import printable
from scanner.outcome import EXIT_INPUT_ERRORS, EXIT_INTERNAL, EXIT_USAGE

# name -> "module:attribute"; a new command is one line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scanner.commands.scan:scan", "Scan templates and snapshots against policies."),
    "check": ("scanner.commands.check:check", "Compile policy files and report every error."),
    "test": ("scanner.commands.test:test", "Run the inline examples of policies."),
    "policies": ("scanner.commands.policies:policies", "List and show the policy catalogue."),
    "collect": ("scanner.commands.collect:collect", "Snapshot live AWS accounts with boto3."),
    "audit": ("scanner.commands.audit:audit", "Collect live AWS resources and scan them."),
    "fix": ("scanner.commands.fix:fix", "Fix failed findings in templates, in place."),
    "remediate": (
        "scanner.commands.remediate:remediate",
        "Plan, apply and undo API calls that fix live findings.",
    ),
}

# What the ``aws`` extra installs: collect, audit and remediate import it, nothing else does.
AWS_MODULES = frozenset({"boto3", "botocore"})


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (target, _) in COMMANDS.items() if _importable(target))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _importable(entry[0]):
            return None
        module_name, attr = entry[0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name not in AWS_MODULES:
                raise
            raise UsageError(
                f"pacscan {cmd_name} calls AWS and needs boto3, which is not installed",
                code="AWS-EXTRA",
                hint="install the aws extra: pip install 'pacscan[aws]' "
                "(scanning templates and snapshots works without it)",
            ) from exc
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _importable(target: str) -> bool:
    module_name = target.split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="pacscan")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """pacscan: policy-as-code compliance scanner for AWS.

    Checks CloudFormation templates and snapshots of live AWS accounts against policies
    written in the pacscan rule language, and reports findings as text, JSON, SARIF,
    JUnit, HTML, CSV, Markdown or GitLab SAST.

    \b
    Exit codes (scan, audit):
      0  nothing failed at or above --fail-on, no input errors
      1  findings at or above --fail-on
      2  usage, config or policy error, or a report that cannot be written
      3  input errors (unreadable files, failed AWS calls), no findings over the threshold
      4  findings at or above --fail-on and input errors (an incomplete scan)
     70  internal error (a bug; --debug shows the traceback)
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: user errors become one rendered message, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 still prints
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        return cli.main(args=args, prog_name="pacscan", standalone_mode=True)
    except PacscanError as exc:
        if debug:
            raise
        click.echo(render_diagnostic(exc.diagnostic()), err=True)
        sys.exit(EXIT_INPUT_ERRORS if isinstance(exc, InputError) else EXIT_USAGE)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except Exception as exc:  # a bug in pacscan, not a user mistake
        if debug:
            raise
        click.echo(
            f"pacscan: internal error: {type(exc).__name__}: {printable(str(exc))}\n"
            "  rerun with --debug for the traceback and report it",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
