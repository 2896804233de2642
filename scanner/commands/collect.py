"""``pacscan collect``: snapshot live AWS accounts with boto3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from scanner.aws.runner import CollectRequest
from scanner.aws.runner import collect as run_collection
from scanner.aws.session import RETRY_MODES, ClientSettings
from scanner.aws.snapshot import write_snapshot
from scanner.errors import render
from scanner.escape import printable
from scanner.loaders.snapshot import collection_errors
from scanner.report.output import check_output

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = """\b
Exit codes:
  0  the snapshot was written and every API call succeeded
  2  usage error (bad option, unknown profile, no credentials, an -o directory that
     does not exist: checked before any AWS call), or a snapshot that cannot be
     written (a full disk; a previous snapshot at that path is left as it was)
  3  the snapshot was written but some API calls failed (listed in its "errors")
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
        profile=options["profile"],
        settings=settings,
        show_progress=not options["quiet"],
        debug=debug,
    )


def summary(snapshot: dict[str, Any]) -> str:
    accounts, regions = len(snapshot["accounts"]), len(snapshot["regions"])
    failed = len(snapshot["errors"])
    text = (
        f"collected {len(snapshot['resources'])} resources from {accounts} "
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
    help="Snapshot file; a name ending in .gz is gzip-compressed; - is stdout.",
)
@click.pass_context
def collect(ctx: click.Context, output: str, **options: Any) -> None:
    """Collect live AWS resources into a snapshot that `pacscan scan` checks.

    Resources are recorded in CloudFormation types and property shapes, so the same
    policies check templates and live accounts. A failed API call (denied, throttled,
    timed out) is recorded in the snapshot and the collection goes on.
    """
    check_output(output, "snapshot")  # before any AWS call: a typo costs nothing
    debug = bool((ctx.obj or {}).get("debug"))
    snapshot = run_collection(collect_request(debug, **options))
    write_snapshot(snapshot, output)
    if not options["quiet"]:
        report_errors(snapshot, output)
        written = printable(output) if output != "-" else "stdout"
        click.echo(f"{summary(snapshot)}; wrote {written}", err=True)
    ctx.exit(3 if snapshot["errors"] else 0)


def report_errors(snapshot: dict[str, Any], output: str, limit: int = 20) -> None:
    """The first ``limit`` failed calls on stderr, rendered like every other error."""
    diagnostics = collection_errors(output, snapshot["errors"])
    for diag in diagnostics[:limit]:
        click.echo(render(replace(diag, file=None)), err=True)
    if len(diagnostics) > limit:
        click.echo(f"... and {len(diagnostics) - limit} more in the snapshot", err=True)
