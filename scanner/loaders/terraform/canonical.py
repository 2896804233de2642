"""Terraform resource instances as the CloudFormation-shaped resources policies read.

Each mapped Terraform type (``resource_types.TYPES``) becomes one resource of the
CloudFormation type policies name, ``{"Type": ..., "Properties": {...}}``, with the
Terraform address as its id. A resource that configures another
(``aws_s3_bucket_versioning`` for an ``aws_s3_bucket``, ``aws_security_group_rule`` for
an ``aws_security_group``: ``resource_types.FOLDS``) is folded into the one it names
through a reference or by its name; what it sets replaces what the other sets inline.

Every property remembers where its value is written (the origin's ``written_at``), so a
finding points at the Terraform attribute that decides it, in the file of the resource
that set it. Types not mapped are not judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.loaders.cfn_values import declared_names
from scanner.loaders.terraform.expressions import JsonText
from scanner.loaders.terraform.module import Instance
from scanner.model import (
    Partial,
    Path,
    Reference,
    Span,
    Unknown,
    is_opaque,
)

FOLDED_AT = "@"  # document paths of values written in another file: ("@", file, ...)
MAX_POLICY_BYTES = 1024 * 1024  # a JSON policy document decoded from a string


@dataclass
class Mapped:
    """A converted value and where its parts are written (relative body path -> tf path)."""

    value: Any
    where: dict[Path, Path] = field(default_factory=dict)


Converter = Callable[[Any, Path], Any]  # (value, its tf path) -> value or Mapped


@dataclass(frozen=True)
class Prop:
    """One property: the Terraform argument it comes from (``a.b``: block ``a``, argument
    ``b``) and how its value converts."""

    source: str
    convert: Converter | None = None
    default: Any = None  # Terraform's default when the argument is absent (None: none)


@dataclass(frozen=True)
class TypeMap:
    cfn: str
    props: dict[str, Prop | str]


@dataclass(frozen=True)
class FoldMap:
    """A Terraform type that configures a resource of type ``into`` named by ``link``."""

    into: str
    link: str
    props: dict[str, Prop | str]
    append: bool = False  # add to a list property (rules) rather than replace it
    match: Callable[[dict[str, Any]], bool] | None = None  # which instances fold
    target_name: str = ""  # the target's argument a link by name matches (default: its name)
    many: bool = False  # ``link`` is a list: the resource configures each one it names
    entry: Entry | None = None  # ``entry_props`` go into one entry of a list property
    entry_props: dict[str, Prop | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """The entry of the target's list property ``list`` whose ``key`` equals the folding
    resource's ``argument`` (the listener of a load balancer port)."""

    list: str
    key: str
    argument: str


@dataclass
class _Built:
    instance: Instance
    cfn: str
    properties: dict[str, Any]
    written_at: dict[Path, Path]
    extra_positions: dict[Path, Span] = field(default_factory=dict)
    folded: set[Path] = field(default_factory=set)  # properties a split resource set


def map_instances(
    instances: list[Instance],
    types: dict[str, TypeMap],
    folds: dict[str, FoldMap],
) -> Iterator[tuple[Instance, str, dict[str, Any], dict[Path, Path], dict[Path, Span]]]:
    """Each mapped instance: its CloudFormation type and properties, where they are
    written, and positions of values folded in from other files."""
    built: dict[str, _Built] = {}
    undecided: list[tuple[Instance, FoldMap]] = []
    for instance in instances:
        mapping = types.get(instance.type)
        if mapping is None:
            continue
        properties, where = _properties(mapping.props, instance)
        built[instance.address] = _Built(instance, mapping.cfn, properties, where)
    for instance in instances:
        fold = folds.get(instance.type)
        if fold is None or (fold.match is not None and not fold.match(instance.config)):
            continue
        link = instance.config.get(fold.link)
        for one in link if fold.many and type(link) is list else [link]:
            target = _target(one, fold, built)
            if target is not None:
                _fold(instance, fold, target, instances)
            elif type(one) is Unknown:
                undecided.append((instance, fold))
                break
    for instance, fold in undecided:
        _maybe_folded(instance, fold, built)
    for item in built.values():
        yield (
            item.instance,
            item.cfn,
            _clean(item.properties, 0),
            item.written_at,
            item.extra_positions,
        )


