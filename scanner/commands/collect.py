"""``pacscan collect``: snapshot live AWS accounts with boto3."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from scanner.aws.cluster_tasks import LOCAL, ClusterOptions
from scanner.aws.organizations import ACCOUNT_ID
from scanner.aws.runner import ACCOUNT_FIELD, CollectRequest, collect_accounts
from scanner.aws.runner import collect as run_collection
from scanner.aws.session import RETRY_MODES, ClientSettings
from scanner.aws.snapshot import write_snapshot
from scanner.errors import UsageError, render_diagnostic
from scanner.escape import printable
from scanner.loaders.snapshot import collection_errors
from scanner.outcome import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from scanner.report.output import OutputError, check_output

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = """\b
With {account} in the -o file name, each account's snapshot is written to its own
file as soon as that account is finished, e.g. -o 'snapshots/{account}.json.gz'.
\b
Exit codes:
  0  the snapshots were written and every API call succeeded
  2  usage error (bad option, unknown profile, no credentials, an -o directory that
     does not exist: checked before any AWS call), or a snapshot that cannot be
     written (a full disk; a previous snapshot at that path is left as it was; the
     other accounts are still collected and written)
  3  the snapshots were written but some API calls failed (listed in their "errors")
"""


def collect_options(command: F) -> F:
    """The options ``collect`` and ``audit`` share (what to collect and how)."""
    options = [
        click.option(
            "--profile", help="AWS named profile (default: the default credential chain)."
        ),
        click.option(
            "--region",
            "regions",
            multiple=True,
            metavar="REGION",
            help="Region to collect (repeatable). Default: the profile's region.",
        ),
        click.option(
            "--all-regions", is_flag=True, help="Collect every region enabled in each account."
        ),
        click.option(
            "--service",
            "services",
            multiple=True,
            metavar="NAME",
            help="Only this service (repeatable), e.g. s3, iam, ec2, rds, dynamodb; "
            "docs/aws.md lists every name. Default: all.",
        ),
        click.option(
            "--role-arn",
            metavar="TEMPLATE",
            help="Role to assume in each account, e.g. arn:aws:iam::{account}:role/Audit.",
        ),
        click.option(
            "--account",
            "accounts",
            multiple=True,
            metavar="ID",
            help="Account to collect through --role-arn (repeatable).",
        ),
        click.option(
            "--organization",
            is_flag=True,
            help="Collect every active account of the AWS Organization (through --role-arn).",
        ),
        click.option(
            "--ou",
            "units",
            multiple=True,
            metavar="ID",
            help="Collect every active account under this organizational unit (ou-…) or "
            "root (r-…), its child units included (repeatable; through --role-arn).",
        ),
        click.option(
            "--exclude-account",
            "excluded",
            multiple=True,
            metavar="ID",
            help="Never collect this account (repeatable), whatever selected it.",
        ),
        click.option(
            "--external-id",
            metavar="ID",
            help="External ID sent with every sts:AssumeRole of --role-arn.",
        ),
        click.option(
            "--retry-mode",
            type=click.Choice(RETRY_MODES),
            default="standard",
            show_default=True,
            help="botocore retry mode.",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(min=1),
            default=5,
            show_default=True,
            help="Attempts per API call, the first included.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=8,
            show_default=True,
            help="Parallel (account, region, service) tasks, and as many threads again "
            "for the buckets and IAM users read within them.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=30.0,
            show_default=True,
            help="Connect and read timeout of each call, seconds.",
        ),
        click.option(
            "--cluster",
            metavar="ADDRESS",
            help="Run on Dask distributed: 'local' (worker processes on this machine) or "
            "a scheduler's address (tcp://HOST:PORT). Needs pip install 'pacscan[dask]'.",
        ),
        click.option(
            "--cluster-workers",
            type=click.IntRange(min=1),
            metavar="N",
            help="Worker processes of --cluster local. Default: one per core.",
        ),
        click.option(
            "--cluster-threads",
            type=click.IntRange(min=1),
            default=4,
            show_default=True,
            metavar="N",
            help="Threads (tasks at once) per worker process of --cluster local.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary on stderr."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def collect_request(debug: bool, **options: Any) -> CollectRequest:
    """A ``CollectRequest`` from the values of ``collect_options``."""
    settings = ClientSettings(
        retry_mode=options["retry_mode"],
        max_attempts=options["max_attempts"],
        timeout=options["timeout"],
        workers=options["workers"],
    )
    return CollectRequest(
        regions=tuple(options["regions"]),
        all_regions=options["all_regions"],
        services=tuple(options["services"]),
        role_arn=options["role_arn"],
        accounts=tuple(options["accounts"]),
        organization=options["organization"],
        units=tuple(options.get("units") or ()),
        excluded=tuple(options.get("excluded") or ()),
        external_id=options.get("external_id"),
        profile=options["profile"],
        settings=settings,
        show_progress=not options["quiet"],
        debug=debug,
        cluster=cluster_options(options),
    )


def cluster_options(options: dict[str, Any]) -> ClusterOptions | None:
    """``--cluster`` and its local sizes; a usage error for an address Dask cannot use."""
    address = options.get("cluster")
    local_sizes = options.get("cluster_workers") is not None
    if not address:
        if local_sizes:
            raise UsageError("--cluster-workers needs --cluster local")
        return None
    if address != LOCAL and "://" not in address:
        raise UsageError(
            f"--cluster expects 'local' or a scheduler address, got {printable(address)!r}",
            hint="for example: --cluster tcp://scheduler.internal:8786",
        )
    if address != LOCAL and local_sizes:
        raise UsageError("--cluster-workers sizes a --cluster local only")
    return ClusterOptions(
        address, workers=options.get("cluster_workers"), threads=options.get("cluster_threads") or 4
    )


def summary(snapshot: dict[str, Any]) -> str:
    return collected_line(
        len(snapshot["resources"]),
        len(snapshot["accounts"]),
        len(snapshot["regions"]),
        len(snapshot["errors"]),
    )


def collected_line(resources: int, accounts: int, regions: int, failed: int) -> str:
    """What a snapshot holds, as stderr tells it once collected."""
    text = (
        f"collected {resources} resources from {accounts} "
        f"account{'s' if accounts != 1 else ''} and {regions} region{'s' if regions != 1 else ''}"
    )
    if failed:
        text += (
            f"; {failed} API call{'s' if failed != 1 else ''} failed (see the snapshot's errors)"
        )
    return text


@click.command(epilog=EPILOG)
@collect_options
@click.option(
    "-o",
    "--output",
    default="snapshot.json",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Snapshot file; a name ending in .gz is gzip-compressed; - is stdout. "
    "{account} in the file name: one file per account, written as each is finished.",
)
@click.pass_context
def collect(ctx: click.Context, output: str, **options: Any) -> None:
    """Collect live AWS resources into a snapshot that `pacscan scan` checks.

    Resources are recorded in CloudFormation types and property shapes, so the same
    policies check templates and live accounts. A failed API call (denied, throttled,
    timed out) is recorded in the snapshot and the collection goes on.
    """
    check_snapshot_output(output)  # before any AWS call: a typo costs nothing
    debug = bool((ctx.obj or {}).get("debug"))
    request = collect_request(debug, **options)
    if ACCOUNT_FIELD in output:
        ctx.exit(collect_per_account(request, output, options["quiet"]))
    snapshot = run_collection(request)
    write_snapshot(snapshot, output)
    if not options["quiet"]:
        report_errors(snapshot["errors"], output)
        written = printable(output) if output != "-" else "stdout"
        click.echo(f"{summary(snapshot)}; wrote {written}", err=True)
    ctx.exit(EXIT_INPUT_ERRORS if snapshot["errors"] else EXIT_OK)


def check_snapshot_output(output: str) -> None:
    """``-o`` can be written; ``{account}`` may appear in its file name only."""
    if ACCOUNT_FIELD in output:
        if ACCOUNT_FIELD in os.path.dirname(output):
            raise UsageError("-o may have {account} in its file name only, not in a directory")
        output = account_path(output, "123456789012")
    check_output(output, "snapshot")


def account_path(template: str, account: str) -> str:
    """The file of ``account``'s snapshot: ``{account}`` in ``template`` replaced."""
    if not ACCOUNT_ID.match(account):  # an id that names a file is 12 digits, nothing else
        raise OutputError(f"will not name a snapshot file after account id {account!r}")
    return template.replace(ACCOUNT_FIELD, account)


