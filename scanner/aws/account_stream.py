"""Collect accounts one after another and hand each over as soon as it is finished.

An account's tasks (one per region and regional collector, one per global collector)
go to a pool of ``workers`` threads, the global ones first, then region by region. Two
accounts at most are in flight: the next one starts (its role assumed, its regions
listed, its tasks queued) while the last tasks of the current one run, so the pool does
not idle between accounts, and memory does not grow with the number of accounts.

Memory: a boto3 client costs about 0.3 MB, and an account read in every region uses a
thousand of them. A region's clients are released as soon as its last task is done,
and the account's session when the account is handed over; what is handed over is plain
JSON-ready data.
"""

from __future__ import annotations

import gc
import queue
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TextIO

import boto3

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
from scanner.aws.session import AccountClients, ClientSettings, assumed_session, role_arn_for
from scanner.aws.snapshot import build_snapshot

ACCOUNTS_AT_ONCE = 2


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """One account's snapshot; ``collected`` is False when nothing could be read in it."""

    account: str
    snapshot: dict[str, Any]
    collected: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """A checked collection: who calls, from where, which accounts, what to read."""

    base: boto3.Session
    home: str
    collectors: tuple[Collector, ...]
    accounts: tuple[str, ...]
    role_arn: str | None
    external_id: str | None
    all_regions: bool
    regions: tuple[str, ...]
    settings: ClientSettings
    setup_errors: tuple[dict[str, Any], ...] = ()

    @property
    def services(self) -> list[str]:
        return sorted({c.service for c in self.collectors})

    @property
    def types(self) -> tuple[str, ...]:
        """Every type the collectors produce: what an account that cannot be read loses."""
        return tuple(sorted({t for c in self.collectors for t in c.types}))


@dataclass(frozen=True, slots=True)
class Task:
    account: AccountClients
    region: str
    collector: Collector
    home: str

    @property
    def api_region(self) -> str:
        return self.home if self.region == GLOBAL else self.region


class InFlight:
    """An account being collected: its clients, its tasks' results, what is left to do."""

    def __init__(
        self, clients: AccountClients, regions: list[str], tasks: list[Task], errors: list[Any]
    ) -> None:
        self.clients = clients
        self.regions = regions
        self.tasks = tasks
        self.errors = errors
        self.started = datetime.now(timezone.utc)
        self.contexts: list[CollectContext | None] = [None] * len(tasks)
        self.left = len(tasks)
        self.left_in_region = Counter(t.api_region for t in tasks)

    def done(self, index: int, ctx: CollectContext) -> bool:
        """Record task ``index``; release its region's clients after the region's last task."""
        self.contexts[index] = ctx
        self.left -= 1
        region = self.tasks[index].api_region
        self.left_in_region[region] -= 1
        if not self.left_in_region[region]:
            self.clients.release(region)
        return self.left == 0

    def snapshot(self, services: list[str]) -> AccountSnapshot:
        snapshot = build_snapshot(
            accounts=[self.clients.account],
            regions=sorted(self.regions),
            services=services,
            contexts=[c for c in self.contexts if c is not None],
            setup_errors=self.errors,
            started=self.started,
        )
        return AccountSnapshot(self.clients.account, snapshot, collected=True)


