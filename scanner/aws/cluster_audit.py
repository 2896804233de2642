"""Audit accounts on a Dask distributed cluster: each account's scan is a task too.

The collection runs as ``scanner.aws.cluster`` runs it. When an account's last
(region, service) task is done, one ``scan_account`` task is submitted for it, which
depends on those tasks: their results go from worker to worker, and only the account's
reports come back here (``scanner.aws.cluster_scan``). The client's part of an account is
then to write its snapshot (when kept) and its reports.

A worker that dies while scanning has the scan run again by Dask, with the units it
needs (Dask runs again those whose results were lost with it). A scan that still fails
(it raised, or killed ``allowed-failures`` workers) is handed over as failed, with the
reason; the other accounts go on. The policies are sent once per run, as the result of
one task (``policy_set``) that every scan depends on.

This module imports Dask; nothing else in pacscan does, except through ``--cluster``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from distributed import Client, Future

from scanner.aws.account_stream import Plan
from scanner.aws.cluster import Account, ClusterStream, run_on_cluster, task_failure
from scanner.aws.cluster_scan import (
    AccountScans,
    AuditedAccount,
    Collected,
    Scanned,
    policy_set,
    scan_account,
)
from scanner.aws.cluster_tasks import ClusterOptions, Opened, WorkerSpec
from scanner.aws.progress import Progress
from scanner.errors import UsageError


class AuditStream(ClusterStream[AuditedAccount]):
    """The run of one ``Plan`` on a cluster, each account scanned there when collected."""

    def __init__(
        self,
        client: Client,
        plan: Plan,
        spec: WorkerSpec,
        progress: Progress,
        in_flight: int,
        scans: AccountScans,
    ) -> None:
        super().__init__(client, plan, spec, progress, in_flight)
        self.scans = scans
        key = f"pacscan-policies-{self.run_id}"
        self.policies = client.submit(policy_set, scans.policies, key=key)

    def run(self) -> Iterator[AuditedAccount]:
        try:
            yield from super().run()
        finally:
            self.policies.release()

    def collected(self, future: Future, state: Account) -> Iterator[AuditedAccount]:
        if state.scan is not None and future.key == state.scan.key:
            yield self.scanned(future, state)
            return
        region, service = state.futures[future]
        if future.status == "finished":
            state.ready.append(future)  # its result stays on the cluster for the scan
        else:
            lost = self.lost_unit(state.opened.account, region, service, task_failure(future))
            state.results.append(lost)
            state.lost = True
        self.progress.advance(0, 0)  # its resources are counted once the scan tells
        if len(state.ready) + len(state.results) == len(state.futures):
            yield from self.finish(state)

    def finish(self, state: Account) -> Iterator[AuditedAccount]:
        """Submit the account's scan, on the units that are done."""
        account = state.opened.account
        try:
            job = self.scans.job(account)
        except UsageError as exc:
            self.accounts.pop(account, None)
            self.settle(account, [], failed=True)
            self.release(state)
            yield AuditedAccount(account, refused=exc)
            return
        lost = tuple(e for unit in state.results for e in unit.errors)
        collected = Collected(state.opened, tuple(self.plan.services), lost, state.started)
        key = f"pacscan-scan-{account}-{self.run_id}"
        scan = self.client.submit(
            scan_account, job, self.policies, collected, *state.ready, key=key
        )
        state.scan = scan
        self.accounts[account] = state
        self.owner[scan] = account
        self.waiting.add(scan)

    def unread(
        self, account: str, errors: list[Any], started: datetime
    ) -> Iterator[AuditedAccount]:
        """Scanned all the same: its errors are what its reports hold."""
        opened = Opened(account, (), tuple(errors), readable=False)
        yield from self.finish(Account(opened, started))

    def scanned(self, future: Future, state: Account) -> AuditedAccount:
        account = state.opened.account
        del self.accounts[account]
        if future.status == "finished":
            scanned: Scanned = future.result()
            self.progress.found(scanned.resources, len(scanned.errors))
            done = AuditedAccount(account, scanned=scanned)
        else:
            done = AuditedAccount(account, failed=task_failure(future))
        failed = state.lost or not state.opened.readable or done.scanned is None
        self.settle(account, [str(f.key) for f in (*state.futures, future)], failed=failed)
        self.release(state)
        return done


def audit_on_cluster(
    plan: Plan,
    spec: WorkerSpec,
    options: ClusterOptions,
    scans: AccountScans,
    *,
    show_progress: bool,
    stream: TextIO,
) -> Iterator[AuditedAccount]:
    """Each account's scan, as soon as it is done on the cluster; then the summary."""

    def start(client: Client, progress: Progress, in_flight: int) -> AuditStream:
        return AuditStream(client, plan, spec, progress, in_flight, scans)

    yield from run_on_cluster(options, start, show_progress=show_progress, stream=stream)