def _properties(
    props: dict[str, Prop | str], instance: Instance
) -> tuple[dict[str, Any], dict[Path, Path]]:
    out: dict[str, Any] = {}
    where: dict[Path, Path] = {}
    for name, spec in props.items():
        prop = Prop(spec) if isinstance(spec, str) else spec
        found = _read(instance.config, prop.source)
        if found is None:
            if prop.default is not None:
                _put(out, name, prop.default)
            continue
        value, tf_path = found
        if prop.convert is not None:
            value = prop.convert(value, tf_path)
        body = ("Properties", *name.split("."))
        if isinstance(value, Mapped):
            for sub, sub_tf in value.where.items():
                where[body + sub] = (*instance.doc_path, *sub_tf)
            value = value.value
        if value is None:
            continue
        _put(out, name, value)
        where[body] = (*instance.doc_path, *tf_path)
    return out, where


def _read(config: Any, source: str) -> tuple[Any, Path] | None:
    """The value at ``source`` and its tf path; a block list is entered at its first block."""
    value = config
    path: Path = ()
    if not source:  # the whole resource
        return value, path
    for step in source.split("."):
        if type(value) is list and value and type(value[0]) is dict:
            value, path = value[0], (*path, 0)
        if is_opaque(value):
            return value, path
        if type(value) is not dict or step not in value:
            return None
        value, path = value[step], (*path, step)
    if value is None:
        return None
    return value, path


def _put(out: dict[str, Any], name: str, value: Any) -> None:
    parts = name.split(".")
    for part in parts[:-1]:
        inner = out.get(part)
        if type(inner) is not dict:
            inner = out[part] = {}
        out = inner
    out[parts[-1]] = value


def _target(link: Any, fold: FoldMap, built: dict[str, _Built]) -> _Built | None:
    """The resource a folding instance's ``link`` names: a reference, or its declared name."""
    if type(link) is Reference:
        target = built.get(link.target)
        return target if target is not None and target.instance.type == fold.into else None
    if isinstance(link, str):
        for item in built.values():
            if item.instance.type != fold.into:
                continue
            name = (
                item.instance.config.get(fold.target_name) if fold.target_name else _name_of(item)
            )
            if name == link:
                return item
    return None


def _maybe_folded(instance: Instance, fold: FoldMap, built: dict[str, _Built]) -> None:
    """A resource that configures one whose name is not known might configure any of the
    module's resources of that type: what it sets is unknown on each of them, unless
    another resource set it for certain (a list it adds to gains an unknown item)."""
    link = instance.config.get(fold.link)
    cause = getattr(link, "cause", "") or "it is known only once applied"
    unknown = Unknown(
        f"{instance.address} may set this: which resource it configures is not known ({cause})"
    )
    properties, _ = _properties(fold.props, instance)
    in_entries, _ = _properties(fold.entry_props, instance)
    for item in built.values():
        if item.instance.type != fold.into or item.instance.prefix != instance.prefix:
            continue
        entries = item.properties.get(fold.entry.list) if fold.entry is not None else None
        for entry in entries if type(entries) is list else ():
            if type(entry) is dict:
                entry.update({name: unknown for name in in_entries})
        for name in properties:
            current = item.properties.get(name)
            if fold.append:
                base = current if type(current) is list else []
                item.properties[name] = [*base, unknown]
            elif ("Properties", name) not in item.folded:
                item.properties[name] = unknown


def _name_of(item: _Built) -> Any:
    names, _ = declared_names(item.cfn, {"Properties": item.properties})
    return names[0][1] if names and names[0][0] == "text" else None


def _fold(instance: Instance, fold: FoldMap, target: _Built, instances: list[Instance]) -> None:
    properties, where = _properties(fold.props, instance)
    same_file = instance.file.path == target.instance.file.path
    prefix: Path = () if same_file else (FOLDED_AT, instance.file.path)
    if not same_file:
        for path, span in instance.positions.items():
            target.extra_positions[prefix + instance.doc_path + path] = span
        target.extra_positions[prefix + instance.doc_path] = Span(instance.header, instance.header)
    body = target.properties
    for name, value in properties.get("Properties", properties).items():
        _merge(body, name, value, fold.append, where, prefix, target)
    if fold.entry is not None:
        _fold_entry(instance, fold, fold.entry, target, prefix, instances)


