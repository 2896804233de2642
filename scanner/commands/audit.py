"""``pacscan audit``: collect live AWS accounts and scan them in one run.

Accounts are audited one at a time, as the collection hands each over: its snapshot is
written (gzip-compressed: the scan's file size limit applies to the bytes on disk),
scanned through the normal pipeline and reported on its own, with the SARIF category
``pacscan/aws/<account>/`` so code scanning keeps one analysis per account. Nothing of
an audited account is held, so a run that stops at account 90 of 100 keeps the first 89
reports, and memory is that of about one account (two at most are in flight).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import click

from scanner.aws.account_stream import AccountSnapshot
from scanner.aws.runner import ACCOUNT_FIELD, CollectRequest, collect_accounts
from scanner.aws.snapshot import write_snapshot
from scanner.commands.collect import (
    account_path,
    collect_options,
    collect_request,
    line_start,
    report_errors,
    summary,
)
from scanner.commands.options import (
    config_file_options,
    policy_selection_options,
    report_options,
    resolve_run,
)
from scanner.errors import UsageError, render_diagnostic
from scanner.escape import printable
from scanner.outcome import EXIT_USAGE, combine, exit_code
from scanner.pipeline import (
    CompiledPolicies,
    Run,
    ScanRequest,
    render_report,
    run_scan,
    select_policies,
    triage_result,
    write_report,
)
from scanner.report.output import OutputError, check_output

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
@report_options(
    "Write the report here; with several accounts the name must contain "
    "{account}, which becomes each account id."
)
@click.option(
    "--snapshot-dir",
    type=click.Path(file_okay=False),
    help="Keep the snapshots here (snapshot-<account>.json.gz). Default: a "
    "temporary directory, removed afterwards.",
)
@config_file_options
@click.pass_context
def audit(ctx: click.Context, **options: Any) -> None:
    """Collect live AWS resources and scan them against policies in one run.

    Takes the collection options of `pacscan collect` and the policy and report options
    of `pacscan scan`. Each account is scanned and reported on its own as soon as it
    is collected, and then let go. From .pacscan.yaml it takes
    the policies, params, severity overrides, suppressions, fail_on, format,
    include_passed and omit_suppressed; the report file, category and baseline of a
    config describe a scan of templates and are not used.
    """
    run = resolve_run(options, report_file_from_config=False)
    _check_output(run, options)
    policies = select_policies(run)
    for diag in policies.diagnostics:
        click.echo(render_diagnostic(diag), err=True)
    debug = bool((ctx.obj or {}).get("debug"))
    audit_run = AuditRun(
        request=collect_request(debug, **options),
        policies=policies,
        run=run,
        several=_several(options),
        quiet=options["quiet"],
    )
    codes = _audit_accounts(audit_run, options["snapshot_dir"])
    failed = policies.diagnostics or EXIT_USAGE in codes  # a report that was not written
    ctx.exit(EXIT_USAGE if failed else combine(codes))


@dataclass(frozen=True, slots=True)
class AuditRun:
    """What every account of an audit is collected, scanned and reported with."""

    request: CollectRequest
    policies: CompiledPolicies
    run: Run
    several: bool  # the selection may name several accounts: one report section each
    quiet: bool


def _several(options: dict[str, Any]) -> bool:
    return bool(
        options["organization"] or options.get("units") or len(set(options["accounts"])) > 1
    )


def _check_output(run: Run, options: dict[str, Any]) -> None:
    several = _several(options)
    output = run.output
    if several and output and ACCOUNT_FIELD not in output:
        raise UsageError("with several accounts, -o must contain {account}")
    if several and not output and run.fmt != "text":
        raise UsageError(
            f"with several accounts, {run.fmt} reports need -o with {{account}}",
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


def _audit_accounts(audit_run: AuditRun, keep: str | None) -> list[int]:
    """Audit each account as soon as it is collected; the exit code of each."""
    if keep:
        return _audit_in(keep, os.getcwd(), audit_run, remove=False)
    with tempfile.TemporaryDirectory(prefix="pacscan-audit-") as temporary:
        return _audit_in(temporary, temporary, audit_run, remove=True)


def _audit_in(directory: str, root: str, audit_run: AuditRun, *, remove: bool) -> list[int]:
    """Snapshots go to ``directory``; report paths are relative to ``root``."""
    codes = []
    for part in collect_accounts(audit_run.request):
        codes.append(_audit_account(part, directory, root, audit_run))
        if remove:  # a temporary snapshot is not needed once its account is reported
            with contextlib.suppress(OSError, OutputError):
                os.remove(_snapshot_path(directory, part.account))
    return codes


def _snapshot_path(directory: str, account: str) -> str:
    return account_path(os.path.join(directory, f"snapshot-{ACCOUNT_FIELD}.json.gz"), account)


def _audit_account(part: AccountSnapshot, directory: str, root: str, audit_run: AuditRun) -> int:
    """Write, scan and report one account's snapshot; its exit code.

    A full disk loses this account's output only; the other accounts go on.
    """
    run = audit_run.run
    try:
        path = _snapshot_path(directory, part.account)
        write_snapshot(part.snapshot, path)
        if not audit_run.quiet:
            click.echo(line_start(), err=True, nl=False)
            report_errors(part.snapshot, "snapshot")
            click.echo(summary(part.snapshot), err=True)
        request = ScanRequest(paths=(path,), root=root)
        result = triage_result(run_scan(request, audit_run.policies), run)
        text = render_report(result, run, category=f"pacscan/aws/{part.account}/")
        if run.output is None and audit_run.several:
            click.echo(f"== account {part.account} ==")
        write_report(text, run.output and account_path(run.output, part.account))
    except OutputError as exc:
        click.echo(line_start() + render_diagnostic(exc.diagnostic()), err=True)
        return EXIT_USAGE
    return exit_code(result, run.fail_on)
