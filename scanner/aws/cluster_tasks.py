"""What a cluster worker runs: open an account, collect one (account, region, service).

These functions take and return plain, picklable data and import nothing of Dask, so
they run on any worker that has pacscan installed (and are tested without a cluster).
No credential travels with them: ``WorkerSpec`` names the role to assume, and each
worker assumes it with its own credentials (its default chain, or ``profile``), once per
account and process, renewing it as the threaded collector does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import boto3

from scanner.aws.account_stream import Task, list_regions, run_task
from scanner.aws.context import (
    CALL_FAILURES,
    GLOBAL,
    Collector,
    ItemPool,
    call_error,
    describe_failure,
)
from scanner.aws.registry import all_collectors
from scanner.aws.session import (
    AccountClients,
    ClientSettings,
    assumed_session,
    base_session,
    role_arn_for,
)

SESSIONS_KEPT = 16  # assumed sessions a worker process keeps (least recently used go)
LOCAL = "local"


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """``--cluster`` and the size of a local one."""

    address: str  # "local" or a scheduler address (tcp://HOST:PORT)
    workers: int | None = None  # local worker processes (None: Dask's choice)
    threads: int = 4  # threads per local worker process


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """How a worker reaches an account and what it reads there; holds no secret."""

    home: str
    regions: tuple[str, ...] | None  # None: every region enabled in the account
    collectors: tuple[str, ...]  # collector names
    settings: ClientSettings
    role_arn: str | None = None  # template with {account}
    external_id: str | None = None
    profile: str | None = None

    def selected(self) -> tuple[Collector, ...]:
        wanted = set(self.collectors)
        return tuple(c for c in all_collectors() if c.name in wanted)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({t for c in self.selected() for t in c.types}))


@dataclass(frozen=True, slots=True)
class Opened:
    """An account opened on a worker: its regions, or ``readable`` False (its errors say why)."""

    account: str
    regions: tuple[str, ...]
    errors: tuple[dict[str, Any], ...]
    readable: bool


@dataclass(frozen=True, slots=True)
class Unit:
    """The result of one (account, region, service) task."""

    resources: tuple[dict[str, Any], ...]
    errors: tuple[dict[str, Any], ...]


def units(spec: WorkerSpec, regions: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (region, service) tasks of an account: the global ones, then by region."""
    collectors = spec.selected()
    found = sorted({(GLOBAL, c.service) for c in collectors if c.scope == GLOBAL})
    ordered = sorted(regions, key=lambda r: r != spec.home)
    for region in ordered:
        found.extend(sorted({(region, c.service) for c in collectors if c.scope != GLOBAL}))
    return found


def open_account(spec: WorkerSpec, account: str) -> Opened:
    """Assume the account's role and list its regions (when every region is asked for)."""
    errors: list[dict[str, Any]] = []
    try:
        clients = _clients(spec, account)
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        errors.append(call_error(account, GLOBAL, "sts", "AssumeRole", code, message, spec.types))
        return Opened(account, (), tuple(errors), readable=False)
    regions = list_regions(clients, errors, spec.home, spec.regions, spec.selected())
    return Opened(account, tuple(regions), tuple(errors), readable=True)


def collect_unit(spec: WorkerSpec, account: str, region: str, service: str) -> Unit:
    """Run the collectors of ``service`` in ``region`` (``global``: once) of ``account``."""
    scope = GLOBAL if region == GLOBAL else "regional"
    chosen = [
        c
        for c in spec.selected()
        if c.service == service and (c.scope == GLOBAL) == (scope == GLOBAL)
    ]
    try:
        clients = _clients(spec, account)
    except CALL_FAILURES as exc:  # the role went away since the account was opened
        code, message = describe_failure(exc)
        lost = tuple(t for c in chosen for t in c.types)
        return Unit((), (call_error(account, region, "sts", "AssumeRole", code, message, lost),))
    resources: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    items = _item_pool(spec.settings.workers)
    for collector in chosen:
        ctx = run_task(Task(clients, region, collector, spec.home), items=items)
        resources.extend(ctx.resources)
        errors.extend(ctx.errors)
    return Unit(tuple(resources), tuple(errors))


_lock = threading.Lock()
_sessions: OrderedDict[tuple[Any, ...], boto3.Session] = OrderedDict()
_bases: dict[str | None, boto3.Session] = {}
_pools: dict[int, ItemPool] = {}


def _clients(spec: WorkerSpec, account: str) -> AccountClients:
    """Fresh clients of ``account`` over this process's session of it (assumed once)."""
    return AccountClients(account, _session(spec, account), spec.settings)


def _session(spec: WorkerSpec, account: str) -> boto3.Session:
    key = (spec.profile, spec.role_arn, spec.external_id, spec.home, spec.settings, account)
    with _lock:
        found = _sessions.get(key)
        if found is not None:
            _sessions.move_to_end(key)
            return found
        base = _base(spec.profile)
    session = base
    if spec.role_arn:
        role = role_arn_for(spec.role_arn, account)
        session = assumed_session(base, role, spec.home, spec.settings, spec.external_id)
    with _lock:
        _sessions[key] = session
        while len(_sessions) > SESSIONS_KEPT:
            _sessions.popitem(last=False)
    return session


def _base(profile: str | None) -> boto3.Session:
    """One base session per profile and process (called under ``_lock``)."""
    found = _bases.get(profile)
    if found is None:
        found = _bases[profile] = base_session(profile)
    return found


def _item_pool(workers: int) -> ItemPool:
    """The item threads this process lends to every task (``ItemPool``), made once."""
    with _lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ItemPool(workers)
        return pool
