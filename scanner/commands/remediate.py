"""``pacscan remediate``: a plan of API calls for failed live findings; ``--apply`` makes
them, journaled; ``--undo JOURNAL`` plays a journal backwards."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
from datetime import datetime, timezone
from typing import Any

import click

from scanner.aws.runner import DEFAULT_REGION
from scanner.aws.runner import collect as run_collection
from scanner.aws.session import ClientSettings, base_session
from scanner.aws.snapshot import write_snapshot
from scanner.commands.collect import collect_options, collect_request, summary
from scanner.commands.options import (
    config_file_options,
    fail_on_option,
    policy_selection_options,
    resolve_run,
)
from scanner.errors import UsageError, render_diagnostic
from scanner.escape import printable
from scanner.model import Finding, Resource
from scanner.outcome import EXIT_FINDINGS, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, combine
from scanner.pipeline import ScanRequest, run_scan, select_policies, triage_result
from scanner.remediate.apply import APPLIED, FAILED, Applier, Outcome, verdict
from scanner.remediate.journal import Journal, read_journal
from scanner.remediate.live import LiveAccount
from scanner.remediate.plan import Plan, make_plan
from scanner.remediate.render import outcomes_text, plan_text, undo_text
from scanner.remediate.undo import undo_all
from scanner.report.output import check_output, write_output

EXIT_INTERRUPTED = 130

EPILOG = """\b
Exit codes:
  0  every failed finding at or above --fail-on is in the plan (with --apply:
     fixed and verified; with --undo: every change undone)
  1  failed findings are left: skipped (the plan says why) or not verified
  2  usage error, a policy that does not compile, a plan larger than
     --max-changes (nothing is changed), or a journal that cannot be written
  3  a call failed (denied, throttled past its retries) or input errors
     (failed collection calls, an unreadable snapshot or journal), and
     nothing else is left
  4  both 1 and 3
 130 interrupted (Ctrl-C): the change under way is finished, then the run
     stops (a second Ctrl-C stops at once); the journal says what was done

\b
Examples:
  pacscan remediate --service s3 --plan-out plan.json
  pacscan remediate snapshot.json --policy PAC-S3-009 --apply --journal run.jsonl
  pacscan remediate --undo run.jsonl --yes
"""


@click.command(epilog=EPILOG)
@click.argument("snapshot", required=False, type=click.Path(exists=True, dir_okay=False))
@collect_options
@policy_selection_options
@fail_on_option("Lowest severity of a failed finding to remediate.")
@click.option("--plan-out", metavar="FILE", help="Write the plan as JSON to FILE ('-': stdout).")
@click.option("--apply", "do_apply", is_flag=True, help="Make the changes of the plan.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before changing anything.")
@click.option(
    "--max-changes",
    type=click.IntRange(min=0),
    default=25,
    show_default=True,
    help="With --apply, refuse a plan of more changes than this (exit 2, nothing changed).",
)
@click.option(
    "--journal",
    metavar="FILE",
    help="Append the journal (JSON Lines) here. Default with --apply: "
    "pacscan-journal-<UTC time>.jsonl in the current directory.",
)
@click.option(
    "--allow-credential-changes",
    "allow_credentials",
    is_flag=True,
    help="Also plan (and undo) credential changes: deactivating IAM access keys. Off by default.",
)
@click.option(
    "--undo",
    "undo_path",
    metavar="JOURNAL",
    type=click.Path(exists=True, dir_okay=False),
    help="Undo the changes of JOURNAL, newest first, instead of planning.",
)
@config_file_options
@click.pass_context
def remediate(ctx: click.Context, **options: Any) -> None:
    """Plan, and with --apply make, the API calls that fix failed live findings.

    Without SNAPSHOT the account is collected first, as `pacscan audit` does (the
    collection options choose what). Each failed finding whose policy has a fix clause
    (or a live remedy, see docs/remediation.md) and whose property has a writer becomes
    a change: the exact calls and the state before. Other failed findings are listed as
    skipped, with the reason: suppressed, no writer, value would be guessed.

    Nothing changes without --apply, which asks first unless --yes. Before each change
    the resource is read again and skipped if it drifted from the snapshot; EC2 calls
    are tried with DryRun first; after it, the resource is read back and the policy
    evaluated again (verified or not). Every change is journaled as it happens; --undo
    restores the before-states in reverse order. Nothing is ever deleted; access keys are
    deactivated only with --allow-credential-changes.
    """
    debug = bool((ctx.obj or {}).get("debug"))
    if options["undo_path"]:
        ctx.exit(_undo(options))
    for path, what in ((options["plan_out"], "plan"), (options["journal"], "journal")):
        if path:
            check_output(path, what)  # a typo costs no AWS call
    run = resolve_run(options, report_file_from_config=False)
    policies = select_policies(run)
    for diag in policies.diagnostics:
        click.echo(render_diagnostic(diag), err=True)
    if policies.diagnostics:
        ctx.exit(EXIT_USAGE)
    with tempfile.TemporaryDirectory(prefix="pacscan-remediate-") as temporary:
        path = options["snapshot"] or _collect(options, debug, temporary)
        raw = run_scan(ScanRequest(paths=(path,), root=os.path.dirname(path) or "."), policies)
        resources = _resources(path)
    for diag in raw.errors:
        click.echo(render_diagnostic(diag), err=True)
    triaged = triage_result(raw, run)
    judges = _judges(policies.program)
    plan = make_plan(triaged.findings, resources, judges, run.fail_on, options["allow_credentials"])
    click.echo(plan_text(plan), nl=False, err=options["plan_out"] == "-")
    if options["plan_out"]:
        write_output(options["plan_out"], json.dumps(plan.to_json(), indent=2) + "\n", "plan")
    input_errors = any(d.severity == "error" for d in raw.errors)
    if not options["do_apply"]:
        ctx.exit(_code(plan.left, input_errors))
    ctx.exit(_apply(plan, policies.program, options, input_errors, _live_options(options)))


def _collect(options: dict[str, Any], debug: bool, directory: str) -> str:
    snapshot = run_collection(collect_request(debug, **options))
    if not options["quiet"]:
        click.echo(summary(snapshot), err=True)  # its failed calls are shown with the plan
    path = os.path.join(directory, "snapshot.json.gz")
    write_snapshot(snapshot, path)
    return path


def _resources(path: str) -> dict[str, Resource]:
    """The snapshot's resources by id (a remedy may change a related one)."""
    from scanner.discovery import discover
    from scanner.loaders import LoadOptions, load_inputs

    loaded = load_inputs(discover([path]).files, LoadOptions(jobs=1))
    return {r.id: r for r in loaded.resources if r.live is not None}