def _fold_entry(
    instance: Instance,
    fold: FoldMap,
    entry: Entry,
    target: _Built,
    prefix: Path,
    instances: list[Instance],
) -> None:
    """``fold.entry_props`` set on the entry of ``entry.list`` whose key matches; an
    unknown key sets them unknown on every entry. A value that refers to another
    resource's argument written in the module (a listener's policy named by
    ``aws_load_balancer_policy.tls.policy_name``) is that argument's value."""
    entries = target.properties.get(entry.list)
    if type(entries) is not list:
        return
    key = instance.config.get(entry.argument)
    properties, where = _properties(fold.entry_props, instance)
    properties = {k: _arguments_of(v, instances) for k, v in properties.items()}
    for index, item in enumerate(entries):
        if type(item) is not dict:
            continue
        if is_opaque(key):
            unknown = Unknown(f"{instance.address} may set this: its {entry.argument} is unknown")
            item.update({name: unknown for name in properties})
            continue
        if str(item.get(entry.key)) != str(key):
            continue
        at: Path = ("Properties", entry.list, index)
        for name, value in properties.items():
            existing = item.get(name)
            offset = 0
            if fold.append and type(existing) is list and type(value) is list:
                offset, value = len(existing), existing + value
            item[name] = value
            for path, tf_path in where.items():
                if path[:2] != ("Properties", name):
                    continue
                rest = path[2:]
                if offset and rest and type(rest[0]) is int:
                    rest = (rest[0] + offset, *rest[1:])
                target.written_at[at + (name,) + rest] = (*prefix, *tf_path)


def _arguments_of(value: Any, instances: list[Instance]) -> Any:
    """``value`` (or the items of a list) with each reference to an argument of a
    resource instance replaced by that argument's value, where it is known."""
    if type(value) is list:
        return [_arguments_of(item, instances) for item in value]
    if type(value) is not Reference or value.attribute is None:
        return value
    found = next((i for i in instances if i.address == value.target), None)
    argument = found.config.get(value.attribute) if found is not None else None
    return argument if isinstance(argument, (str, int, float, bool)) else value


def _merge(
    body: dict[str, Any],
    name: str,
    value: Any,
    append: bool,
    where: dict[Path, Path],
    prefix: Path,
    target: _Built,
) -> None:
    existing = body.get(name)
    offset = 0
    if append and type(existing) is list and type(value) is list:
        offset = len(existing)
        body[name] = existing + value
    else:
        body[name] = value
        target.written_at = {
            k: v for k, v in target.written_at.items() if k[:2] != ("Properties", name)
        }
    target.folded.add(("Properties", name))
    for path, tf_path in where.items():
        if path[:2] != ("Properties", name):
            continue
        shifted = path
        if offset and len(path) > 2 and type(path[2]) is int:
            shifted = (*path[:2], path[2] + offset, *path[3:])
        target.written_at[shifted] = (*prefix, *tf_path)


def _clean(value: Any, depth: int) -> Any:
    """Values the engine reads: JSON documents built around unknown values become
    unknown, nothing else changes."""
    if depth > 64:
        return value
    if type(value) is JsonText:
        return Unknown("a JSON document holds values known only once applied")
    if type(value) is dict:
        return {k: _clean(v, depth + 1) for k, v in value.items()}
    if type(value) is list:
        return [_clean(v, depth + 1) for v in value]
    return value


# --- converters (used by the tables) -------------------------------------------------


def _shaped(run: Converter, kind: str, inner: Any) -> Converter:
    """``run`` marked with what it is made of (``shape``), so that a fix can find the
    Terraform argument a property comes from (``arguments.argument``)."""
    run.shape = (kind, inner)  # type: ignore[attr-defined]
    return run


def json_document(value: Any, path: Path) -> Any:
    """A policy document: a JSON string decoded, a ``jsonencode`` value as it was built.
    A string with parts known only once applied (a heredoc naming a resource) is decoded
    when those parts sit inside its JSON strings: they become partial strings."""
    if type(value) is JsonText:
        return value.value
    if type(value) is Partial:
        return _partial_document(value)
    if type(value) is str:
        if len(value) > MAX_POLICY_BYTES:
            return Unknown("the policy document is too large to read")
        try:
            return json.loads(value)
        except ValueError:
            return Unknown("the policy document is not valid JSON")
    return value


_HOLE = "\u0000pacscan-hole-{}\u0000"
_HOLES = re.compile("\u0000pacscan-hole-([0-9]+)\u0000")


def _partial_document(value: Partial) -> Any:
    holes = [p for p in value.parts if type(p) is not str]
    text = "".join(
        p if type(p) is str else _HOLE.format(holes.index(p)) for p in value.parts
    ).replace("\u0000", "\\u0000")
    unknown = Unknown("the policy document holds values known only once applied")
    if len(text) > MAX_POLICY_BYTES:
        return unknown
    try:
        decoded = json.loads(text)
    except ValueError:
        return unknown
    return _filled(decoded, holes, 0, unknown)