class AccountStream:
    """The run of one ``Plan``: ``run()`` yields each account's snapshot when it is done."""

    def __init__(self, plan: Plan, show_progress: bool, debug: bool, stream: TextIO | None) -> None:
        self.plan = plan
        self.debug = debug
        self.progress = Progress(0, enabled=show_progress, stream=stream)
        self.workers = max(1, plan.settings.workers)
        self.finished: queue.SimpleQueue[Future[CollectContext]] = queue.SimpleQueue()
        self.running: dict[Future[CollectContext], tuple[InFlight, int]] = {}
        self.in_flight: list[InFlight] = []

    def run(self) -> Iterator[AccountSnapshot]:
        errors = by_account(self.plan.setup_errors)
        for account in sorted(set(errors) - set(self.plan.accounts)):
            yield self.unread(account, errors.pop(account), datetime.now(timezone.utc))
        waiting = list(reversed(self.plan.accounts))
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="collect")
        items = ItemPool(self.workers)
        try:
            while waiting or self.running:
                while waiting and len(self.in_flight) < ACCOUNTS_AT_ONCE:
                    account = waiting.pop()
                    yield from self.begin(pool, items, self.start(account, errors.pop(account, [])))
                if self.running:
                    yield from self.collect_one()
        except BaseException:  # Ctrl-C, --debug, or the caller stopped: start no more tasks
            pool.shutdown(wait=False, cancel_futures=True)
            items.shutdown(cancel=True)
            raise
        finally:
            self.progress.close()
        pool.shutdown()
        items.shutdown()

    def begin(
        self, pool: ThreadPoolExecutor, items: ItemPool, started: InFlight | AccountSnapshot
    ) -> Iterator[AccountSnapshot]:
        """Queue an opened account's tasks, or hand it over if there is nothing to run."""
        if isinstance(started, AccountSnapshot):
            yield started
        elif not started.tasks:
            yield started.snapshot(self.plan.services)
        else:
            self.submit(pool, items, started)

    def start(self, account: str, errors: list[dict[str, Any]]) -> InFlight | AccountSnapshot:
        """Open ``account``: its session (the role assumed), its regions, its tasks."""
        plan = self.plan
        started = datetime.now(timezone.utc)
        session = plan.base
        if plan.role_arn:
            role = role_arn_for(plan.role_arn, account)
            try:
                session = assumed_session(
                    plan.base, role, plan.home, plan.settings, plan.external_id
                )
            except CALL_FAILURES as exc:
                code, message = describe_failure(exc)
                errors.append(
                    call_error(account, GLOBAL, "sts", "AssumeRole", code, message, plan.types)
                )
                return self.unread(account, errors, started)
        clients = AccountClients(account, session, plan.settings)
        regions = self.regions(clients, errors)
        return InFlight(clients, regions, self.tasks(clients, regions), errors)

    def unread(self, account: str, errors: list[Any], started: datetime) -> AccountSnapshot:
        return unread_snapshot(account, self.plan.services, errors, started)

    def regions(self, account: AccountClients, errors: list[dict[str, Any]]) -> list[str]:
        plan = self.plan
        return list_regions(
            account, errors, plan.home, plan.regions if not plan.all_regions else None,
            plan.collectors,
        )  # fmt: skip

    def tasks(self, account: AccountClients, regions: list[str]) -> list[Task]:
        """The global tasks, then the home region's, then region by region."""
        home = self.plan.home
        collectors = self.plan.collectors
        tasks = [Task(account, GLOBAL, c, home) for c in collectors if c.scope == GLOBAL]
        for region in sorted(regions, key=lambda r: r != home):
            tasks.extend(Task(account, region, c, home) for c in collectors if c.scope != GLOBAL)
        return tasks

    def submit(self, pool: ThreadPoolExecutor, items: ItemPool, account: InFlight) -> None:
        self.in_flight.append(account)
        self.progress.total += len(account.tasks)
        for index, task in enumerate(account.tasks):
            future = pool.submit(run_task, task, self.debug, items)
            self.running[future] = (account, index)
            future.add_done_callback(self.finished.put)

    def collect_one(self) -> Iterator[AccountSnapshot]:
        """Wait for one task; hand its account over when that was the account's last."""
        future = self.finished.get()
        account, index = self.running.pop(future)
        ctx = future.result()
        self.progress.advance(len(ctx.resources), len(ctx.errors))
        if account.done(index, ctx):
            self.in_flight.remove(account)
            finished = account.snapshot(self.plan.services)
            del account, ctx, future
            gc.collect()  # botocore clients hold reference cycles: free them now
            yield finished


def list_regions(
    account: AccountClients,
    errors: list[dict[str, Any]],
    home: str,
    regions: tuple[str, ...] | None,
    collectors: tuple[Collector, ...],
) -> list[str]:
    """The regions to collect in ``account``: ``regions``, or (None) every enabled one.

    When every region is asked for and they cannot be listed, only the home region is
    collected, and the error is a gap of every regional type in every region: what the
    other regions hold is unknown, not gone.
    """
    if regions is not None:
        return list(regions)
    try:
        answer = account.client("ec2", home).describe_regions()
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        lost = tuple(t for c in collectors if c.scope != GLOBAL for t in c.types)
        errors.append(
            call_error(account.account, GLOBAL, "ec2", "DescribeRegions", code, message, lost)
        )
        return [home]
    return sorted(r["RegionName"] for r in answer["Regions"])


def by_account(errors: tuple[dict[str, Any], ...]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        grouped.setdefault(error["account"], []).append(error)
    return grouped


def run_task(task: Task, debug: bool = False, items: ItemPool | None = None) -> CollectContext:
    collector = task.collector
    ctx = CollectContext(
        task.account.account, task.region, collector.service, task.account, task.home, items=items
    )
    try:
        collector.run(ctx)
    except Exception as exc:  # a collector bug must not lose the other tasks
        if debug:
            raise
        message = f"{type(exc).__name__}: {exc}"
        ctx.record(None, collector.name, "InternalError", message, collector.types)
    return ctx


def unread_snapshot(
    account: str, services: list[str], errors: list[Any], started: datetime
) -> AccountSnapshot:
    """The snapshot of an account none of whose resources could be read: its errors only."""
    snapshot = build_snapshot(
        accounts=[account],
        regions=[],
        services=services,
        contexts=[],
        setup_errors=errors,
        started=started,
    )
    return AccountSnapshot(account, snapshot, collected=False)
