"""What a collector works with: clients, guarded API calls, and the resources it found.

Every AWS call a collector makes goes through ``CollectContext.call`` or ``.pages``.
A call that fails (denied, throttled past its retries, a server error, a timeout)
records exactly one error and returns an ``Answer`` marked failed; the collector then
stores an *unknown* marker where the value would have gone, so a policy reports
``unknown`` instead of a false ``fail``, and the rest of the collection goes on.
A call that lists resources names the types it lists (``lists=``): when it fails, its
error carries them (``types``), and the snapshot loader turns that gap into one unknown
resource per (account, region, type), so the resources it would have listed do not
silently vanish from the report.
A task with many items (buckets, users) reads them concurrently through ``each``, on the
run's ``ItemPool``; each item gets a child context whose resources and errors are merged
in item order, so the snapshot does not depend on timing.
Error codes a service uses to say "not configured" (``NoSuchBucketPolicy``…) are not
errors: the answer is simply empty.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from scanner.aws.session import AccountClients
from scanner.loaders.snapshot import UNKNOWN_KEY

GLOBAL = "global"
REGIONAL = "regional"
# What a failed AWS call raises: a service error, a transport error, an unreadable answer.
CALL_FAILURES = (ClientError, BotoCoreError, ResponseParserError)
T = TypeVar("T")


class ItemPool:
    """The threads a run lends to the items inside its tasks: at most ``workers`` of them.

    The task's own thread works through the items too (``run_all``), so a task never
    waits for a free pool thread and items inside items cannot deadlock. With one
    worker there is no pool: items run one after another on the task's thread.
    A run therefore holds at most ``workers`` task threads plus ``workers`` item threads.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        if self.workers > 1:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="collect-item")

    def run_all(self, job: Callable[[int], None], count: int) -> None:
        """``job(0)`` … ``job(count - 1)``, on this thread and up to ``workers - 1`` more."""
        lock = threading.Lock()
        numbers = iter(range(count))

        def drain() -> None:
            while True:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return
                job(number)

        helpers = []
        if self._pool is not None:
            helpers = [self._pool.submit(drain) for _ in range(min(self.workers, count) - 1)]
        drain()
        wait(helpers)  # a helper cancelled at shutdown had nothing left to do

    def shutdown(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)

    def __enter__(self) -> ItemPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()


