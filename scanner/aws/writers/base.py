"""What a writer is: the inverse of a collector's mapping, one property at a time.

A collector reads API answers into CloudFormation-shaped properties; a
``PropertyWriter`` takes one top-level property of one resource type from its old
value to a new one with exact API calls. ``Remedy`` covers the few policies that have
no ``fix`` clause but one safe live change (the account's S3 Block Public Access, EBS
encryption by default, an SSL-only bucket policy statement, the world-open rules of a
security group): it names the edits, and property writers make the calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Resource


@dataclass(frozen=True, slots=True)
class Call:
    """One API call: the boto3 service name, the API operation name, its parameters.

    ``dry_run``: an EC2 call that is tried with ``DryRun=True`` first.
    """

    service: str
    operation: str
    parameters: Mapping[str, Any]
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "service": self.service,
            "operation": self.operation,
            "parameters": dict(self.parameters),
        }
        if self.dry_run:
            shown["dry_run_first"] = True
        return shown


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a writer changes, as the snapshot names it."""

    type: str
    id: str
    name: str | None
    account: str
    region: str
    properties: Mapping[str, Any] = field(default_factory=dict)


# Reads one resource again into a collector context (``ctx.add``), as its collector
# would; a type without one is read again by running its whole collector.
Reader = Callable[[Any, Target], None]

# (target, old value, new value) -> the calls that take the property from old to new;
# a value that is absent is None.
WriteFn = Callable[[Target, Any, Any], list[Call]]


@dataclass(frozen=True, slots=True)
class PropertyWriter:
    """Writes one top-level property of one resource type."""

    type: str
    key: str
    write: WriteFn
    permissions: tuple[str, ...]
    undo_note: str = ""  # what an undo does not take back ("" when nothing)
    approximate_undo: bool = False  # the API cannot return to every before-state exactly
    credential: bool = False  # changes who can sign in or call AWS: needs an explicit opt-in
    reversible: bool = True  # False: AWS cannot take the change back; undo leaves it
    unordered: bool = False  # a list whose order AWS does not keep (rules of a group)
    equal: Callable[[Any, Any], bool] | None = None  # the writer's own ``same``, if any

    def same(self, a: Any, b: Any) -> bool:
        """Whether two values of the property are the same setting."""
        if self.equal is not None:
            return self.equal(a, b)
        if self.unordered and type(a) is list and type(b) is list:
            return sorted(map(_canonical, a)) == sorted(map(_canonical, b))
        return bool(a == b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class Edit:
    """One property of one resource, from ``before`` to ``after`` (None: absent)."""

    target: Target
    key: str
    before: Any
    after: Any


# (the failed resource, the snapshot's resources by id, judge) -> the edits, or why not.
# ``judge(resource_body)`` evaluates the finding's policy on a changed copy of the
# resource: "pass", "fail", "unknown", ...
Judge = Callable[[Mapping[str, Any]], str]
RemedyFn = Callable[[Resource, Mapping[str, Resource], Judge], "list[Edit] | str"]


@dataclass(frozen=True, slots=True)
class Remedy:
    """The live change for a policy that has no ``fix`` clause.

    ``applies_to`` is a policy id, or a resource type: then the remedy serves every
    policy of that type without a fix clause, and finds its edit by evaluating the
    policy (``Judge``) on candidate values; a candidate that does not pass is no remedy.
    """

    applies_to: str
    edits: RemedyFn
    description: str


def target_of(resource: Resource) -> Target:
    live = resource.live
    if live is None:
        raise ValueError(f"{resource.id} is not a live resource")
    return Target(
        resource.type, resource.id, live.name, live.account, live.region, resource.properties
    )


def setting(
    type_: str,
    key: str,
    service: str,
    operation: str,
    parameters: Callable[[Target, Any], dict[str, Any]],
    permissions: tuple[str, ...],
    undo_note: str = "",
    reversible: bool = True,
) -> PropertyWriter:
    """A writer that sets the property with one call, whatever it was."""

    def write(target: Target, old: Any, new: Any) -> list[Call]:
        return [Call(service, operation, parameters(target, new))]

    return PropertyWriter(type_, key, write, permissions, undo_note, reversible=reversible)
