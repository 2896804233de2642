"""Compiled policies: what ``compile_sources`` produces and ``evaluate`` runs."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from scanner.engine.context import Ctx, Node
from scanner.model import Location, Path, PolicyInfo, Resource, Status


@dataclass(frozen=True, slots=True, eq=False)
class CompiledCondition:
    """A ``when`` or ``assert``: its node, source text and message template."""

    node: Node
    text: str
    loc: Location
    message: Callable[[Ctx], str] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class CompiledExample:
    status: Status
    at: Path | None
    subject: Resource
    others: tuple[Resource, ...]
    loc: Location


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    info: PolicyInfo
    whens: tuple[CompiledCondition, ...]
    assertions: tuple[CompiledCondition, ...]
    # builds the examples when first asked: a scan never runs them (``pacscan test`` does)
    example_builder: Callable[[], tuple[CompiledExample, ...]] = tuple
    id_loc: Location | None = None  # where the `id = "..."` value is written
    id_line: str | None = None  # that source line (for duplicate-id diagnostics)
    # set on a stand-in whose conditions are compiled when first needed: builds the policy
    # (``Program.by_type`` calls it the first time a resource of one of its types is met)
    deferred: Callable[[], CompiledPolicy] | None = None

    @property
    def examples(self) -> tuple[CompiledExample, ...]:
        return self.ready().example_builder()

    def ready(self) -> CompiledPolicy:
        """This policy with its conditions compiled (itself unless it is a stand-in)."""
        return self if self.deferred is None else self.deferred()


@dataclass(frozen=True, slots=True, eq=False)
class Program:
    """Every compiled policy, indexed by the resource types they target."""

    policies: tuple[CompiledPolicy, ...] = ()
    by_type: Mapping[str, tuple[CompiledPolicy, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @classmethod
    def of(cls, policies: Iterable[CompiledPolicy]) -> Program:
        ordered = tuple(policies)
        index: dict[str, list[CompiledPolicy]] = {}
        for policy in ordered:
            for kind in policy.info.resource_types:
                index.setdefault(kind, []).append(policy)
        frozen = {kind: tuple(found) for kind, found in index.items()}
        if any(p.deferred is not None for p in ordered):
            return cls(ordered, _CompiledOnUse(frozen))
        return cls(ordered, MappingProxyType(frozen))

    def select(self, include: set[str] | frozenset[str] | None, exclude: Iterable[str]) -> Program:
        """Policies whose id or name matches ``include`` (all when None) and not ``exclude``.

        Entries are exact ids or names, or shell patterns such as ``PAC-S3-*``.
        """
        excluded = set(exclude)
        kept = [
            p
            for p in self.policies
            if (include is None or _matches(p.info, include)) and not _matches(p.info, excluded)
        ]
        return Program.of(kept)

    def unmatched(self, patterns: Iterable[str]) -> list[str]:
        """The entries of ``patterns`` that name no policy (as id, name or shell pattern)."""
        return [
            pattern
            for pattern in dict.fromkeys(patterns)
            if not any(_matches(p.info, (pattern,)) for p in self.policies)
        ]

    def closest(self, pattern: str) -> str | None:
        """The policy id, name or family pattern (``PAC-S3-*``) most like ``pattern``."""
        candidates = {p.info.id for p in self.policies} | {p.info.name for p in self.policies}
        if any(ch in pattern for ch in "*?["):
            candidates |= {p.info.id.rpartition("-")[0] + "-*" for p in self.policies}
        for wanted in dict.fromkeys((pattern, pattern.upper())):
            close = difflib.get_close_matches(wanted, sorted(candidates), n=8)
            if close:
                best = _similarity(wanted, close[0])
                return min(c for c in close if _similarity(wanted, c) == best)
        return None

    def get(self, policy_id: str) -> CompiledPolicy | None:
        for policy in self.policies:
            if policy.info.id == policy_id:
                return policy
        return None


class _CompiledOnUse(dict[str, tuple[CompiledPolicy, ...]]):
    """``Program.by_type`` of stand-ins: a type's policies are compiled the first time
    they are looked up, so a scan compiles only the policies of the types it meets."""

    __slots__ = ("compiled_types",)

    def __init__(self, index: dict[str, tuple[CompiledPolicy, ...]]) -> None:
        super().__init__(index)
        self.compiled_types: set[str] = set()

    def __getitem__(self, kind: str) -> tuple[CompiledPolicy, ...]:
        policies = dict.__getitem__(self, kind)
        if kind not in self.compiled_types:
            policies = tuple(p.ready() for p in policies)
            self[kind] = policies
            self.compiled_types.add(kind)
        return policies

    def get(self, kind: str, default: Any = None) -> Any:
        return self[kind] if kind in self else default

    def values(self) -> Any:
        return [self[kind] for kind in self]

    def items(self) -> Any:
        return [(kind, self[kind]) for kind in self]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _matches(info: PolicyInfo, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern in (info.id, info.name):
            return True
        if fnmatch.fnmatchcase(info.id, pattern) or fnmatch.fnmatchcase(info.name, pattern):
            return True
    return False
