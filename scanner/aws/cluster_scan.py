"""What a cluster worker runs to audit an account: build its snapshot, scan and report it.

``pacscan audit --cluster`` gives each account one ``scan_account`` task, which depends
on the account's ``collect_unit`` tasks: their results go from worker to worker, never
through the client. The task builds the snapshot as the collection does, loads and scans
it under the name of the file the client writes it to (``ScanJob.path``, so the reports
name it as a scan of that file would), with the policies compiled on this worker
(``scanner.aws.cluster_policies``), and reports it (``scanner.aws.account_report``).

It returns plain data: counts, the collection's failed calls, the reports' text, the exit
code and, when the client keeps snapshots, the snapshot file's bytes. The client writes
them. Like ``scanner.aws.cluster_tasks``, this module imports nothing of Dask.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scanner.aws.account_report import AccountReport, Reporting, report_account
from scanner.aws.cluster_policies import PolicySet, compiled_policies
from scanner.aws.cluster_tasks import Opened, Unit
from scanner.aws.snapshot import build_snapshot, encode_snapshot
from scanner.errors import UsageError
from scanner.loaders import LoadOptions
from scanner.loaders import snapshot as snapshot_loader
from scanner.pipeline import run_loaded


@dataclass(frozen=True, slots=True)
class ScanJob:
    """What the client asks of one account's scan; its paths are names, never read."""

    account: str
    path: str  # the snapshot file's absolute path on the client (written only if kept)
    root: str  # the client's directory that reports name files relative to
    keep: bool  # send the snapshot file's bytes back
    reporting: Reporting


@dataclass(frozen=True, slots=True)
class AccountScans:
    """The scans of an audit on a cluster: the policies, and each account's job (the
    client's ``job`` raises ``UsageError`` for an account it cannot prepare, such as one
    whose baseline cannot be read)."""

    policies: PolicySet
    job: Callable[[str], ScanJob]


@dataclass(frozen=True, slots=True)
class Collected:
    """What the client knows of an account's collection; the rest is in its units."""

    opened: Opened
    services: tuple[str, ...]
    lost: tuple[dict[str, Any], ...]  # the errors of its units lost on the cluster
    started: datetime


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a scan task returns to the client."""

    account: str
    regions: tuple[str, ...]
    resources: int
    errors: tuple[dict[str, Any], ...]  # the snapshot's failed calls
    report: AccountReport
    snapshot: bytes | None  # the snapshot file, when the client keeps it


def policy_set(policies: PolicySet) -> PolicySet:
    """The task that holds the run's ``PolicySet`` on the cluster: sent once, not once per
    account, and run again by Dask if the worker holding it dies."""
    return policies


_scanning = threading.Lock()


def scan_account(job: ScanJob, policies: PolicySet, collected: Collected, *units: Unit) -> Scanned:
    """Build, scan and report one account's snapshot.

    One scan at a time in a worker process: scans are CPU-bound (threads would only take
    turns) and share the compiled policies, which compile on first use.
    """
    opened = collected.opened
    snapshot = build_snapshot(
        accounts=[job.account],
        regions=sorted(opened.regions),
        services=collected.services,
        contexts=[],
        setup_errors=[*opened.errors, *collected.lost, *(e for u in units for e in u.errors)],
        started=collected.started,
        resources=[r for u in units for r in u.resources],
    )
    data = encode_snapshot(snapshot, job.path)
    load = snapshot_loader.load(job.path, data, LoadOptions())
    with _scanning:
        result = run_loaded(job.path, load, compiled_policies(policies), job.root)
        # The scan hides every object of the process from the cyclic collector while it
        # evaluates (gc.freeze), the garbage of the collection tasks on this worker's other
        # threads too (boto3 clients hold cycles), and gives them back to the oldest
        # generation, which is seldom collected: collect it now (a worker's peak memory in
        # benchmarks/bench_cluster.py, 50 accounts: about 185 MB without, 150 MB with).
        gc.collect()
    return Scanned(
        account=job.account,
        regions=tuple(snapshot["regions"]),
        resources=len(snapshot["resources"]),
        errors=tuple(snapshot["errors"]),
        report=report_account(result, job.reporting),
        snapshot=data if job.keep else None,
    )


@dataclass(frozen=True, slots=True)
class AuditedAccount:
    """An account of an audit on a cluster, handed to the client: what its scan returned,
    or why it has none."""

    account: str
    scanned: Scanned | None = None
    refused: UsageError | None = None  # the client could not prepare its scan
    failed: str | None = None  # its scan task failed on the cluster: why
