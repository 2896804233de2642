"""``pacscan audit``: collect live AWS accounts and scan them in one run.

Accounts are audited one at a time, as the collection hands each over: its snapshot is
written (gzip-compressed: the scan's file size limit applies to the bytes on disk),
scanned through the normal pipeline and reported on its own, with the SARIF category
``pacscan/aws/<account>/`` so code scanning keeps one analysis per account. Nothing of
an audited account is held, so a run that stops at account 90 of 100 keeps the first 89
reports, and memory is that of about one account (two at most are in flight).

With ``--cluster`` an account's snapshot is built, scanned and reported on a worker
(``scanner.aws.cluster_audit``), by the same ``report_account`` as here; this process
writes what comes back: the reports and, with ``--snapshot-dir``, the snapshot.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import click

from scanner.aws.account_report import AccountReport, Reporting, report_account
from scanner.aws.account_stream import AccountSnapshot
from scanner.aws.runner import ACCOUNT_FIELD, CollectRequest, audit_on_cluster, collect_accounts
from scanner.aws.snapshot import write_snapshot
from scanner.commands.collect import (
    account_path,
    collect_options,
    collect_request,
    collected_line,
    line_start,
    report_errors,
)
from scanner.commands.options import (
    config_file_options,
    policy_selection_options,
    report_destinations,
    report_options,
    resolve_run,
)
from scanner.errors import Diagnostic, UsageError, render_diagnostic
from scanner.escape import printable
from scanner.outcome import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, combine
from scanner.pipeline import (
    CompiledPolicies,
    Run,
    ScanRequest,
    run_scan,
    select_policies,
)
from scanner.report.destinations import Destination, colored, write_to
from scanner.report.output import OutputError, check_output, write_output
from scanner.triage.baseline import (
    PreviousResult,
    for_account,
    load_baseline_if_present,
)

if TYPE_CHECKING:  # --cluster imports what it scans with when it runs
    from scanner.aws.cluster_scan import AuditedAccount

CLUSTER_SCAN = "CLUSTER-SCAN"
SCAN_HINT = "the other accounts are reported; run the audit of this account again"

EPILOG = """\b
Exit codes (over all accounts):
  0  no failed finding at or above --fail-on
  1  at least one failed finding at or above --fail-on, and every call succeeded
  2  usage error, a policy that does not compile, or a report or snapshot that
     cannot be written (the other accounts are still scanned and reported)
  3  failed AWS calls (or unreadable input, or a scan that failed on the cluster)
     and no finding over the threshold
  4  findings at or above --fail-on and failed AWS calls: the audit is incomplete
 70  internal error (a bug; --debug shows the traceback)
