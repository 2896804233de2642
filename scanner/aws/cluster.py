"""Collect accounts on a Dask distributed cluster and hand each over when it is done.

``--cluster local`` starts a ``LocalCluster`` of worker processes on this machine;
``--cluster tcp://HOST:PORT`` uses a running scheduler. The accounts are resolved here,
with the caller's credentials (as the threaded run does); then each account is one
``open_account`` task (its role assumed on a worker, its regions listed) followed by one
``collect_unit`` task per (region, service). What happens when an account's last task is
done is the stream's: ``CollectStream`` gathers the results here, releases them on the
cluster and hands the account over as one ``AccountSnapshot`` (the caller writes it while
the cluster goes on); ``scanner.aws.cluster_audit.AuditStream`` scans it on the cluster.

A worker that dies has its tasks run again by Dask (they only read); a task that still
fails (it crashed, or killed ``allowed-failures`` workers) is recorded as an error of
that account, with the resource types it lost, like a crashed collector in a threaded
run. At most ``in_flight`` accounts are open at once, so neither the workers nor this
process hold more than those accounts' results.

This module imports Dask; nothing else in pacscan does, except through ``--cluster``.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TextIO, TypeVar

from distributed import Client, Future, LocalCluster, as_completed

from scanner.aws.account_stream import AccountSnapshot, Plan, by_account, unread_snapshot
from scanner.aws.cluster_tasks import (
    LOCAL,
    ClusterOptions,
    Opened,
    Unit,
    WorkerSpec,
    collect_unit,
    open_account,
    units,
)
from scanner.aws.context import GLOBAL, call_error
from scanner.aws.progress import Progress
from scanner.aws.snapshot import build_snapshot


@dataclass
class Tally:
    """The run's summary: accounts done, failed (nothing read, or a task lost), retried."""

    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"cluster: {len(self.done)} accounts done, {len(self.failed)} failed"
        text += f", {len(self.retried)} retried after a worker was lost"
        for name, accounts in (("failed", self.failed), ("retried", self.retried)):
            if accounts:
                text += f"\n  {name}: " + ", ".join(sorted(accounts))
        return text


@dataclass
class Account:
    """An account on the cluster: its tasks' futures and what they returned."""

    opened: Opened
    started: datetime
    futures: dict[Future, tuple[str, str]] = field(default_factory=dict)  # its units
    results: list[Unit] = field(default_factory=list)  # gathered, or made for a lost unit
    lost: bool = False
    ready: list[Future] = field(default_factory=list)  # units done, results left on the cluster
    scan: Future | None = None  # its scan task (audit)


Handed = TypeVar("Handed")


def connect(options: ClusterOptions) -> tuple[Client, LocalCluster | None]:
    """A client of the cluster (a new ``LocalCluster`` for ``local``)."""
    if options.address != LOCAL:
        return Client(options.address), None
    cluster = LocalCluster(
        n_workers=options.workers,
        threads_per_worker=options.threads,
        processes=True,
        dashboard_address=":0",
    )
    return Client(cluster), cluster


def dashboard(client: Client) -> str | None:
    """The scheduler's dashboard address, when it serves one (it needs bokeh)."""
    services = client.scheduler_info().get("services", {})
    return str(client.dashboard_link) if "dashboard" in services else None


class ClusterStream(ABC, Generic[Handed]):
    """The run of one ``Plan`` on a cluster: ``run()`` yields each account when done, as
    what the subclass hands it over as (``collected``, ``finish`` and ``unread`` are its)."""

    def __init__(
        self,
        client: Client,
        plan: Plan,
        spec: WorkerSpec,
        progress: Progress,
        in_flight: int,
    ) -> None:
        self.client = client
        self.plan = plan
        self.spec = spec
        self.progress = progress
        self.in_flight = max(1, in_flight)
        self.tally = Tally()
        self.waiting = as_completed()
        self.owner: dict[Future, str] = {}  # future -> account
        self.accounts: dict[str, Account] = {}
        self.run_id = uuid.uuid4().hex[:8]
        self.total = len(set(plan.accounts) | {e["account"] for e in plan.setup_errors})

    def run(self) -> Iterator[Handed]:
        errors = by_account(self.plan.setup_errors)
        for account in sorted(set(errors) - set(self.plan.accounts)):
            yield from self.unread(account, errors.pop(account), datetime.now(timezone.utc))
        queue = list(reversed(self.plan.accounts))
        opening = 0
        while queue or self.owner:
            while queue and len(self.accounts) + opening < self.in_flight:
                self.open(queue.pop())
                opening += 1
            future = next(self.waiting)
            account = self.owner.pop(future)
            if account not in self.accounts:  # an open_account task
                opening -= 1
                yield from self.opened(future, account, errors.pop(account, []))
            else:
                yield from self.collected(future, self.accounts[account])

    def open(self, account: str) -> None:
        future = self.client.submit(
            open_account, self.spec, account, key=f"pacscan-open-{account}-{self.run_id}"
        )
        self.owner[future] = account
        self.waiting.add(future)

    def opened(
        self, future: Future, account: str, errors: list[dict[str, Any]]
    ) -> Iterator[Handed]:
        started = datetime.now(timezone.utc)
        if future.status != "finished":
            message = task_failure(future)
            errors.append(call_error(account, GLOBAL, "sts", "AssumeRole", "InternalError",
                                     message, self.spec.types))  # fmt: skip
            yield from self.unread(account, errors, started)
            return
        opened: Opened = future.result()
        future.release()
        opened = Opened(account, opened.regions, (*errors, *opened.errors), opened.readable)
        if not opened.readable:
            yield from self.unread(account, list(opened.errors), started)
            return
        state = Account(opened, started)
        todo = units(self.spec, opened.regions)
        if not todo:
            yield from self.finish(state)
            return
        self.accounts[account] = state
        self.progress.total += len(todo)
        for region, service in todo:
            key = f"pacscan-collect-{account}-{region}-{service}-{self.run_id}"
            unit = self.client.submit(collect_unit, self.spec, account, region, service, key=key)
            state.futures[unit] = (region, service)
            self.owner[unit] = account
            self.waiting.add(unit)

    @abstractmethod
    def collected(self, future: Future, state: Account) -> Iterator[Handed]:
        """One of ``state``'s tasks is done (or failed)."""

    @abstractmethod
    def finish(self, state: Account) -> Iterator[Handed]:
        """Every collection task of ``state`` is done."""

    @abstractmethod
    def unread(self, account: str, errors: list[Any], started: datetime) -> Iterator[Handed]:
        """Nothing of ``account`` could be read; ``errors`` say why."""

    def lost_unit(self, account: str, region: str, service: str, message: str) -> Unit:
        lost = [
            call_error(account, region, service, c.name, "InternalError", message, c.types)
            for c in self.spec.selected()
            if c.service == service and (c.scope == GLOBAL) == (region == GLOBAL)
        ]
        return Unit((), tuple(lost))

    def settle(self, account: str, keys: list[str], *, failed: bool) -> None:
        """Count ``account`` done or failed, and retried when a worker died running one of
        its tasks ``keys`` (ask before they are released: the scheduler forgets them)."""
        self.progress.account_done(self.total)
        if keys and _was_retried(self.client, keys):
            self.tally.retried.append(account)
        (self.tally.failed if failed else self.tally.done).append(account)

    def release(self, state: Account) -> None:
        """Let the cluster forget ``state``'s tasks and their results."""
        for future in state.futures:
            future.release()
        if state.scan is not None:
            state.scan.release()


