"""``pacscan audit``: collect live AWS accounts and scan them in one run.

The collection is split per account; each account's snapshot is scanned through the
normal pipeline and reported on its own, with the SARIF category
``pacscan/aws/<account>/`` so code scanning keeps one analysis per account. Snapshots
are written gzip-compressed: the scan's file size limit applies to the bytes on disk.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import click

from scanner.aws.runner import collect as run_collection
from scanner.aws.snapshot import split_by_account, write_snapshot
from scanner.commands.collect import collect_options, collect_request, report_errors, summary
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
    of `pacscan scan`. Each account is reported separately. From .pacscan.yaml it takes
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
    snapshot = run_collection(collect_request(debug, **options))
    if not options["quiet"]:
        report_errors(snapshot, "snapshot")
        click.echo(summary(snapshot), err=True)
    codes = _scan_accounts(snapshot, policies, run, options["snapshot_dir"])
    failed = policies.diagnostics or EXIT_USAGE in codes  # a report that was not written
    ctx.exit(EXIT_USAGE if failed else combine(codes))


def _check_output(run: Run, options: dict[str, Any]) -> None:
    several = options["organization"] or options.get("units") or len(set(options["accounts"])) > 1
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


def _scan_accounts(
    snapshot: dict[str, Any], policies: CompiledPolicies, run: Run, keep: str | None
) -> list[int]:
    """Scan each account's snapshot; report paths are relative to ``root``."""
    if keep:
        return _scan_in(keep, os.getcwd(), snapshot, policies, run)
    with tempfile.TemporaryDirectory(prefix="pacscan-audit-") as temporary:
        return _scan_in(temporary, temporary, snapshot, policies, run)


def _scan_in(
    directory: str, root: str, snapshot: dict[str, Any], policies: CompiledPolicies, run: Run
) -> list[int]:
    codes = []
    parts = split_by_account(snapshot)
    for account, part in parts.items():
        path = os.path.join(directory, f"snapshot-{account}.json.gz")
        try:  # a full disk loses this account's output; the other accounts go on
            write_snapshot(part, path)
            result = triage_result(run_scan(ScanRequest(paths=(path,), root=root), policies), run)
            text = render_report(result, run, category=f"pacscan/aws/{account}/")
            if run.output is None and len(parts) > 1:
                click.echo(f"== account {account} ==")
            write_report(text, run.output and run.output.replace(ACCOUNT_FIELD, account))
        except OutputError as exc:
            click.echo(render_diagnostic(exc.diagnostic()), err=True)
            codes.append(EXIT_USAGE)
            continue
        codes.append(exit_code(result, run.fail_on))
    return codes
