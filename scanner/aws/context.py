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
Error codes a service uses to say "not configured" (``NoSuchBucketPolicy``…) are not
errors: the answer is simply empty.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from scanner.aws.session import AccountClients
from scanner.loaders.snapshot import UNKNOWN_KEY

GLOBAL = "global"
REGIONAL = "regional"
# What a failed AWS call raises: a service error, a transport error, an unreadable answer.
CALL_FAILURES = (ClientError, BotoCoreError, ResponseParserError)


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

    @property
    def api_region(self) -> str:
        """The region clients of this task talk to (the home region for global tasks)."""
        return self.home_region if self.region == GLOBAL else self.region

    @property
    def partition(self) -> str:
        return self.clients.partition(self.api_region)

    def client(self, service: str | None = None) -> Any:
        return self.clients.client(service or self.service, self.api_region)

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