With --soft-fail, 1, 3 and 4 become 0.
"""


@click.command(epilog=EPILOG)
@collect_options
@policy_selection_options
@report_options(
    "Write the report here; with several accounts each file name must contain "
    "{account}, which becomes each account id.",
    quiet=False,  # -q is the collection's: no progress on stderr
)
@click.option(
    "--snapshot-dir",
    type=click.Path(file_okay=False),
    help="Keep the snapshots here (snapshot-<account>.json.gz). Default: a "
    "temporary directory, removed afterwards.",
)
@click.option(
    "--framework",
    metavar="NAME",
    help="Run only the policies mapped to this framework (e.g. cis-aws-3.0, aws-fsbp) "
    "and print its compliance summary for each account.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="A previous audit's JSON report or SARIF log: print the failures that are new, "
    "unchanged and fixed since. With {account} in the name, each account's own file.",
)
@config_file_options
@click.pass_context
def audit(ctx: click.Context, **options: Any) -> None:
    """Collect live AWS resources and scan them against policies in one run.

    Takes the collection options of `pacscan collect` and the policy and report options
    of `pacscan scan`. Each account is scanned and reported on its own as soon as it
    is collected (with --cluster, scanned on a worker), and then let go. From
    .pacscan.yaml it takes
    the policies, params, severity overrides, suppressions, fail_on, format,
    include_passed and omit_suppressed; the report file, category and baseline of a
    config describe a scan of templates and are not used.
    """
    run = resolve_run({**options, "baseline": None}, report_file_from_config=False)
    reports = report_destinations(options, run)
    _check_output(reports, options)
    baseline = Baseline.of(options["baseline"])  # a bad file costs no AWS call
    policies = select_policies(run)
    for diag in policies.diagnostics:
        click.echo(render_diagnostic(diag), err=True)
    debug = bool((ctx.obj or {}).get("debug"))
    audit_run = AuditRun(
        request=collect_request(debug, **options),
        policies=policies,
        run=run,
        reports=tuple(reports),
        several=_several(options),
        quiet=options["quiet"],
        baseline=baseline,
    )
    codes = _audit_accounts(audit_run, options["snapshot_dir"])
    failed = policies.diagnostics or EXIT_USAGE in codes  # a report that was not written
    if failed:
        ctx.exit(EXIT_USAGE)
    ctx.exit(EXIT_OK if options["soft_fail"] else combine(codes))


@dataclass(frozen=True, slots=True)
class AuditRun:
    """What every account of an audit is collected, scanned and reported with."""

    request: CollectRequest
    policies: CompiledPolicies
    run: Run
    reports: tuple[Destination, ...]
    several: bool  # the selection may name several accounts: one report section each
    quiet: bool
    baseline: Baseline | None = None


@dataclass(frozen=True, slots=True)
class Baseline:
    """``--baseline``: one previous report for every account, or one per account."""

    path: str
    previous: tuple[PreviousResult, ...] | None  # None: per account ({account} in path)
    warning: Diagnostic | None = None

    @staticmethod
    def of(path: str | None) -> Baseline | None:
        if path is None:
            return None
        if ACCOUNT_FIELD in path:
            return Baseline(path, None)
        previous, warning = load_baseline_if_present(path)
        return Baseline(path, tuple(previous), warning)

    def run_for(self, run: Run, account: str) -> Run:
        """``run`` comparing with this account's results of the baseline."""
        if self.previous is None:
            previous, warning = load_baseline_if_present(account_path(self.path, account))
        else:
            previous, warning = for_account(self.previous, account), self.warning
        return replace(run, baseline=tuple(previous), baseline_warning=warning)


def _several(options: dict[str, Any]) -> bool:
    return bool(
        options["organization"] or options.get("units") or len(set(options["accounts"])) > 1
    )


def _check_output(reports: list[Destination], options: dict[str, Any]) -> None:
    several = _several(options)
    for dest in reports:
        _check_report_path(dest, several)
    if options["snapshot_dir"]:
        _make_snapshot_dir(options["snapshot_dir"])


def _check_report_path(dest: Destination, several: bool) -> None:
    path = None if dest.to_stdout else dest.path
    if several and path and ACCOUNT_FIELD not in path:
        raise UsageError(f"with several accounts, -o must contain {{account}}: {printable(path)}")
    if several and not path and dest.fmt != "text":
        raise UsageError(
            f"with several accounts, {dest.fmt} reports need -o with {{account}}",
            hint=f"for example: -o report-{{account}}.{dest.fmt}",
        )
    if path:
        if ACCOUNT_FIELD in os.path.dirname(path):
            raise UsageError("-o may have {account} in its file name only, not in a directory")
        check_output(path.replace(ACCOUNT_FIELD, "123456789012"))


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
    if audit_run.request.cluster is not None:
        return _audit_on_cluster(directory, root, audit_run, keep=not remove)
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
    try:
        reporting = _reporting(part.account, audit_run)
        path = _snapshot_path(directory, part.account)
        write_snapshot(part.snapshot, path)
        snapshot = part.snapshot
        resources = len(snapshot["resources"])
        _tell_collected(snapshot["errors"], resources, snapshot["regions"], audit_run)
        result = run_scan(ScanRequest(paths=(path,), root=root), audit_run.policies)
    except (OutputError, UsageError) as exc:  # a snapshot not written, a baseline not read
        click.echo(line_start() + render_diagnostic(exc.diagnostic()), err=True)
        return EXIT_USAGE
    return _deliver(part.account, report_account(result, reporting), audit_run)