class CollectStream(ClusterStream[AccountSnapshot]):
    """Each account's units gathered here when they are done: one ``AccountSnapshot``."""

    def collected(self, future: Future, state: Account) -> Iterator[AccountSnapshot]:
        region, service = state.futures[future]
        if future.status == "finished":
            unit: Unit = future.result()
        else:
            unit = self.lost_unit(state.opened.account, region, service, task_failure(future))
            state.lost = True
        state.results.append(unit)
        self.progress.advance(len(unit.resources), len(unit.errors))
        if len(state.results) == len(state.futures):
            del self.accounts[state.opened.account]
            yield from self.finish(state)

    def finish(self, state: Account) -> Iterator[AccountSnapshot]:
        account = state.opened.account
        self.settle(account, [str(f.key) for f in state.futures], failed=state.lost)
        self.release(state)
        snapshot = build_snapshot(
            accounts=[account],
            regions=sorted(state.opened.regions),
            services=self.plan.services,
            contexts=[],
            setup_errors=[*state.opened.errors, *(e for u in state.results for e in u.errors)],
            started=state.started,
            resources=[r for u in state.results for r in u.resources],
        )
        yield AccountSnapshot(account, snapshot, collected=True)

    def unread(
        self, account: str, errors: list[Any], started: datetime
    ) -> Iterator[AccountSnapshot]:
        self.settle(account, [], failed=True)
        yield unread_snapshot(account, self.plan.services, errors, started)


def run_on_cluster(
    options: ClusterOptions,
    start: Callable[[Client, Progress, int], ClusterStream[Handed]],
    *,
    show_progress: bool,
    stream: TextIO,
) -> Iterator[Handed]:
    """What ``start``'s stream (given the client, the progress bar and the accounts that
    may be in flight) yields; then the summary."""
    client, cluster = connect(options)
    progress = Progress(0, enabled=show_progress, stream=stream)
    try:
        link = dashboard(client)
        if show_progress and link:
            stream.write(f"dask dashboard: {link}\n")
        threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        run = start(client, progress, max(2, threads))
        yield from run.run()
        progress.close()
        if show_progress:
            stream.write(run.tally.line() + "\n")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def collect_on_cluster(
    plan: Plan,
    spec: WorkerSpec,
    options: ClusterOptions,
    *,
    show_progress: bool,
    stream: TextIO,
) -> Iterator[AccountSnapshot]:
    """Each account's snapshot, as soon as it is done on the cluster; then the summary."""

    def start(client: Client, progress: Progress, in_flight: int) -> CollectStream:
        return CollectStream(client, plan, spec, progress, in_flight)

    yield from run_on_cluster(options, start, show_progress=show_progress, stream=stream)


def task_failure(future: Future) -> str:
    """Why a task failed, as the snapshot records it."""
    try:
        exc = future.exception()
    except Exception as err:  # the future was cancelled: the scheduler lost it
        exc = err
    return f"task failed on the cluster: {type(exc).__name__}: {exc}"


def _was_retried(client: Client, keys: list[str]) -> bool:
    """True when the scheduler saw a worker die while running one of ``keys``."""
    try:
        return bool(client.run_on_scheduler(_suspicious, keys=keys))
    except Exception:  # a scheduler without pacscan cannot tell: count it as not retried
        return False


def _suspicious(keys: list[str], dask_scheduler: Any = None) -> int:
    """Run on the scheduler: how many of ``keys`` were running on a worker that died."""
    tasks = dask_scheduler.tasks if dask_scheduler is not None else {}
    return sum(1 for key in keys if key in tasks and tasks[key].suspicious)