def _filled(value: Any, holes: list[Any], depth: int, unknown: Unknown) -> Any:
    """``value`` with each string holding a hole made a ``Partial`` of its parts."""
    if depth > 64:
        return unknown
    if type(value) is dict:
        if any(_HOLES.search(k) for k in value):
            return unknown  # a key not known: which statement element it is, is not
        return {k: _filled(v, holes, depth + 1, unknown) for k, v in value.items()}
    if type(value) is list:
        return [_filled(v, holes, depth + 1, unknown) for v in value]
    if type(value) is not str or not _HOLES.search(value):
        return value
    pieces = _HOLES.split(value)  # text, index, text, index, ..., text
    parts = [
        holes[int(piece)] if n % 2 else piece for n, piece in enumerate(pieces) if piece or n % 2
    ]
    return Partial(tuple(parts), _HOLES.sub("${...}", value))


def enabled_status(value: Any, path: Path) -> Any:
    if value is True:
        return "Enabled"
    if value is False:
        return "Suspended"
    return value


def each(convert: Callable[[Any, Path], Any]) -> Converter:
    """Convert every block of a list, remembering where each is written."""

    def run(value: Any, path: Path) -> Any:
        if type(value) is not list:
            return value
        out = Mapped([])
        for index, item in enumerate(value):
            converted = convert(item, (*path, index))
            if isinstance(converted, Mapped):
                out.where.update({(len(out.value), *k): v for k, v in converted.where.items()})
                converted = converted.value
            out.where[(len(out.value),)] = (*path, index)
            out.value.append(converted)
        return out

    return _shaped(run, "each", convert)


def fields(table: Mapping[str, Prop | str]) -> Converter:
    """A block converted field by field (the same table form as a resource's)."""

    def run(value: Any, path: Path) -> Any:
        if type(value) is not dict:
            return value
        out: dict[str, Any] = {}
        where: dict[Path, Path] = {}
        for name, spec in table.items():
            prop = Prop(spec) if isinstance(spec, str) else spec
            found = _read(value, prop.source)
            if found is None:
                if prop.default is not None:
                    _put(out, name, prop.default)
                continue
            item, item_path = found
            if prop.convert is not None:
                item = prop.convert(item, (*path, *item_path))
            if isinstance(item, Mapped):
                where.update({(*name.split("."), *k): v for k, v in item.where.items()})
                item = item.value
            if item is None:
                continue
            _put(out, name, item)
            where[tuple(name.split("."))] = (*path, *item_path)
        return Mapped(out, where)

    return _shaped(run, "fields", table)


def first(convert: Converter) -> Converter:
    """The first block of a list of blocks, converted."""

    def run(value: Any, path: Path) -> Any:
        if type(value) is list:
            if not value:
                return None
            return convert(value[0], (*path, 0))
        return convert(value, path)

    return _shaped(run, "first", convert)


def keyed(key: str, table: Mapping[str, Prop | str]) -> Converter:
    """Blocks as a map from each block's ``key`` argument to its converted fields."""
    convert = fields(table)

    def run(value: Any, path: Path) -> Any:
        if type(value) is not list:
            return value
        out = Mapped({})
        for index, block in enumerate(value):
            name = block.get(key) if type(block) is dict else None
            if not isinstance(name, str):
                continue
            converted = convert(block, (*path, index))
            if isinstance(converted, Mapped):
                out.where.update({(name, *k): v for k, v in converted.where.items()})
                converted = converted.value
            out.where[(name,)] = (*path, index)
            out.value[name] = converted
        return out

    return run


def json_objects(value: Any, path: Path) -> Any:
    """A JSON document of camelCase keys (ECS container definitions) with the keys
    capitalised as CloudFormation writes them."""
    return _capitalised(json_document(value, path), 0)


def _capitalised(value: Any, depth: int) -> Any:
    if depth > 32:
        return value
    if type(value) is list:
        return [_capitalised(v, depth + 1) for v in value]
    if type(value) is dict:
        return {
            (k[:1].upper() + k[1:] if isinstance(k, str) else k): _capitalised(v, depth + 1)
            for k, v in value.items()
        }
    return value


def text_bool(value: Any, path: Path) -> Any:
    """A bool as the text CloudFormation attributes hold (``"true"``)."""
    return ("true" if value else "false") if type(value) is bool else value


def table(values: dict[Any, Any]) -> Converter:
    """A value looked up in ``values``; others kept as they are."""

    def run(value: Any, path: Path) -> Any:
        if isinstance(value, (str, int, bool)) and value in values:
            return values[value]
        return value

    return _shaped(run, "table", values)


def pairs(key: str) -> Converter:
    """A map as a list of ``{Key: k, <key>: v}`` (tags)."""

    def run(value: Any, path: Path) -> Any:
        if type(value) is not dict:
            return value
        return Mapped(
            [{"Key": k, key: v} for k, v in value.items()],
            {(i,): (*path, k) for i, k in enumerate(value)},
        )

    return run