def collect_per_account(request: CollectRequest, template: str, quiet: bool) -> int:
    """Write each account's snapshot as soon as it is finished; the exit code.

    A snapshot that cannot be written is reported and the other accounts go on.
    """
    unwritten = failed = 0
    for part in collect_accounts(request):
        try:
            path = account_path(template, part.account)
            write_snapshot(part.snapshot, path)
        except OutputError as exc:
            click.echo(line_start() + render_diagnostic(exc.diagnostic()), err=True)
            unwritten += 1
            continue
        failed += len(part.snapshot["errors"])
        if not quiet:
            click.echo(line_start(), err=True, nl=False)
            report_errors(part.snapshot["errors"], path)
            click.echo(f"{summary(part.snapshot)}; wrote {printable(path)}", err=True)
    if unwritten:
        return EXIT_USAGE
    return EXIT_INPUT_ERRORS if failed else EXIT_OK


def line_start() -> str:
    """Clears the progress bar's line first, when stderr is a terminal and shows one."""
    return "\r\x1b[K" if sys.stderr.isatty() else ""


def report_errors(errors: list[dict[str, Any]], output: str, limit: int = 20) -> None:
    """The first ``limit`` of a snapshot's failed calls (its ``errors``) on stderr,
    rendered like every other error."""
    diagnostics = collection_errors(output, errors)
    for diag in diagnostics[:limit]:
        click.echo(render_diagnostic(replace(diag, file=None)), err=True)
    if len(diagnostics) > limit:
        click.echo(f"... and {len(diagnostics) - limit} more in the snapshot", err=True)