def _reporting(account: str, audit_run: AuditRun) -> Reporting:
    """How ``account`` is reported (``UsageError``: its baseline cannot be read)."""
    run, baseline = audit_run.run, audit_run.baseline
    if baseline is not None:
        run = baseline.run_for(run, account)
    stdout = [d for d in audit_run.reports if d.to_stdout]
    color = bool(stdout) and colored(stdout[0])
    path = baseline.path if baseline is not None else None
    return Reporting(account, run, audit_run.reports, color=color, baseline=path)


def _tell_collected(
    errors: Sequence[dict[str, Any]], resources: int, regions: Sequence[str], audit_run: AuditRun
) -> None:
    if not audit_run.quiet:
        click.echo(line_start(), err=True, nl=False)
        report_errors(list(errors), "snapshot")
        click.echo(collected_line(resources, 1, len(regions), len(errors)), err=True)


def _deliver(account: str, report: AccountReport, audit_run: AuditRun) -> int:
    """Write one account's reports (a full disk loses that report only); its exit code."""
    summaries = report.summaries
    if summaries and not any(d.fmt == "text" and d.to_stdout for d in audit_run.reports):
        click.echo(f"account {account}:\n{summaries}", err=True)  # keep stdout clean
    written = True
    for dest, text in zip(audit_run.reports, report.texts, strict=True):
        if dest.to_stdout and audit_run.several:
            click.echo(f"== account {account} ==")
        target = (
            dest if dest.to_stdout else replace(dest, path=account_path(dest.path or "", account))
        )
        try:
            write_to(target, text)
        except OutputError as exc:
            click.echo(line_start() + render_diagnostic(exc.diagnostic()), err=True)
            written = False
    return report.exit_code if written else EXIT_USAGE


def _audit_on_cluster(directory: str, root: str, audit_run: AuditRun, *, keep: bool) -> list[int]:
    """``--cluster``: each account collected, scanned and reported on the cluster; here,
    its snapshot (when kept) and reports written."""
    from scanner.aws.cluster_policies import describe_policies
    from scanner.aws.cluster_scan import AccountScans, ScanJob

    def job(account: str) -> ScanJob:
        path = os.path.abspath(_snapshot_path(directory, account))
        reporting = _reporting(account, audit_run)
        return ScanJob(account, path, os.path.abspath(root), keep, reporting)

    scans = AccountScans(describe_policies(audit_run.run, audit_run.policies), job)
    audited = audit_on_cluster(audit_run.request, scans)
    return [_audited(done, directory, audit_run) for done in audited]


def _audited(done: AuditedAccount, directory: str, audit_run: AuditRun) -> int:
    """Write what the cluster made of one account; its exit code."""
    if done.refused is not None:
        click.echo(line_start() + render_diagnostic(done.refused.diagnostic()), err=True)
        return EXIT_USAGE
    if done.scanned is None:  # its scan task failed: the audit of the account is incomplete
        message = f"account {done.account} has no report: its {done.failed}"
        failure = Diagnostic(CLUSTER_SCAN, message, hint=SCAN_HINT)
        click.echo(line_start() + render_diagnostic(failure), err=True)
        return EXIT_INPUT_ERRORS
    scanned = done.scanned
    try:
        if scanned.snapshot is not None:
            write_output(_snapshot_path(directory, done.account), scanned.snapshot, "snapshot")
    except OutputError as exc:
        click.echo(line_start() + render_diagnostic(exc.diagnostic()), err=True)
        return EXIT_USAGE
    _tell_collected(scanned.errors, scanned.resources, scanned.regions, audit_run)
    return _deliver(done.account, scanned.report, audit_run)
