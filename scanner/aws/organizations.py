"""Which accounts a collection reads: ``--account``, ``--organization`` and ``--ou``, less
``--exclude-account``.

The organisation is read with the caller's own credentials (its management account or a
delegated administrator). An organisational unit stands for every ``ACTIVE`` account
under it, in it or in its units, recursively: at most ``MAX_DEPTH`` levels below it (as
deep as AWS nests units) and ``MAX_UNITS`` units in all, so a looping or endless answer
ends in a recorded error. A failed Organizations call (denied, a unit that does not exist)
is recorded as an error of the caller's account, and the accounts found otherwise are
still collected. An account id the API answers is used only when it is 12 digits, as it
ends up in a role ARN and in a file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from scanner.aws.context import CALL_FAILURES, GLOBAL, call_error, describe_failure
from scanner.errors import UsageError

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
UNIT_ID = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$")
MAX_DEPTH = 5
MAX_UNITS = 5000


@dataclass(frozen=True, slots=True)
class AccountSelection:
    """The account options of a collection, checked before any AWS call."""

    accounts: tuple[str, ...] = ()
    organization: bool = False
    units: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        """True when the options name accounts (else the caller's own account is read)."""
        return bool(self.accounts or self.organization or self.units)

    def check(self) -> None:
        for option, values in (("--account", self.accounts), ("--exclude-account", self.excluded)):
            for value in values:
                if not ACCOUNT_ID.match(value):
                    raise UsageError(f"{option} expects a 12-digit account id, got {value!r}")
        for unit in self.units:
            if not UNIT_ID.match(unit):
                raise UsageError(
                    f"--ou expects an organizational unit id (ou-…) or a root id (r-…), "
                    f"got {unit!r}"
                )
        if self.excluded and not self.named:
            raise UsageError("--exclude-account needs --account, --ou or --organization")


class Organization:
    """The caller's view of its AWS Organization, through one ``organizations`` client.

    Every failed call is appended to ``errors`` (as an error of ``caller``, in ``global``).
    """

    def __init__(self, client: Any, caller: str, errors: list[dict[str, Any]]) -> None:
        self.client = client
        self.caller = caller
        self.errors = errors

    def all_accounts(self) -> list[str]:
        """Every ``ACTIVE`` account of the organisation (``ListAccounts``)."""
        return self._accounts("ListAccounts", "the organization", {})[0]

    def unit_accounts(self, unit: str) -> list[str]:
        """Every ``ACTIVE`` account under ``unit``, recursively, in the order found."""
        found: list[str] = []
        seen: set[str] = set()
        level = [unit]
        for _ in range(MAX_DEPTH + 1):
            below: list[str] = []
            for parent in level:
                if parent in seen:
                    continue
                if len(seen) == MAX_UNITS:
                    self._limit(unit, f"more than {MAX_UNITS} organizational units")
                    return found
                seen.add(parent)
                kw = {"ParentId": parent}
                accounts, listed = self._accounts("ListAccountsForParent", parent, kw)
                found.extend(accounts)
                if listed:  # a unit that cannot be read is reported once, not per call
                    below.extend(self._units(parent))
            level = below
            if not level:
                return found
        self._limit(unit, f"organizational units nested more than {MAX_DEPTH} levels below it")
        return found

    def _accounts(self, operation: str, where: str, kw: dict[str, Any]) -> tuple[list[str], bool]:
        """The active accounts listed, and whether every page was read."""
        items, listed = self._pages(operation, "Accounts", where, kw)
        active = (a.get("Id") for a in items if _is_active(a))
        return self._valid(operation, where, active), listed

    def _units(self, parent: str) -> list[str]:
        kw = {"ParentId": parent, "ChildType": "ORGANIZATIONAL_UNIT"}
        children, _ = self._pages("ListChildren", "Children", parent, kw)
        return [str(c.get("Id")) for c in children if UNIT_ID.match(str(c.get("Id")))]

    def _pages(
        self, operation: str, key: str, where: str, kw: dict[str, Any]
    ) -> tuple[list[Any], bool]:
        """The items of the pages read, and False when a call failed (recorded)."""
        method = xform_name(operation)
        items: list[Any] = []
        try:
            for page in self.client.get_paginator(method).paginate(**kw):
                items.extend(page.get(key) or [])
        except CALL_FAILURES as exc:
            code, message = describe_failure(exc)
            self._record(operation, code, f"{where}: {message}")
            return items, False
        return items, True

    def _valid(self, operation: str, where: str, ids: Iterable[Any]) -> list[str]:
        valid = []
        for account in ids:
            if isinstance(account, str) and ACCOUNT_ID.match(account):
                valid.append(account)
            else:
                self._record(operation, "InvalidAccountId", f"{where}: {account!r} skipped")
        return valid

    def _limit(self, unit: str, what: str) -> None:
        self._record("ListChildren", "LimitExceeded", f"{unit}: {what}; the rest is not read")

    def _record(self, operation: str, code: str, message: str) -> None:
        self.errors.append(
            call_error(self.caller, GLOBAL, "organizations", operation, code, message)
        )


def _is_active(account: Any) -> bool:
    """``State`` (the newer field) or ``Status`` is ``ACTIVE``."""
    return isinstance(account, dict) and account.get("State", account.get("Status")) == "ACTIVE"


def select_accounts(selection: AccountSelection, organization: Organization | None) -> list[str]:
    """The accounts to collect, in option order, each once, none of the excluded ones.

    ``organization`` is needed (not None) when the selection has ``--organization`` or
    ``--ou``.
    """
    wanted = list(selection.accounts)
    if organization is not None and selection.organization:
        wanted.extend(sorted(organization.all_accounts()))
    if organization is not None:
        for unit in selection.units:
            wanted.extend(organization.unit_accounts(unit))
    excluded = set(selection.excluded)
    return [a for a in dict.fromkeys(wanted) if a not in excluded]
