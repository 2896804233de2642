"""Terraform source files (``.tf`` HCL, ``.tf.json``) as bodies of attributes and blocks.

An attribute keeps its expression unevaluated (a Lark tree of python-hcl2's grammar, or a
JSON value) and where its name and value are written; a block keeps its type, labels and
body. Positions come from the parse tree (python-hcl2 parses with Lark's
``propagate_positions``), 1-based, converted here once.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from scanner.errors import InputError
from scanner.loaders.json_source import read_json
from scanner.loaders.source import JSON_SYNTAX, Limits, PositionIndex, source_line
from scanner.model import Location, Path, Span

HCL_SYNTAX = "I017"
# How many labels each top-level block type takes (a .tf.json file nests them as keys).
LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


@dataclass(frozen=True, slots=True)
class JsonExpr:
    """A value of a ``.tf.json`` file: strings in it are templates."""

    value: Any
    path: Path  # where it sits in the file (positions of nested values)


Expr = Tree | JsonExpr


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    key: Location
    value: Location


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    header: Location  # the type and labels
    whole: Location


@dataclass(frozen=True, slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str
    text: str
    body: Body
    json_positions: PositionIndex | None = None  # a .tf.json file: positions of its values


@functools.lru_cache(maxsize=512)
def parse_file(path: str, text: str) -> SourceFile:
    """Parse one file; raises ``InputError`` located at the syntax error.

    Parses are kept by path and text: a module called from many root modules (or a
    directory read again) is parsed once per process. Nothing changes a parsed file."""
    if path.endswith(".json"):
        return _parse_json(path, text)
    from hcl2.api import parses_to_tree

    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as exc:
        line, column = max(exc.line, 1), max(exc.column, 1)
        loc = Location(path, line, column, line, column + 1)
        message = f"HCL syntax error: {_describe(exc)}"
        raise InputError(
            message, code=HCL_SYNTAX, location=loc, source_line=source_line(text, line)
        ) from exc
    except LarkError as exc:
        raise InputError(f"HCL syntax error: {exc}", code=HCL_SYNTAX) from exc
    return SourceFile(path, text, _body(path, tree.children[0]))


def parse_expression(text: str) -> Tree:
    """One expression written as text (an interpolation in a heredoc or a JSON string)."""
    from hcl2.api import parses_to_tree

    tree = parses_to_tree(f"x = {text}\n")
    attribute = next(c for c in tree.children[0].children if _is(c, "attribute"))
    return attribute.children[-1]


def _describe(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    if token is not None and str(token).strip():
        return f"unexpected {str(token).strip()[:40]!r}"
    return "unexpected input"


def _is(node: Any, name: str) -> bool:
    return isinstance(node, Tree) and node.data == name


def _loc(path: str, node: Tree | Token) -> Location:
    if isinstance(node, Token):
        line, col = node.line or 1, node.column or 1
        return Location(path, line, col, node.end_line or line, node.end_column or col)
    meta = node.meta
    return Location(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _body(path: str, body: Tree) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in body.children:
        if _is(child, "attribute"):
            name_node, expr = child.children[0], child.children[-1]
            attributes[name_text(name_node)] = Attribute(
                name_text(name_node), expr, _loc(path, name_node), _loc(path, expr)
            )
        elif _is(child, "block"):
            blocks.append(_block(path, child))
    return Body(attributes, tuple(blocks))


def _block(path: str, node: Tree) -> Block:
    parts = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
    body = parts[-1]
    names = [name_text(p) for p in parts[:-1]]
    head = _loc(path, parts[0])
    last = _loc(path, parts[-2]) if len(parts) > 1 else head
    header = Location(path, head.line, head.column, last.end_line, last.end_column)
    return Block(names[0], tuple(names[1:]), _body(path, body), header, _loc(path, node))


def name_text(node: Any) -> str:
    """The text of an identifier, keyword, literal or plain quoted string."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(
            str(p.children[0]) for p in node.children if _is(p, "string_part") and p.children
        )
    return "".join(name_text(c) for c in node.children)


# --- .tf.json ---------------------------------------------------------------------------


def _parse_json(path: str, text: str) -> SourceFile:
    try:
        parsed = read_json(path, text, Limits())
    except InputError:
        raise
    except (ValueError, json.JSONDecodeError) as exc:  # pragma: no cover - read_json wraps
        raise InputError(str(exc), code=JSON_SYNTAX) from exc
    positions = parsed.positions
    root = parsed.value
    if type(root) is not dict:
        raise InputError("a .tf.json file holds a JSON object", code=HCL_SYNTAX)
    return SourceFile(path, text, _json_body(path, root, (), positions, 0), positions)


def _json_loc(path: str, positions: PositionIndex, where: Path) -> tuple[Location, Location]:
    span = positions.get(where)
    if span is None:
        here = Location(path, 1, 1, 1, 1)
        return here, here
    return span.key or span.value, span.value


def _json_body(
    path: str, obj: dict[str, Any], at: Path, positions: PositionIndex, depth: int
) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for key, value in obj.items():
        where = (*at, key)
        labels = LABELS.get(key) if depth == 0 else None
        if depth == 0 and key == "locals" and type(value) is dict:
            blocks.append(_json_block(path, "locals", (), value, where, positions))
        elif labels is not None and type(value) is dict:
            blocks.extend(_json_labelled(path, key, value, where, positions, labels))
        else:
            key_loc, value_loc = _json_loc(path, positions, where)
            attributes[key] = Attribute(key, JsonExpr(value, where), key_loc, value_loc)
    return Body(attributes, tuple(blocks))


def _json_labelled(
    path: str, kind: str, value: dict[str, Any], at: Path, positions: PositionIndex, labels: int
) -> list[Block]:
    out: list[Block] = []
    for label, inner in value.items():
        where = (*at, label)
        if labels == 2 and type(inner) is dict:
            for name, body in inner.items():
                if type(body) is dict:
                    out.append(
                        _json_block(path, kind, (label, name), body, (*where, name), positions)
                    )
        elif labels == 1 and type(inner) is dict:
            out.append(_json_block(path, kind, (label,), inner, where, positions))
    return out


def _json_block(
    path: str,
    kind: str,
    labels: tuple[str, ...],
    body: dict[str, Any],
    at: Path,
    positions: PositionIndex,
) -> Block:
    header, whole = _json_loc(path, positions, at)
    inner = _json_body(path, body, at, positions, 1)
    return Block(kind, labels, inner, header, whole)


def json_positions(
    source: SourceFile, json_path: Path, at: Path, positions: dict[Path, Span]
) -> None:
    """The positions of the values inside a ``.tf.json`` attribute, under ``at``."""
    index = source.json_positions
    assert index is not None
    depth = len(json_path)
    for path in _json_groups(index, depth).get(json_path, ()):
        positions[at + path[depth:]] = index[path]


_GROUPS: dict[tuple[int, int], tuple[PositionIndex, dict[Path, list[Path]]]] = {}


def _json_groups(index: PositionIndex, depth: int) -> dict[Path, list[Path]]:
    """The paths of ``index`` longer than ``depth``, grouped by their first ``depth``
    keys: one pass over a file's positions, not one per attribute."""
    key = (id(index), depth)
    cached = _GROUPS.get(key)
    if cached is not None and cached[0] is index:
        return cached[1]
    groups: dict[Path, list[Path]] = {}
    for path in index:
        if len(path) > depth:
            groups.setdefault(path[:depth], []).append(path)
    if len(_GROUPS) > 64:
        _GROUPS.clear()
    _GROUPS[key] = (index, groups)
    return groups
