"""The inverse of the mapping tables: which Terraform argument a CloudFormation-shaped
property comes from, and which Terraform value gives a property value.

``argument`` follows a property path through a type's table (``resource_types.TYPES`` or
``FOLDS``) and the converters that read blocks field by field (``fields``, ``each``,
``first``: ``canonical`` marks them with their ``shape``). A property a converter builds
from several arguments at once (security group rules, load balancer attributes) has no
single argument, and ``argument`` says None. ``terraform_value`` finds the literal whose
conversion is the value asked for (``true`` for ``"Enabled"``, ``"private"`` for
``"Private"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scanner.loaders.terraform.canonical import Converter, FoldMap, Mapped, Prop, TypeMap
from scanner.model import Path

NO_VALUE: Any = object()
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Argument:
    """Where a property is written in a resource block: argument names, nested block
    names and block indexes (a name followed by no index is its first block)."""

    steps: tuple[str | int, ...]
    convert: Converter | None


def argument(mapping: TypeMap | FoldMap, path: Path) -> Argument | None:
    """The argument of a resource of ``mapping`` that the body path ``path``
    (``("Properties", ...)``) comes from; None when no single argument gives it."""
    if path[:1] != ("Properties",):
        return None
    return _through(mapping.props, path[1:], ())


def _through(props: Any, rest: Path, steps: tuple[str | int, ...]) -> Argument | None:
    """``rest`` read through a table of properties (a resource's or a block's fields)."""
    best: tuple[str, Prop | str] | None = None
    for name, spec in props.items():
        parts = tuple(name.split("."))
        if rest[: len(parts)] == parts and (best is None or len(name) > len(best[0])):
            best = (name, spec)
    if best is None:
        return None
    name, spec = best
    prop = Prop(spec) if isinstance(spec, str) else spec
    if not prop.source:
        return None  # the whole resource read by one converter
    here = (*steps, *prop.source.split("."))
    return _converted(prop.convert, rest[len(name.split(".")) :], here)


def _converted(
    convert: Converter | None, rest: Path, steps: tuple[str | int, ...]
) -> Argument | None:
    for _ in range(64):  # converters nest a few levels; bounded all the same
        if not rest:
            shape = getattr(convert, "shape", None)
            if shape is not None and shape[0] != "table":
                return None  # a whole block or list, not one argument
            return Argument(steps, convert)
        shape = getattr(convert, "shape", None)
        if shape is None:
            return None
        kind, inner = shape
        if kind == "first":
            steps, convert = (*steps, 0), inner
        elif kind == "each" and type(rest[0]) is int:
            steps, convert, rest = (*steps, rest[0]), inner, rest[1:]
        elif kind == "fields":
            return _through(inner, rest, steps)
        else:
            return None
    return None


def terraform_value(convert: Converter | None, wanted: Any) -> Any:
    """The Terraform literal that ``convert`` turns into ``wanted``, or ``NO_VALUE``."""
    if convert is None:
        return wanted
    for candidate in _candidates(convert, wanted):
        try:
            got = convert(candidate, ())
        except Exception:  # a converter given a value of another type
            continue
        if isinstance(got, Mapped):
            got = got.value
        if type(got) is type(wanted) and got == wanted:
            return candidate
    return NO_VALUE


def _candidates(convert: Converter, wanted: Any) -> list[Any]:
    shape = getattr(convert, "shape", None)
    if shape is not None and shape[0] == "table":
        return [k for k, v in shape[1].items() if v == wanted] + [wanted]
    out: list[Any] = [True, False]  # converters pass values they do not know through:
    if isinstance(wanted, str):  # a value of another type that converts comes first
        out.extend((wanted.lower(), _CAMEL.sub("-", wanted).lower()))
    return [*out, wanted]


# -- coverage ---------------------------------------------------------------------------------


def covers(cfn_type: str, path: tuple[str, ...]) -> bool | None:
    """Whether Terraform gives the property ``path`` (keys below ``Properties``, list
    indexes left out) of some resource judged as ``cfn_type``: a mapped property, a key
    inside one, or an object that holds one. None when no Terraform type is judged as
    ``cfn_type``. A value a converter builds whole (rules, attributes, a JSON document)
    gives every key below it."""
    from scanner.loaders.terraform.resource_types import FOLDS, TYPES

    kinds = {name for name, mapping in TYPES.items() if mapping.cfn == cfn_type}
    if not kinds:
        return None
    tables: list[dict[str, Prop | str]] = [TYPES[k].props for k in kinds]
    for fold in FOLDS.values():
        if fold.into in kinds:
            tables.append(fold.props)
            if fold.entry is not None:
                tables.append({f"{fold.entry.list}.{n}": p for n, p in fold.entry_props.items()})
    return any(_in_table(table, path, 0) for table in tables)


def _in_table(table: Any, path: tuple[str, ...], depth: int) -> bool:
    for name, spec in table.items():
        parts = tuple(name.split("."))
        if parts[: len(path)] == path:
            return True  # the object that holds a mapped property
        if path[: len(parts)] == parts:
            prop = Prop(spec) if isinstance(spec, str) else spec
            if _in_value(prop.convert, path[len(parts) :], depth):
                return True
    return False


def _in_value(convert: Converter | None, rest: tuple[str, ...], depth: int) -> bool:
    shape = getattr(convert, "shape", None)
    if not rest or shape is None or depth > 32:
        return True  # the value itself, a raw value or one a converter builds whole
    kind, inner = shape
    if kind in ("first", "each"):
        return _in_value(inner, rest, depth + 1)
    if kind == "fields":
        return _in_table(inner, rest, depth + 1)
    return False  # a value looked up in a table has no keys
