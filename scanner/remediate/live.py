"""Reading one resource again, through the collector that read it into the snapshot.

The collector of the resource's type runs for its account and region only (or, where a
writer module has a ``READERS`` entry, the collector's own code for that one item), so a
fresh read has exactly the snapshot's shape: comparing the two tells drift, and the policy
evaluates the fresh resource as it evaluated the snapshot. Calls go out as the
collection's did (the same ``ClientSettings``: retries, timeouts); a role per account
when ``--role-arn`` is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore import xform_name

from scanner.aws.context import (
    CALL_FAILURES,
    GLOBAL,
    CollectContext,
    Collector,
    describe_failure,
)
from scanner.aws.registry import all_collectors
from scanner.aws.session import AccountClients, ClientSettings, assumed_session, role_arn_for
from scanner.aws.writers import reader_for
from scanner.aws.writers.base import Call, Target
from scanner.loaders.snapshot import FORMAT_NAME, to_resource
from scanner.model import Document, Resource

LIVE_DOCUMENT = Document(path="<live>", format=FORMAT_NAME)


class WrongAccount(Exception):
    """A call for an account the credentials do not belong to (and no --role-arn)."""


@dataclass(frozen=True, slots=True)
class Fresh:
    """What one collector read now: its resources (snapshot items), or why it could not."""

    items: tuple[dict[str, Any], ...]
    problem: str | None = None

    def item(self, resource_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i["id"] == resource_id), None)

    def value(self, target: Target, key: str) -> Any:
        """The property ``key`` of ``target`` now (every property for ``""``); None when
        the resource or the property is absent."""
        found = self.item(target.id)
        if found is None:
            return None
        properties = found["properties"]
        return (properties or None) if key == "" else properties.get(key)

    def resources(self) -> list[Resource]:
        return [to_resource(item, n, LIVE_DOCUMENT) for n, item in enumerate(self.items)]


class LiveAccount:
    """Clients per account, collectors per resource type."""

    def __init__(
        self,
        session: boto3.Session,
        settings: ClientSettings,
        home_region: str,
        role_arn: str | None = None,
        external_id: str | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.home_region = home_region
        self.role_arn = role_arn
        self.external_id = external_id
        self._clients: dict[str, AccountClients] = {}
        self._caller: str | None = None
        self._collectors: dict[str, Collector] = {}
        for collector in all_collectors():
            for type_ in collector.types:
                self._collectors.setdefault(type_, collector)

    def clients(self, account: str) -> AccountClients:
        found = self._clients.get(account)
        if found is None:
            session = self.session
            if self.role_arn:
                session = assumed_session(
                    self.session,
                    role_arn_for(self.role_arn, account),
                    self.home_region,
                    self.settings,
                    self.external_id,
                )
            found = self._clients[account] = AccountClients(account, session, self.settings)
        return found

    def wrong_account(self, account: str) -> str | None:
        """Why the credentials cannot change ``account`` (None: they can).

        Without ``--role-arn`` the caller's own account is the only one changed: a
        snapshot of another account never sends its calls to the caller's."""
        if self.role_arn:
            return None
        if self._caller is None:
            try:
                sts = self.clients(account).client("sts", self.home_region)
                self._caller = str(sts.get_caller_identity()["Account"])
            except CALL_FAILURES as exc:
                code, message = describe_failure(exc)
                return f"cannot identify the AWS caller: {code}: {message}"
        if self._caller != account:
            return f"the credentials are for account {self._caller}, not {account} (--role-arn)"
        return None

    def read(self, target: Target) -> Fresh:
        """Run the collector of ``target.type`` for its account and region."""
        collector = self._collectors.get(target.type)
        if collector is None:
            return Fresh((), f"no collector reads {target.type}")
        wrong = self.wrong_account(target.account)
        if wrong is not None:
            return Fresh((), wrong)
        home = self.home_region if target.region == GLOBAL else target.region
        region = GLOBAL if collector.scope == GLOBAL else target.region
        try:
            clients = self.clients(target.account)
        except CALL_FAILURES as exc:  # the role of --role-arn could not be assumed
            code, message = describe_failure(exc)
            return Fresh((), f"sts:AssumeRole failed: {code}: {message}")
        ctx = CollectContext(target.account, region, collector.service, clients, home)
        reader = reader_for(target.type)
        try:
            if reader is not None:
                reader(ctx, target)
            else:
                collector.run(ctx)
        except Exception as exc:  # a collector that crashes loses this read, not the run
            return Fresh((), f"the {collector.name} collector failed: {type(exc).__name__}")
        if ctx.errors:
            first = ctx.errors[0]
            return Fresh(
                tuple(ctx.resources),
                f"{first['service']}:{first['operation']} failed: {first['code']}",
            )
        return Fresh(tuple(ctx.resources))

    def call(self, target: Target, call: Call, **extra: Any) -> Mapping[str, Any]:
        """Make one call in ``target``'s account and region; raises what botocore raises."""
        wrong = self.wrong_account(target.account)
        if wrong is not None:
            raise WrongAccount(wrong)
        region = self.home_region if target.region == GLOBAL else target.region
        client = self.clients(target.account).client(call.service, region)
        answer = getattr(client, xform_name(call.operation))(**call.parameters, **extra)
        return dict(answer)
