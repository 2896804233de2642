"""``pacscan audit``: collect live AWS accounts and scan them in one run.

The collection is split per account; each account's snapshot is scanned through the
normal pipeline and reported on its own, with the SARIF category
``pacscan/aws/<account>/`` so code scanning keeps one analysis per account. Snapshots
are written gzip-compressed: the scan's file size limit applies to the bytes on disk.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from typing import Any

import click

from scanner import __version__
from scanner.aws.runner import collect as run_collection
from scanner.aws.snapshot import split_by_account, write_snapshot
from scanner.commands.collect import collect_options, collect_request, report_errors, summary
from scanner.commands.options import (
    load_command_config,
    parse_policy_params,
    policy_selection_options,
)
from scanner.commands.selection import Selection, apply_selection
from scanner.config import Config
from scanner.errors import UsageError, render
from scanner.escape import printable
from scanner.model import Severity
from scanner.outcome import EXIT_USAGE, combine, exit_code
from scanner.pipeline import CompiledPolicies, ScanRequest, compile_policies, run_scan
from scanner.report import available_formats, renderer
from scanner.report.output import OutputError, check_output, write_output
from scanner.result import ReportOptions, ScanResult
from scanner.triage import triage

SEVERITIES = [s.value for s in Severity]
ACCOUNT_FIELD = "{account}"

EPILOG = """\b
Exit codes (over all accounts):
  0  no failed finding at or above --fail-on
  1  at least one failed finding at or above --fail-on, and every call succeeded
  2  usage error, a policy that does not compile, or a report or snapshot that
     cannot be written (the other accounts are still scanned and reported)
  3  failed AWS calls (or unreadable input) and no finding over the threshold
  4  findings at or above --fail-on and failed AWS calls: the audit is incomplete
 70  internal error (a bug; --debug shows the traceback)
"""


@click.command(epilog=EPILOG)
@collect_options
@policy_selection_options
@click.option(
    "--param",
    "policy_params",
    multiple=True,
    metavar="NAME=JSON",
    help="Override a policy param (value parsed as JSON, else a string).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report here; with several accounts the name must contain "
    "{account}, which becomes each account id.",
)
@click.option("--include-passed", is_flag=True, help="Also list passed and skipped results.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="low",
    show_default=True,
    help="Lowest severity of a failed finding that makes the exit code 1.",
)
@click.option(
    "--snapshot-dir",
    type=click.Path(file_okay=False),
    help="Keep the snapshots here (snapshot-<account>.json.gz). Default: a "
    "temporary directory, removed afterwards.",
)
@click.option("--no-config", is_flag=True, help="Ignore any .pacscan.yaml.")
@click.pass_context
def audit(ctx: click.Context, **options: Any) -> None:
    """Collect live AWS resources and scan them against policies in one run.

    Takes the collection options of `pacscan collect` and the policy and report options
    of `pacscan scan`. Each account is reported separately.
    """
    fmt = options["fmt"]
    if fmt not in available_formats():
        raise click.UsageError(f"output format {fmt!r} is not available in this build")
    _check_output(options)
    config = load_command_config(None, options["no_config"])
    policies = apply_selection(
        compile_policies(
            options["policy_dirs"] or config.policy_paths,
            {**config.params, **parse_policy_params(options["policy_params"])},
        ),
        Selection(
            options["only"],
            options["skip"],
            config=config,
            params=tuple(parse_policy_params(options["policy_params"])),
        ),
    )
    for diag in policies.diagnostics:
        click.echo(render(diag), err=True)
    collect_keys = {k: v for k, v in options.items() if k in _COLLECT_KEYS}
    debug = bool((ctx.obj or {}).get("debug"))
    snapshot = run_collection(collect_request(debug, **collect_keys))
    if not options["quiet"]:
        report_errors(snapshot, "snapshot")
        click.echo(summary(snapshot), err=True)
    codes = _scan_accounts(snapshot, policies, config, options)
    failed = policies.diagnostics or EXIT_USAGE in codes  # a report that was not written
    ctx.exit(EXIT_USAGE if failed else combined_exit_code(codes))


_COLLECT_KEYS = frozenset(
    (
        "profile", "regions", "all_regions", "services", "role_arn", "accounts",
        "organization", "retry_mode", "max_attempts", "workers", "timeout", "quiet",
    )
)  # fmt: skip


def _check_output(options: dict[str, Any]) -> None:
    several = options["organization"] or len(set(options["accounts"])) > 1
    output = options["output"]
    if several and output and ACCOUNT_FIELD not in output:
        raise UsageError("with several accounts, -o must contain {account}")
    if several and not output and options["fmt"] != "text":
        raise UsageError(
            f"with several accounts, {options['fmt']} reports need -o with {{account}}",
            hint="for example: -o report-{account}.sarif",
        )
    if output:
        if ACCOUNT_FIELD in os.path.dirname(output):
            raise UsageError("-o may have {account} in its file name only, not in a directory")
        check_output(output.replace(ACCOUNT_FIELD, "123456789012"))
    if options["snapshot_dir"]:
        _make_snapshot_dir(options["snapshot_dir"])


def _make_snapshot_dir(path: str) -> None:
    """Create --snapshot-dir before collecting, so a bad path costs no AWS calls."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create --snapshot-dir {printable(path)}: {exc.strerror or exc}"
        ) from exc
    check_output(os.path.join(path, "snapshot.json.gz"), "snapshot")


def _scan_accounts(
    snapshot: dict[str, Any], policies: CompiledPolicies, config: Config, options: dict[str, Any]
) -> list[int]:
    """Scan each account's snapshot; report paths are relative to ``root``."""
    keep = options["snapshot_dir"]
    if keep:
        return _scan_in(keep, os.getcwd(), snapshot, policies, config, options)
    with tempfile.TemporaryDirectory(prefix="pacscan-audit-") as temporary:
        return _scan_in(temporary, temporary, snapshot, policies, config, options)


def _scan_in(
    directory: str,
    root: str,
    snapshot: dict[str, Any],
    policies: CompiledPolicies,
    config: Config,
    options: dict[str, Any],
) -> list[int]:
    fail_on = Severity(options["fail_on"])
    codes = []
    parts = split_by_account(snapshot)
    for account, part in parts.items():
        path = os.path.join(directory, f"snapshot-{account}.json.gz")
        try:  # a full disk loses this account's output; the other accounts go on
            write_snapshot(part, path)
            request = ScanRequest(paths=(path,), root=root)
            result = triage(run_scan(request, policies), config, today=date.today())
            _report(account, result, options, heading=len(parts) > 1)
        except OutputError as exc:
            click.echo(render(exc.diagnostic()), err=True)
            codes.append(EXIT_USAGE)
            continue
        codes.append(exit_code(result, fail_on))
    return codes


def _report(account: str, result: ScanResult, options: dict[str, Any], heading: bool) -> None:
    fmt, output = options["fmt"], options["output"]
    report_options = ReportOptions(
        include_passed=options["include_passed"],
        color=output is None and fmt == "text" and sys.stdout.isatty(),
        category=f"pacscan/aws/{account}/",
        fail_on=Severity(options["fail_on"]),
        tool_version=__version__,
    )
    text = renderer(fmt)(result, report_options)
    if output:
        write_output(output.replace(ACCOUNT_FIELD, account), text)
        return
    if heading:
        click.echo(f"== account {account} ==")
    write_output("-", text if text.endswith("\n") else text + "\n")


def combined_exit_code(codes: list[int]) -> int:
    """The accounts' worst outcome; findings in one and errors in another give 4."""
    return combine(codes)
