"""Resource types and property paths a policy names, checked against the published schemas.

``scanner/data/resource_schema.json.gz`` (built by ``tools/build_schema_index.py`` from the
CloudFormation resource provider schemas that cfn-lint carries, plus the properties the
live collectors fill, see docs/aws.md) maps each type to a tree of property names. A tree
node is a dict of the names allowed below it, or ``0``: not checked below (a scalar, a
free-form object such as ``PolicyDocument``, a map such as ``Environment.Variables``).
Lists are transparent: ``[*]``, ``[0]`` and filters keep the node of the list's items.

A type in the ``AWS::``, ``Alexa::`` or ``Pacscan::`` namespace that the index does not
know is P090; a key below ``Properties`` that no target type has is P091, both with the
closest name. ``Custom::`` and other registry types are not checked. Paths through
``let`` bindings, quantifier variables and ``related()`` are followed; paths through a
``def`` argument, a map wildcard ``.*`` or a function result are not.

The index is read on first use (when a policy file is checked, not when a cached clean
file is compiled) and each type's tree is parsed only when a policy names it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from scanner.lang import ast, codes
from scanner.lang.scope import BODY_KEYS, SPECIAL_NAMES, did_you_mean
from scanner.model import Location
from scanner.package_files import package_dir
from scanner.records import record

INDEX = "resource_schema.json.gz"
INDEX_SOURCE = "cfn-lint 1.58.0"  # the index's source; part of the check cache's salt
CHECKED_NAMESPACES = ("AWS::", "Alexa::", "Pacscan::")

Tree = dict[str, Any] | int
OPEN = 0

Report = Callable[[str, str, Location], None]


@lru_cache(maxsize=1)
def _index() -> Mapping[str, str]:
    types: dict[str, str] = _read_index()["types"]
    return types


def index_source() -> dict[str, str]:
    """Where the index came from: the schemas' package and version, and the script."""
    source: dict[str, str] = _read_index()["source"]
    return source


def _read_index() -> dict[str, Any]:
    import gzip  # a scan of files checked before reads no index

    blob = package_dir("scanner.data").joinpath(INDEX).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(blob))
    return data


def is_checked(type_name: str) -> bool:
    return type_name.startswith(CHECKED_NAMESPACES)


def known_type(type_name: str) -> bool:
    return not is_checked(type_name) or type_name in _index()


def closest_type(type_name: str) -> str:
    """``"; did you mean `X`?"`` with the closest known type, or ``""``."""
    service = type_name.rpartition("::")[0]
    same_service = [t for t in _index() if t.startswith(service + "::")] if service else []
    return did_you_mean(type_name, same_service) or did_you_mean(type_name, _index())


@lru_cache(maxsize=512)
def properties(type_name: str) -> Tree:
    """The property tree of a type; ``OPEN`` for unchecked or unknown types."""
    text = _index().get(type_name) if is_checked(type_name) else None
    if text is None:
        return OPEN
    tree: Tree = json.loads(text)
    return tree


def body(types: tuple[str, ...]) -> Tree:
    """The tree of a resource body whose type is one of ``types``."""
    props: Tree = OPEN
    for index, name in enumerate(types):
        props = properties(name) if index == 0 else _merge(props, properties(name))
    return {key: (props if key == "Properties" else OPEN) for key in BODY_KEYS}


def _merge(a: Tree, b: Tree) -> Tree:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return OPEN
    out = dict(a)
    for key, value in b.items():
        out[key] = _merge(out[key], value) if key in out else value
    return out


@record
class Place:
    """What an expression denotes inside a resource: its tree, types and path so far."""

    tree: Tree
    types: tuple[str, ...] = ()
    trail: str = ""


NOWHERE = Place(OPEN)


