"""Run a collection: resolve accounts and regions, then every (account, region, collector)
task on a bounded thread pool, and assemble the snapshot.

Failures stay local: a role that cannot be assumed loses that account only, a failed
call loses that value only (see ``scanner.aws.context``), and a collector that crashes
loses that one task, each recorded as an error in the snapshot. An error that lost
resources names their types, so the scan reports them as unknown rather than gone.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

import boto3
from botocore.exceptions import ProfileNotFound

from scanner.aws.context import (
    CALL_FAILURES,
    GLOBAL,
    CollectContext,
    Collector,
    ItemPool,
    call_error,
    describe_failure,
)
from scanner.aws.progress import Progress
from scanner.aws.registry import all_collectors
from scanner.aws.session import (
    AccountClients,
    ClientSettings,
    assumed_session,
    base_session,
    role_arn_for,
)
from scanner.aws.snapshot import build_snapshot
from scanner.errors import UsageError

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class CollectRequest:
    """What to collect and how; mirrors the options of ``pacscan collect``."""

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    services: tuple[str, ...] = ()  # empty: every service
    role_arn: str | None = None  # template with {account}
    accounts: tuple[str, ...] = ()
    organization: bool = False
    profile: str | None = None
    settings: ClientSettings = field(default_factory=ClientSettings)
    show_progress: bool = True
    debug: bool = False


@dataclass(frozen=True, slots=True)
class Task:
    account: AccountClients
    region: str
    collector: Collector


def collect(
    request: CollectRequest,
    *,
    session: boto3.Session | None = None,
    progress_stream: TextIO | None = None,
) -> dict[str, Any]:
    """Collect and return the snapshot (a JSON-ready dict)."""
    started = datetime.now(timezone.utc)
    if request.all_regions and request.regions:
        raise UsageError("use --region or --all-regions, not both")
    collectors = select_collectors(request.services)
    base = session if session is not None else _base_session(request.profile)
    home = _home_region(request, base)
    setup_errors: list[dict[str, Any]] = []
    lost = tuple(sorted({t for c in collectors for t in c.types}))
    accounts = resolve_accounts(request, base, home, setup_errors, lost)
    tasks: list[Task] = []
    all_regions: set[str] = set()
    for account in accounts:
        regions = _regions(request, account, home, setup_errors, collectors)
        all_regions.update(regions)
        tasks.extend(plan_tasks(account, regions, collectors))
    contexts = run_tasks(tasks, home, request, progress_stream)
    return build_snapshot(
        accounts=[a.account for a in accounts] or sorted({e["account"] for e in setup_errors}),
        regions=sorted(all_regions),
        services=sorted({c.service for c in collectors}),
        contexts=contexts,
        setup_errors=setup_errors,
        started=started,
    )


def select_collectors(services: tuple[str, ...]) -> list[Collector]:
    collectors = all_collectors()
    known = sorted({c.service for c in collectors})
    unknown = [s for s in services if s not in known]
    if unknown:
        raise UsageError(
            f"unknown service {unknown[0]!r} for --service",
            hint="choose from: " + ", ".join(known),
        )
    return [c for c in collectors if not services or c.service in services]


def _base_session(profile: str | None) -> boto3.Session:
    try:
        return base_session(profile)
    except ProfileNotFound as exc:
        raise UsageError(f"AWS profile {profile!r} is not configured") from exc


def _home_region(request: CollectRequest, base: boto3.Session) -> str:
    if request.regions:
        return request.regions[0]
    if base.region_name:
        return str(base.region_name)
    if request.all_regions:
        return DEFAULT_REGION
    raise UsageError(
        "no region to collect from",
        hint="pass --region (repeatable) or --all-regions, or set AWS_DEFAULT_REGION",
    )


def resolve_accounts(
    request: CollectRequest,
    base: boto3.Session,
    home: str,
    errors: list[dict[str, Any]],
    types: tuple[str, ...] = (),
) -> list[AccountClients]:
    """The accounts to collect, each with its session (assumed role where asked).

    An account whose role cannot be assumed is recorded as an error that lost ``types``
    (every type the selected collectors produce) in every region.
    """
    settings = request.settings
    caller = _caller_account(base, home, settings)
    wanted = list(dict.fromkeys(request.accounts))
    for account in wanted:
        if not ACCOUNT_ID.match(account):
            raise UsageError(f"--account expects a 12-digit account id, got {account!r}")
    if request.organization:
        wanted.extend(a for a in _organization_accounts(base, home, settings) if a not in wanted)
    if not request.role_arn:
        if any(a != caller for a in wanted):
            raise UsageError("--account and --organization need --role-arn to reach other accounts")
        return [AccountClients(caller, base, settings)]
    if len(wanted or [caller]) > 1 and "{account}" not in request.role_arn:
        raise UsageError("--role-arn must contain {account} when several accounts are collected")
    found = []
    for account in wanted or [caller]:
        try:
            role = role_arn_for(request.role_arn, account)
            found.append(
                AccountClients(account, assumed_session(base, role, home, settings), settings)
            )
        except CALL_FAILURES as exc:
            code, message = describe_failure(exc)
            errors.append(call_error(account, GLOBAL, "sts", "AssumeRole", code, message, types))
    return found


def _caller_account(base: boto3.Session, home: str, settings: ClientSettings) -> str:
    try:
        sts = base.client("sts", region_name=home, config=settings.botocore_config())
        return str(sts.get_caller_identity()["Account"])
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        raise UsageError(
            f"cannot identify the AWS caller: {message}",
            code=f"AWS-{code.upper()}",
            hint="configure credentials (--profile, AWS_PROFILE or AWS_ACCESS_KEY_ID)",
        ) from exc


def _organization_accounts(base: boto3.Session, home: str, settings: ClientSettings) -> list[str]:
    try:
        client = base.client("organizations", region_name=home, config=settings.botocore_config())
        pages = client.get_paginator("list_accounts").paginate()
        return sorted(
            a["Id"] for page in pages for a in page["Accounts"] if a.get("Status") == "ACTIVE"
        )
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        raise UsageError(
            f"cannot list the organization's accounts: {message}", code=f"AWS-{code.upper()}"
        ) from exc


def _regions(
    request: CollectRequest,
    account: AccountClients,
    home: str,
    errors: list[dict[str, Any]],
    collectors: list[Collector],
) -> list[str]:
    """The regions to collect in ``account``.

    When ``--all-regions`` cannot list them, only the home region is collected, and the
    error is a gap of every regional type in every region: what the other regions hold
    is unknown, not gone.
    """
    if not request.all_regions:
        return list(dict.fromkeys(request.regions or (home,)))
    try:
        answer = account.client("ec2", home).describe_regions()
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        lost = tuple(t for c in collectors if c.scope != GLOBAL for t in c.types)
        error = call_error(account.account, GLOBAL, "ec2", "DescribeRegions", code, message, lost)
        errors.append(error)
        return [home]
    return sorted(r["RegionName"] for r in answer["Regions"])


def plan_tasks(
    account: AccountClients, regions: list[str], collectors: list[Collector]
) -> list[Task]:
    tasks: list[Task] = []
    for collector in collectors:
        scopes = [GLOBAL] if collector.scope == GLOBAL else regions
        tasks.extend(Task(account, region, collector) for region in scopes)
    return tasks


def run_tasks(
    tasks: list[Task], home: str, request: CollectRequest, stream: TextIO | None
) -> list[CollectContext]:
    """Every task on a pool of ``workers`` threads; results in task order.

    The items inside a task (buckets, users) share a second pool of ``workers`` threads.
    """
    progress = Progress(len(tasks), enabled=request.show_progress, stream=stream)
    results: dict[int, CollectContext] = {}
    workers = max(1, request.settings.workers)
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool,
        ItemPool(workers) as items,
    ):
        futures = {
            pool.submit(run_task, task, home, request.debug, items): index
            for index, task in enumerate(tasks)
        }
        try:
            for future in as_completed(futures):
                ctx = future.result()
                results[futures[future]] = ctx
                progress.advance(len(ctx.resources), len(ctx.errors))
        except BaseException:  # Ctrl-C (or --debug): start no task that has not started
            pool.shutdown(wait=False, cancel_futures=True)
            items.shutdown(cancel=True)
            raise
        finally:
            progress.close()
    return [results[i] for i in range(len(tasks))]


def run_task(
    task: Task, home: str, debug: bool = False, items: ItemPool | None = None
) -> CollectContext:
    collector = task.collector
    ctx = CollectContext(
        task.account.account, task.region, collector.service, task.account, home, items=items
    )
    try:
        collector.run(ctx)
    except Exception as exc:  # a collector bug must not lose the other tasks
        if debug:
            raise
        message = f"{type(exc).__name__}: {exc}"
        ctx.record(None, collector.name, "InternalError", message, collector.types)
    return ctx