def _judges(program: Any) -> Any:
    def judge_of(finding: Finding, resource: Resource) -> Any:
        def judge(properties: Any) -> str:
            body = {**resource.body, "Properties": properties}
            changed = Resource(resource.type, resource.id, body, resource.document,
                               resource.path, resource.origin)  # fmt: skip
            return verdict(program, finding.policy.id, [changed], resource.id)

        return judge

    return judge_of


def _live_options(options: dict[str, Any]) -> LiveAccount:
    settings = ClientSettings(
        retry_mode=options["retry_mode"],
        max_attempts=options["max_attempts"],
        timeout=options["timeout"],
        workers=options["workers"],
    )
    session = base_session(options["profile"])
    regions = options["regions"]
    home = regions[0] if regions else (session.region_name or DEFAULT_REGION)
    return LiveAccount(session, settings, home, options["role_arn"], options["external_id"])


def _apply(
    plan: Plan, program: Any, options: dict[str, Any], input_errors: bool, live: LiveAccount
) -> int:
    count = len(plan.changes)
    if count > options["max_changes"]:
        click.echo(
            f"pacscan remediate: the plan has {count} changes, more than --max-changes "
            f"{options['max_changes']}; nothing was changed",
            err=True,
        )
        return EXIT_USAGE
    if count == 0:
        return _code(plan.left, input_errors)
    _confirm(count, options["yes"])
    journal = Journal(options["journal"] or _default_journal())
    click.echo(f"journal: {printable(journal.path or '')}", err=True)
    applier = Applier(live, program, journal)
    outcomes: list[Outcome] = []
    stop = StopAfterChange()
    try:
        with stop:
            for number, change in enumerate(plan.changes, 1):
                if stop.requested:
                    break
                outcomes.append(applier.apply(number, change))
    except KeyboardInterrupt:  # a second Ctrl-C: the change under way is cut short
        stop.requested = True
    finally:
        if stop.requested:
            journal.write("interrupted", changes_done=len(outcomes))
        journal.close()
    click.echo(outcomes_text(outcomes, interrupted=stop.requested), nl=False)
    if stop.requested:
        return EXIT_INTERRUPTED
    failed = any(o.status == FAILED for o in outcomes)
    left = plan.left or any(
        o.status != FAILED and not (o.status == APPLIED and o.verified) for o in outcomes
    )
    return _code(left, failed or input_errors)


class StopAfterChange:
    """Ctrl-C during ``--apply`` stops after the change under way, so the journal tells
    every change whole; a second Ctrl-C stops at once (``KeyboardInterrupt``)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> StopAfterChange:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(self, *_: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _interrupt(self, *_: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        click.echo("pacscan remediate: stopping after the change under way", err=True)


def _confirm(count: int, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("--apply asks before changing anything; pass --yes to run unattended")
    click.confirm(f"Make {count} change{'s' * (count != 1)} to AWS?", abort=True)


def _default_journal() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"pacscan-journal-{stamp}.jsonl"


def _undo(options: dict[str, Any]) -> int:
    records = read_journal(options["undo_path"])
    count = sum(1 for r in records if r["record"] == "begin")
    if count and not options["yes"]:
        if not sys.stdin.isatty():
            raise UsageError("--undo asks before changing anything; pass --yes to run unattended")
        click.confirm(f"Undo {count} change{'s' * (count != 1)} in AWS?", abort=True)
    journal = Journal(options["journal"])
    try:
        live = _live_options(options)
        outcomes = undo_all(records, live, journal, options["allow_credentials"])
    except KeyboardInterrupt:
        journal.write("interrupted")
        return EXIT_INTERRUPTED
    finally:
        journal.close()
    click.echo(undo_text(outcomes), nl=False)
    failed = any(o.status == "failed" for o in outcomes)
    left = any(o.status in ("skipped", "not restored") for o in outcomes)
    return _code(left, failed)


def _code(left: bool, errors: bool) -> int:
    return combine([EXIT_FINDINGS if left else EXIT_OK, EXIT_INPUT_ERRORS if errors else EXIT_OK])
