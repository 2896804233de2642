"""``related(TYPE, PATH)``: the resources of TYPE whose value at PATH refers to the subject.

Refers-to, by the subject's origin:
- template (same ``Document`` only, or the same ``scope`` of the origin: an input
  written in several files): a ``Reference`` to the subject, a ``Partial`` string
  with one among its parts (an ARN built around a bucket reference), or a list holding
  one; or the name the subject declares for itself (the loader lists it in the origin's
  ``names``): the same string, or a partial string with the same ``identity``, since one
  template with the same parameters gives one value within a stack;
- live (any document): a string equal to the subject's ARN, name or id, or starting with
  the ARN followed by ``/`` (``arn:aws:s3:::bucket/*``).

A candidate whose value at PATH is unknown (``Bucket: !ImportValue shared-bucket``) might
refer to the subject: with no definite match the result is UNKNOWN, and next to definite
matches it adds one UNKNOWN element, so ``any related(...) as p: ...`` is unknown rather
than false when only such a candidate could satisfy it. For a template only the
subject's own template is searched, and a value fixed outside it (an ``Unknown`` marked
``external``: a parameter, a pseudo parameter, another stack's output) exists before the
template's resources do: it can only spell a name the template declares, so it is a
candidate only for subjects that declare a name (the origin's ``nameable``), not for one
whose name or id AWS generates.

The index is built on first use, once per (TYPE, PATH), from the resources of one
``evaluate`` call: lookups are dictionary hits, not scans.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scanner.engine import paths
from scanner.engine.paths import Step, fan_out
from scanner.model import (
    UNKNOWN,
    Partial,
    Path,
    Reference,
    Resource,
    TemplateOrigin,
    Unknown,
    is_opaque,
    name_key,
)
from scanner.values import MISSING

Key = tuple[Any, ...]


class Relations:
    def __init__(self, resources: Sequence[Resource]) -> None:
        self._resources = resources
        self._by_type: dict[str, list[Resource]] | None = None
        self._positions: dict[int, int] | None = None
        self._indexes: dict[tuple[str, tuple[Step, ...]], dict[Key, list[Resource]]] = {}
        self.asked: list[tuple[str, tuple[Step, ...]]] | None = None  # see ``record``
        self._sets: dict[int, set[int]] = {}  # id(candidate list) -> ids of its members

    def related(self, subject: Resource, kind: str, steps: tuple[Step, ...]) -> Any:
        """Bodies of the resources of ``kind`` that refer to ``subject`` at ``steps``."""
        if self.asked is not None:
            self.asked.append((kind, steps))
        index = self._index(kind, steps)
        found = self._definite(subject, index)
        bodies = [r.body for r in found]
        if not self._open(subject, index, found):
            return bodies
        return bodies + [UNKNOWN] if bodies else UNKNOWN

    def record(self, run: Any) -> list[tuple[str, tuple[Step, ...]]]:
        """The (TYPE, PATH) pairs ``related`` was asked for while ``run()`` ran."""
        self.asked = []
        try:
            run()
            return self.asked
        finally:
            self.asked = None

    def candidates(
        self, subject: Resource, kind: str, steps: tuple[Step, ...]
    ) -> tuple[tuple[Resource, Path] | None, int, list[Resource]]:
        """Why ``related`` may be open: the first uncertain candidate with the path of its
        UNKNOWN value, how many uncertain candidates there are, and the definite matches."""
        index = self._index(kind, steps)
        found = self._definite(subject, index)
        first, count = self._uncertain(subject, index, found)
        if first is None:
            return None, 0, found
        return (first, unknown_paths(first.body, steps)[0]), count, found

    def _open(
        self, subject: Resource, index: dict[Key, list[Resource]], found: list[Resource]
    ) -> bool:
        """Whether some candidate with an UNKNOWN value could refer to ``subject``."""
        scope = _maybe_key(subject)
        groups = [index.get(scope, ())]
        if scope[1] is not None and could_be_named(subject):
            groups.append(index.get(("maybe-external", scope[1]), ()))
        excluded = {id(subject), *map(id, found)}
        return any(id(other) not in excluded for group in groups for other in group)

    def _definite(self, subject: Resource, index: dict[Key, list[Resource]]) -> list[Resource]:
        found: list[Resource] = []
        seen = {id(subject)}  # a set, not a scan of ``found``: fan-in can be thousands
        for key in subject_keys(subject):
            for other in index.get(key, ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    found.append(other)
        if len(found) > 1:
            order = self._order()
            found.sort(key=lambda r: order.get(id(r), 0))
        return found

    def _uncertain(
        self, subject: Resource, index: dict[Key, list[Resource]], found: list[Resource]
    ) -> tuple[Resource | None, int]:
        """The first candidate with an UNKNOWN value that could refer to ``subject``, and
        how many there are (a count of sets, not a scan: a template may hold thousands)."""
        scope = _maybe_key(subject)
        groups = [index.get(scope, [])]
        if scope[1] is not None and could_be_named(subject):
            groups.append(index.get(("maybe-external", scope[1]), []))
        excluded = {id(subject), *map(id, found)}
        first: Resource | None = None
        count = 0
        for group in groups:
            if not group:
                continue
            members = self._members(group)
            count += len(group) - len(excluded & members)
            if first is None:
                first = next((r for r in group if id(r) not in excluded), None)
        return first, count

    def _members(self, group: list[Resource]) -> set[int]:
        members = self._sets.get(id(group))
        if members is None:
            members = self._sets[id(group)] = {id(r) for r in group}
        return members

    def _order(self) -> dict[int, int]:
        if self._positions is None:
            self._positions = {id(r): n for n, r in enumerate(self._resources)}
        return self._positions

    def _index(self, kind: str, steps: tuple[Step, ...]) -> dict[Key, list[Resource]]:
        cached = self._indexes.get((kind, steps))
        if cached is not None:
            return cached
        if self._by_type is None:
            self._by_type = {}
            for resource in self._resources:
                origin = resource.origin
                if type(origin) is TemplateOrigin and origin.not_created is not None:
                    continue  # its condition is false: it does not exist
                self._by_type.setdefault(resource.type, []).append(resource)
        index: dict[Key, list[Resource]] = {}
        for resource in self._by_type.get(kind, ()):
            found = fan_out([resource.body], steps, None)
            if type(found) is Unknown or any(type(value) is Unknown for value in found):
                index.setdefault(_candidate_key(resource, steps), []).append(resource)
                if type(found) is Unknown:
                    continue
                found = [value for value in found if type(value) is not Unknown]
            for key in set(reference_keys(found, resource)):
                index.setdefault(key, []).append(resource)
        self._indexes[(kind, steps)] = index
        return index


def _scope(resource: Resource) -> int | str | None:
    """The template a resource belongs to (the origin's ``scope``, else its document), or
    None for a live one."""
    origin = resource.origin
    if type(origin) is TemplateOrigin:
        if origin.scope is not None:
            return origin.scope
        if resource.document is not None:
            return id(resource.document)
    return None


def _maybe_key(resource: Resource) -> Key:
    """Where candidates with an unknown value are kept: per template, or all live ones."""
    return ("maybe", _scope(resource))


def _candidate_key(resource: Resource, steps: tuple[Step, ...]) -> Key:
    """``_maybe_key``, or its ``maybe-external`` twin when every unknown value of a
    template resource at ``steps`` is fixed outside the template."""
    kind, scope = _maybe_key(resource)
    if scope is None:
        return (kind, scope)
    for path in unknown_paths(resource.body, steps):
        value = paths.single(resource.body, [_step(key) for key in path]) if path else None
        if type(value) is not Unknown or not value.external:
            return (kind, scope)
    return ("maybe-external", scope)


def _step(key: Any) -> Step:
    return ("index" if isinstance(key, int) else "key", key)


def could_be_named(subject: Resource) -> bool:
    """Whether a value fixed outside the template could name ``subject``."""
    origin = subject.origin
    return type(origin) is TemplateOrigin and origin.nameable


def unknown_paths(body: Any, steps: Sequence[Step]) -> list[Path]:
    """Where following ``steps`` from ``body`` meets an unknown value, a reference or a
    partial string (or cannot go on)."""
    items: list[tuple[Any, Path]] = [(body, ())]
    opaque: list[Path] = []
    for kind, arg in steps:
        following: list[tuple[Any, Path]] = []
        for value, where in items:
            if is_opaque(value):
                opaque.append(where)
            elif kind == "key" or kind == "index":
                found = paths.key(value, arg) if kind == "key" else paths.index(value, arg)
                if found is not MISSING:
                    following.append((found, (*where, arg)))
            elif type(value) is list:
                following.extend((v, (*where, n)) for n, v in enumerate(value))
            elif kind == "map" and type(value) is dict:
                following.extend((v, (*where, k)) for k, v in value.items())
            elif kind != "map" and value is not None:
                following.append((value, where))
        items = following
    opaque.extend(where for value, where in items if type(value) is Unknown)
    return opaque or [()]


def subject_keys(subject: Resource) -> Iterator[Key]:
    """The keys under which values refer to ``subject``."""
    origin = subject.origin
    if isinstance(origin, TemplateOrigin):
        scope = _scope(subject)
        if scope is not None:
            yield ("id", scope, subject.id)
            for name in origin.names:
                yield ("name", scope, name)
        return
    for value in (origin.arn, origin.name, subject.id):
        if isinstance(value, str) and value:
            yield ("live", value)


def reference_keys(value: Any, holder: Resource) -> Iterator[Key]:
    """Every key under which ``value`` (found in ``holder``) refers to something."""
    scope = _scope(holder)
    if scope is None:
        yield from _live_keys(value)
    else:
        yield from _template_keys(value, scope)


def _template_keys(value: Any, scope: int | str) -> Iterator[Key]:
    kind = type(value)
    if kind is Reference:
        yield ("id", scope, value.target)
    elif kind is Partial:
        name = name_key(value)
        if name is not None:
            yield ("name", scope, name)
        for reference in value.references():
            yield ("id", scope, reference.target)
    elif kind is str:
        if value:
            yield ("name", scope, ("text", value))
    elif kind is list:
        for item in value:
            yield from _template_keys(item, scope)


def _live_keys(value: Any) -> Iterator[Key]:
    if type(value) is str:
        yield ("live", value)
        for at, ch in enumerate(value):
            if ch == "/":
                yield ("live", value[:at])
    elif type(value) is list:
        for item in value:
            yield from _live_keys(item)
