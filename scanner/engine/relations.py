"""``related(TYPE, PATH)``: the resources of TYPE whose value at PATH refers to the subject.

Refers-to:
- CloudFormation (same ``Document`` only): ``{"Ref": id}``, ``{"Fn::GetAtt": [id, ...]}``
  or ``"id.Attr"``, ``{"Fn::Sub": "...${id}..."}`` (``${id.Attr}`` too), any of these
  nested inside another intrinsic (``Fn::Join`` of an ARN with ``!Ref Bucket``), or a list
  holding one; or the name the subject declares for itself (``BucketName`` of a bucket,
  see ``NAME_PROPERTIES``): the same string, or the same ``Fn::Sub`` template, since one
  template with the same parameters gives one value within a stack;
- live (any document): a string equal to the subject's ARN, name or id, or starting with
  the ARN followed by ``/`` (``arn:aws:s3:::bucket/*``).

A candidate whose value at PATH is UNKNOWN (``Bucket: !ImportValue shared-bucket``) might
refer to the subject: with no definite match the result is UNKNOWN, and next to definite
matches it adds one UNKNOWN element, so ``any related(...) as p: ...`` is unknown rather
than false when only such a candidate could satisfy it. For CloudFormation only the
subject's own template is searched, and a value fixed outside the stack (a parameter, a
pseudo parameter, an ``Fn::ImportValue``) exists before the stack's resources do: it can
only spell a name the template declares, so it is a candidate only for subjects that
declare a name (``BucketName``, see ``could_be_named``), not for one whose name or id
AWS generates.

The index is built on first use, once per (TYPE, PATH), from the resources of one
``evaluate`` call: lookups are dictionary hits, not scans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from scanner.engine import paths
from scanner.engine.paths import Step, fan_out
from scanner.engine.values import MISSING, is_reference
from scanner.model import UNKNOWN, Path, Resource

_SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")
_UNNAMED = "${?}"  # an unknown part the loader could not name: two of them may differ
Key = tuple[Any, ...]

# The property in which a CloudFormation resource of each type declares its own name.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SecretsManager::Secret": "Name",
}

# How the loader explains an UNKNOWN that comes from outside the stack (see
# scanner.loaders.intrinsics.unknown_cause): such a value cannot be a resource's generated id.
_EXTERNAL_CAUSES = ("parameter ", "pseudo parameter ", "Fn::ImportValue ")


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
        return any(
            other is not subject and all(other is not f for f in found)
            for group in groups
            for other in group
        )

    def _definite(self, subject: Resource, index: dict[Key, list[Resource]]) -> list[Resource]:
        found: list[Resource] = []
        for key in subject_keys(subject):
            for other in index.get(key, ()):
                if other is not subject and all(other is not f for f in found):
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
        excluded = [subject, *found]
        first: Resource | None = None
        count = 0
        for group in groups:
            if not group:
                continue
            members = self._members(group)
            count += len(group) - sum(1 for r in excluded if id(r) in members)
            if first is None:
                first = next((r for r in group if all(r is not e for e in excluded)), None)
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
                if "not_created" not in resource.metadata:  # its Condition is false
                    self._by_type.setdefault(resource.type, []).append(resource)
        index: dict[Key, list[Resource]] = {}
        for resource in self._by_type.get(kind, ()):
            found = fan_out([resource.body], steps, None)
            if found is UNKNOWN or any(value is UNKNOWN for value in found):
                index.setdefault(_candidate_key(resource, steps), []).append(resource)
                if found is UNKNOWN:
                    continue
                found = [value for value in found if value is not UNKNOWN]
            for key in set(reference_keys(found, resource)):
                index.setdefault(key, []).append(resource)
        self._indexes[(kind, steps)] = index
        return index


def _maybe_key(resource: Resource) -> Key:
    """Where candidates with an UNKNOWN value are kept: per template, or all live ones."""
    document = resource.document
    if document is not None and document.format == "cloudformation":
        return ("maybe", id(document))
    return ("maybe", None)


def _candidate_key(resource: Resource, steps: tuple[Step, ...]) -> Key:
    """``_maybe_key``, or its ``maybe-external`` twin when every UNKNOWN value of a
    template resource at ``steps`` comes from outside the stack."""
    kind, scope = _maybe_key(resource)
    causes = resource.metadata.get("unknowns")
    if scope is None or not causes:
        return (kind, scope)
    for path in unknown_paths(resource.body, steps):
        cause = _cause(causes, path)
        if cause is None or not cause.startswith(_EXTERNAL_CAUSES):
            return (kind, scope)
    return ("maybe-external", scope)


def _cause(causes: Any, path: Path) -> str | None:
    for end in range(len(path), 0, -1):
        cause = causes.get(path[:end])
        if cause is not None:
            return str(cause)
    return None


def could_be_named(subject: Resource) -> bool:
    """Whether a value chosen outside the stack could name ``subject``: it declares a
    name (its type's name property, or for a type without an entry in
    ``NAME_PROPERTIES`` any property whose key ends in ``Name``), or its properties are
    not known."""
    properties = subject.body.get("Properties") if isinstance(subject.body, dict) else None
    if properties is UNKNOWN or is_reference(properties):
        return True
    if type(properties) is not dict:
        return False
    prop = NAME_PROPERTIES.get(subject.type)
    if prop is not None:
        return prop in properties
    return any(type(key) is str and key.endswith("Name") for key in properties)


def unknown_paths(body: Any, steps: Sequence[Step]) -> list[Path]:
    """Where following ``steps`` from ``body`` meets an UNKNOWN value (or cannot go on)."""
    items: list[tuple[Any, Path]] = [(body, ())]
    opaque: list[Path] = []
    for kind, arg in steps:
        following: list[tuple[Any, Path]] = []
        for value, where in items:
            if value is UNKNOWN or is_reference(value):
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
    opaque.extend(where for value, where in items if value is UNKNOWN)
    return opaque or [()]


def subject_keys(subject: Resource) -> Iterator[Key]:
    if subject.document is not None:
        yield ("cfn", id(subject.document), subject.id)
        declared = _declared_name(subject)
        if declared is not None:
            yield ("cfn-name", id(subject.document), *declared)
    for name in ("arn", "name"):
        value = subject.metadata.get(name)
        if isinstance(value, str) and value:
            yield ("live", value)
    yield ("live", subject.id)


def _declared_name(subject: Resource) -> tuple[str, str] | None:
    """The name ``subject`` declares for itself, as (kind, text), when the template gives it."""
    prop = NAME_PROPERTIES.get(subject.type)
    properties = subject.body.get("Properties") if isinstance(subject.body, dict) else None
    if prop is None or not isinstance(properties, dict):
        return None
    return _name_form(properties.get(prop))


def _name_form(value: Any) -> tuple[str, str] | None:
    """A plain string or a nameable ``Fn::Sub`` template, tagged so the two never collide."""
    if isinstance(value, str) and value:
        return ("text", value)
    if isinstance(value, dict) and len(value) == 1:
        template = value.get("Fn::Sub")
        if isinstance(template, str) and _UNNAMED not in template:
            return ("sub", template)
    return None


def reference_keys(value: Any, holder: Resource) -> Iterator[Key]:
    """Every key under which ``value`` (found in ``holder``) refers to something."""
    doc = id(holder.document) if holder.document is not None else None
    yield from _walk(value, doc)


def _walk(value: Any, doc: int | None) -> Iterator[Key]:
    if doc is not None:
        name = _name_form(value)
        if name is not None:
            yield ("cfn-name", doc, *name)
    if isinstance(value, str):
        yield ("live", value)
        for at, ch in enumerate(value):
            if ch == "/":
                yield ("live", value[:at])
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, doc)
    elif isinstance(value, dict) and len(value) == 1:
        name, arg = next(iter(value.items()))
        if isinstance(name, str) and (name == "Ref" or name.startswith("Fn::")):
            yield from _intrinsic(name, arg, doc)


def _intrinsic(name: str, arg: Any, doc: int | None) -> Iterator[Key]:
    if doc is None:
        return
    if name == "Ref" and isinstance(arg, str):
        yield ("cfn", doc, arg)
    elif name == "Fn::GetAtt":
        target = arg[0] if isinstance(arg, list) and arg else arg
        if isinstance(target, str):
            yield ("cfn", doc, target.split(".", 1)[0])
    elif name == "Fn::Sub":
        text, variables = (arg[0], arg[1:]) if isinstance(arg, list) and arg else (arg, [])
        if isinstance(text, str):
            for match in _SUB_VAR.finditer(text):
                yield ("cfn", doc, match.group(1).split(".", 1)[0].strip())
        for item in variables:
            yield from _nested(item, doc)
    else:
        yield from _nested(arg, doc)


def _nested(value: Any, doc: int | None) -> Iterator[Key]:
    """References inside the arguments of another intrinsic (CloudFormation keys only)."""
    if isinstance(value, list):
        for item in value:
            yield from _nested(item, doc)
    elif isinstance(value, dict):
        if len(value) == 1:
            name, arg = next(iter(value.items()))
            if isinstance(name, str) and (name == "Ref" or name.startswith("Fn::")):
                yield from _intrinsic(name, arg, doc)
                return
        for item in value.values():
            yield from _nested(item, doc)