@dataclass(frozen=True, slots=True)
class Answer:
    """The outcome of one API call (or one paginated listing).

    ``data`` is the response (or the list of items gathered); ``None`` when the service
    said the thing is not configured. ``error`` is the recorded error when the call
    failed; a listing that failed part-way keeps the items of the pages it got.
    """

    data: Any = None
    error: Mapping[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def items(self) -> list[Any]:
        return list(self.data or [])

    def unknown(self) -> dict[str, str]:
        """The marker a snapshot stores for a value this call could not read."""
        err = self.error or {}
        return {UNKNOWN_KEY: f"{err.get('operation', '?')}: {err.get('code', '?')}"}


@dataclass(slots=True)
class CollectContext:
    """One task of a collection: one account, one region (or ``global``), one collector."""

    account: str
    region: str
    service: str
    clients: AccountClients
    home_region: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    items: ItemPool | None = None

    @property
    def api_region(self) -> str:
        """The region clients of this task talk to (the home region for global tasks)."""
        return self.home_region if self.region == GLOBAL else self.region

    @property
    def partition(self) -> str:
        return self.clients.partition(self.api_region)

    def client(self, service: str | None = None) -> Any:
        return self.clients.client(service or self.service, self.api_region)

    def each(self, items: Iterable[T], work: Callable[[CollectContext, T], None]) -> None:
        """``work(child, item)`` for every item, concurrently on the run's item pool.

        Each item writes to its own child context; their resources and errors are added
        here in item order. When an item raises, the items before it are kept and the
        first exception in item order is raised, as if they had run one after another.
        """
        todo = list(items)
        children = [self._child() for _ in todo]
        failures: list[Exception | None] = [None] * len(todo)

        def run(number: int) -> None:
            try:
                work(children[number], todo[number])
            except Exception as exc:  # re-raised below, in item order
                failures[number] = exc

        pool = self.items if self.items is not None else ItemPool(1)
        pool.run_all(run, len(todo))
        for child, failure in zip(children, failures, strict=True):
            self.resources.extend(child.resources)
            self.errors.extend(child.errors)
            if failure is not None:
                raise failure

    def _child(self) -> CollectContext:
        return CollectContext(
            self.account,
            self.region,
            self.service,
            self.clients,
            self.home_region,
            items=self.items,
        )

    def call(
        self,
        operation: str,
        *,
        absent: tuple[str, ...] = (),
        service: str | None = None,
        lists: tuple[str, ...] = (),
        **kw: Any,
    ) -> Answer:
        """Call ``operation`` (its API name, e.g. ``GetBucketPolicy``) with ``kw``.

        ``lists``: the resource types a failure of this call leaves out of the snapshot.
        """
        client = self.client(service)
        try:
            response = getattr(client, xform_name(operation))(**kw)
        except CALL_FAILURES as exc:
            code, message = describe_failure(exc)
            if code in absent:
                return Answer()
            return Answer(error=self.record(service, operation, code, message, lists))
        return Answer(data=response)

    def pages(
        self,
        operation: str,
        key: str,
        *,
        service: str | None = None,
        lists: tuple[str, ...] = (),
        **kw: Any,
    ) -> Answer:
        """Every item under ``key`` across the pages of ``operation``."""
        answer = self.raw_pages(operation, service=service, lists=lists, **kw)
        items = [item for page in answer.items() for item in page.get(key) or []]
        return Answer(data=items, error=answer.error)

    def raw_pages(
        self, operation: str, *, service: str | None = None, lists: tuple[str, ...] = (), **kw: Any
    ) -> Answer:
        """The response pages of ``operation``; those read before a failure are kept.

        A listing that fails part-way is still a gap: the pages after the failure are lost.
        """
        client = self.client(service)
        method = xform_name(operation)
        pages: list[dict[str, Any]] = []
        try:
            if not client.can_paginate(method):
                pages.append(getattr(client, method)(**kw))
            else:
                for page in client.get_paginator(method).paginate(**kw):
                    pages.append(page)
        except CALL_FAILURES as exc:
            code, message = describe_failure(exc)
            error = self.record(service, operation, code, message, lists)
            return Answer(data=pages, error=error)
        return Answer(data=pages)

    def record(
        self,
        service: str | None,
        operation: str,
        code: str,
        message: str,
        lists: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        error = call_error(
            self.account, self.region, service or self.service, operation, code, message, lists
        )
        self.errors.append(error)
        return error

    def add(
        self,
        type_: str,
        arn: str,
        name: str | None,
        properties: Mapping[str, Any],
        *,
        tags: Mapping[str, str] | None = None,
        region: str | None = None,
    ) -> None:
        """Add one resource; values are made JSON-plain (datetimes become ISO strings)."""
        self.resources.append(
            {
                "type": type_,
                "id": arn,
                "name": name,
                "account": self.account,
                "region": region or self.region,
                "properties": plain(properties),
                "tags": dict(tags or {}),
            }
        )


def call_error(
    account: str,
    region: str,
    service: str,
    operation: str,
    code: str,
    message: str,
    types: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One failed call as the snapshot stores it; ``types`` only when it lost resources."""
    error: dict[str, Any] = {
        "account": account,
        "region": region,
        "service": service,
        "operation": operation,
        "code": code,
        "message": message,
    }
    if types:
        error["types"] = sorted(set(types))
    return error


def fill(props: dict[str, Any], key: str, answer: Answer, shape: Callable[[Any], Any]) -> None:
    """Set ``props[key]`` from an answer: unknown when it failed, nothing when absent."""
    if answer.failed:
        props[key] = answer.unknown()
        return
    if answer.data is None:
        return
    value = shape(answer.data)
    if value is not None:
        props[key] = value


def plain(value: Any) -> Any:
    """A JSON-ready copy: datetimes as UTC ISO 8601 strings, bytes as base64."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def describe_failure(exc: Exception) -> tuple[str, str]:
    """The error code and message of a failed call.

    A service error keeps the service's code (``AccessDenied``, ``Throttling``…); a
    transport error is named by its class (``ReadTimeoutError`` → ``ReadTimeout``).
    """
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code") or "Unknown"), str(error.get("Message") or exc)
    name = type(exc).__name__
    code = name[: -len("Error")] if name.endswith("Error") and len(name) > 5 else name
    return code, str(exc)


@dataclass(frozen=True, slots=True)
class Collector:
    """One collector: the resources of one service, per region or once per account.

    ``service`` is the name ``--service`` selects and the boto3 client the collector
    uses by default; ``scope`` is ``regional`` (one task per region) or ``global``
    (one task per account, run against the home region). ``types`` are the resource
    types it produces: the gap recorded when the whole task is lost (a crash, or a
    role that cannot be assumed).
    """

    name: str
    service: str
    scope: str
    run: Callable[[CollectContext], None]
    types: tuple[str, ...] = ()