class PropertyChecker:
    """Checks the types and property paths of one policy; reports through ``report``."""

    def __init__(
        self, report: Report, is_bound: Callable[[str], bool], defs: Mapping[str, ast.Def]
    ) -> None:
        self.report = report
        self.is_bound = is_bound
        self.defs = defs
        self.in_def = 0
        # a def body is judged over all its calls: a key is unknown only if no call has it
        self.def_hits: set[Location] = set()
        self.def_misses: dict[Location, str] = {}
        self.def_walks: set[tuple[str, tuple[int, ...]]] = set()

    def check_policy(self, policy: ast.Policy) -> None:
        targets = [t for item in policy.items if isinstance(item, ast.Targets) for t in item.types]
        known = all(self._type(name, loc) for name, loc in targets if "::" in name)
        types = tuple(name for name, _ in targets)
        subject = Place(body(types), types) if known and targets else NOWHERE
        env: dict[str, Place] = {}
        for item in policy.items:
            if isinstance(item, ast.Let):
                env[item.name] = self.expr(item.expr, env, subject)
            elif isinstance(item, ast.When):
                self.expr(item.expr, env, subject)
            elif isinstance(item, ast.Assertion):
                self.expr(item.expr, env, subject)
                for part in item.message.parts if item.message is not None else ():
                    if not isinstance(part, str):
                        self.expr(part, env, subject)
            elif isinstance(item, ast.Fix):
                self._fix(item, env, subject)
        for loc, message in self.def_misses.items():
            if loc not in self.def_hits:
                self.report(codes.UNKNOWN_PROPERTY, message, loc)

    def _type(self, name: str, loc: Location) -> bool:
        if known_type(name):
            return True
        self.report(
            codes.UNKNOWN_RESOURCE_TYPE,
            f"unknown resource type {name}{closest_type(name)}",
            loc,
        )
        return False

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.Expr, env: Mapping[str, Place], subject: Place) -> Place:
        if isinstance(node, ast.Name):
            return self._name(node, env, subject)
        if isinstance(node, ast.Current):
            return env.get("@", NOWHERE)
        if isinstance(node, ast.PathExpr):
            return self._path(node, env, subject)
        if isinstance(node, ast.Call) and node.name == "related" and len(node.args) == 2:
            return self._related(node, env)
        if isinstance(node, ast.Call) and node.name in self.defs:
            args = [self.expr(arg, env, subject) for arg in node.args]
            self._def_call(self.defs[node.name], args, subject)
            return NOWHERE
        if isinstance(node, ast.Quantifier):
            collection = self.expr(node.collection, env, subject)
            self.expr(node.body, {**env, node.var: collection}, subject)
            return NOWHERE
        if isinstance(node, ast.Compare):
            self._type_comparison(node, env)
        for child in ast.children(node):
            self.expr(child, env, subject)
        return NOWHERE

    def _def_call(self, target: ast.Def, args: list[Place], subject: Place) -> None:
        """Walk the def's body with its arguments bound, once per distinct argument trees."""
        key = (target.name, tuple(id(a.tree) for a in args))
        if key in self.def_walks or len(args) != len(target.params):
            return
        self.def_walks.add(key)
        self.in_def += 1
        try:
            self.expr(target.body, dict(zip(target.params, args, strict=True)), subject)
        finally:
            self.in_def -= 1

    def _name(self, node: ast.Name, env: Mapping[str, Place], subject: Place) -> Place:
        if node.name in env:
            return env[node.name]
        if self.is_bound(node.name) or node.name in SPECIAL_NAMES:
            return NOWHERE
        if node.name == "Properties" and isinstance(subject.tree, dict):
            return Place(subject.tree["Properties"], subject.types, "Properties")
        return NOWHERE  # another top-level key (P011 checks those) or an unknown name

    def _path(self, node: ast.PathExpr, env: Mapping[str, Place], subject: Place) -> Place:
        place = self.expr(node.base, env, subject)
        if place is NOWHERE and isinstance(node.base, ast.Name):
            place = Place(OPEN, trail=node.base.name)
        for step in node.steps:
            if isinstance(step, ast.Key):
                place = self._key(place, step.key, step.loc)
            elif isinstance(step, ast.Filter):
                element = Place(place.tree, place.types, place.trail + "[?]")
                self.expr(step.predicate, {**env, "@": element}, subject)
                place = element
            elif isinstance(step, ast.Wildcard) and step.kind == "map":
                place = Place(OPEN, place.types, place.trail + ".*")
            else:
                place = Place(place.tree, place.types, place.trail + "[*]")
        return place

    def _key(self, place: Place, key: str, loc: Location) -> Place:
        trail = f"{place.trail}.{key}" if place.trail else key
        if not isinstance(place.tree, dict):
            return Place(OPEN, place.types, trail)
        if key in place.tree:
            if self.in_def:
                self.def_hits.add(loc)
            return Place(place.tree[key], place.types, trail)
        if len(place.types) == 1:
            message = f"{place.types[0]} has no property `{trail}`"
        else:
            message = f"none of {', '.join(place.types)} has a property `{trail}`"
        message += did_you_mean(key, place.tree)
        if self.in_def:
            self.def_misses.setdefault(loc, message)
        else:
            self.report(codes.UNKNOWN_PROPERTY, message, loc)
        return Place(OPEN, place.types, trail)

    def _related(self, node: ast.Call, env: Mapping[str, Place]) -> Place:
        kind, path = node.args
        name = kind.name if isinstance(kind, ast.TypeLiteral) else None
        if isinstance(kind, ast.Literal) and isinstance(kind.value, str):
            name = kind.value
        if name is None or not self._type(name, kind.loc):
            return NOWHERE
        other = Place(body((name,)), (name,))
        self.expr(path, {}, other)
        return other

    def _type_comparison(self, node: ast.Compare, env: Mapping[str, Place]) -> None:
        """``type == "AWS::..."`` and ``type in [...]`` name types too."""
        if not (isinstance(node.left, ast.Name) and node.left.name == "type"):
            return
        if node.left.name in env or self.is_bound("type"):
            return
        values = node.right.items if isinstance(node.right, ast.ListExpr) else (node.right,)
        for value in values:
            if isinstance(value, ast.Literal) and isinstance(value.value, str):
                self._type(value.value, value.loc)

    def _fix(self, fix: ast.Fix, env: Mapping[str, Place], subject: Place) -> None:
        keys = fix.path.steps
        if not keys or keys[0] != "Properties" or not isinstance(subject.tree, dict):
            return
        place = Place(subject.tree["Properties"], subject.types, "Properties")
        for key in keys[1:]:
            if isinstance(key, str):
                place = self._key(place, key, fix.path.loc)
            elif isinstance(key, ast.Match):  # the fields it matches are keys of an element
                for name, _ in key.fields:
                    self._key(place, name, key.loc)
                place = Place(place.tree, place.types, f"{place.trail}[*]")
            elif isinstance(key, ast.Filter):
                place = Place(place.tree, place.types, f"{place.trail}[*]")
                self.expr(key.predicate, {**env, "@": place}, subject)
            else:
                place = Place(place.tree, place.types, f"{place.trail}[{key}]")


def check_properties(
    policy: ast.Policy,
    report: Report,
    is_bound: Callable[[str], bool],
    defs: Mapping[str, ast.Def],
) -> None:
    """Report unknown resource types and property paths in ``policy``."""
    PropertyChecker(report, is_bound, defs).check_policy(policy)
