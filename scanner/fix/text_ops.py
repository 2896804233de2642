"""One edit request (set, remove, append at a document path) as exact text edits.

Every edit is made at the offsets the loader recorded for the nodes involved, so the rest
of the file keeps its bytes: comments, key order, quoting, tags, anchors and line endings.
YAML block mappings and sequences get new lines at their children's indentation; a YAML
flow mapping or sequence gets its new member in flow style; JSON keeps its indentation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.fix import value_text
from scanner.fix.edits import Edit, Text
from scanner.model import Path, Span, path_text

MISSING: Any = object()
LAYOUT_NODES = 10_000  # how many nodes to look at for the file's indentation


class CannotEdit(Exception):
    """The edit cannot be made as text; the message says why."""


@dataclass(frozen=True, slots=True)
class DocOp:
    """A fix clause's edit at a path from the document root."""

    kind: str  # set | remove | append
    path: Path
    value: Any = None
    guards: tuple[Path, ...] = ()  # values that chose the list element (``select``)


class Source:
    """A parsed file: its text, its values and where each node is."""

    def __init__(self, text: str, tree: Any, positions: Mapping[Path, Span], is_json: bool):
        self.text = Text(text)
        self.tree = tree
        self.positions = positions
        self.is_json = is_json
        self.unit = _indent_unit(text) if is_json else 2
        self._layout: value_text.Layout | None = None

    @property
    def layout(self) -> value_text.Layout:
        """The file's own block layout, from the first block mapping and sequence found."""
        if self._layout is None:
            self._layout = _layout(self)
        return self._layout

    def node(self, path: Path) -> Any:
        node = self.tree
        for key in path:
            if type(node) is dict and isinstance(key, str) and key in node:
                node = node[key]
            elif type(node) is list and isinstance(key, int) and 0 <= key < len(node):
                node = node[key]
            else:
                return MISSING
        return node

    def value_range(self, path: Path) -> tuple[int, int]:
        span = self.positions.get(path)
        if span is None:
            raise CannotEdit("no recorded position")
        return self.text.start(span.value), self.text.end(span.value)

    def key_start(self, path: Path) -> int:
        span = self.positions.get(path)
        if span is None:
            raise CannotEdit("no recorded position")
        return self.text.start(span.key or span.value)

    def flow(self, path: Path) -> bool:
        """Whether the container at ``path`` is written in brackets (always in JSON)."""
        start, _ = self.value_range(path)
        return self.text.text[start : start + 1] in ("{", "[")


def edits_for(source: Source, op: DocOp) -> list[Edit]:
    """The text edits that make ``op``; raises ``CannotEdit``."""
    if not source.is_json:
        _refuse_aliases(source, op.path)
    current = source.node(op.path)
    if op.kind == "set":
        if current is MISSING:
            return _insert_missing(source, op.path, op.value)
        return [_replace(source, op.path, op.value)]
    if op.kind == "remove":
        return [] if current is MISSING else _remove(source, op.path)
    if op.kind == "append":
        if current is MISSING:
            return _insert_missing(source, op.path, [op.value])
        if type(current) is not list:
            raise CannotEdit("the value to append to is not a list")
        if op.value in current:
            return []
        return [_append(source, op.path, op.value)]
    raise CannotEdit(f"unknown fix kind {op.kind!r}")


def _refuse_aliases(source: Source, path: Path) -> None:
    """An edit through a YAML alias would change its anchor, and every other alias of it."""
    for end in range(1, len(path) + 1):
        span = source.positions.get(path[:end])
        if span is None:
            return
        start = source.text.start(span.value)
        if source.text.text[start : start + 1] == "*":
            alias = source.text.text[start:].split(None, 1)[0]
            raise CannotEdit(f"the value is the YAML alias {alias}; its anchor is shared")


# -- set ------------------------------------------------------------------------------------


def _replace(source: Source, path: Path, value: Any) -> Edit:
    start, end = source.value_range(path)
    old = source.text.text[start:end]
    if source.is_json:
        base = source.text.indent_of(start)
        return Edit(
            start, end, value_text.json_value(value, source.unit, base, source.text.newline)
        )
    if old.startswith("*"):
        raise CannotEdit(f"the value is the YAML alias {old.split()[0]}; its anchor is shared")
    span = source.positions.get(path)
    text = source.text
    if span is not None and span.key is not None:
        key = text.start(span.key)
        if text.line_start(key) != text.line_start(start):  # a value on the lines below its key
            if old.startswith("&"):
                raise CannotEdit("the value below its key carries a YAML anchor")
            return _replace_below_key(source, key, end, value, old)
    prefix = ""
    if old.startswith("&"):  # keep the anchor: aliases elsewhere still name it
        name = old.split(None, 1)[0]
        prefix = old[: len(name)] + " "
        old = old[len(name) :].lstrip()
    return Edit(start, end, prefix + _yaml_value_text(value, old, start, source, path))


def _replace_below_key(source: Source, key: int, end: int, value: Any, old: str) -> Edit:
    """New lines for the value of the key at offset ``key``, kept after the key's line
    (and any comment on it)."""
    text, layout = source.text, source.layout
    column = key - text.line_start(key)
    if isinstance(value, (dict, list)) and value:
        new = value_text.yaml_block(value, column, layout)
    else:
        scalar = value_text.yaml_flow(value) if isinstance(value, (dict, list)) else None
        new = layout.newline + " " * (column + layout.step)
        new += scalar if scalar is not None else value_text.yaml_scalar(value, old)
    return Edit(text.line_end(key), end, new)


def _yaml_value_text(value: Any, old: str, start: int, source: Source, path: Path) -> str:
    if not isinstance(value, (dict, list)):
        return value_text.yaml_scalar(value, old)
    if not value or old[:1] in ("{", "[") or _same_line_as_key(source, path, start):
        return value_text.yaml_flow(value)
    column = start - source.text.line_start(start)  # a list item's block node: keep its column
    if isinstance(value, dict):
        return value_text.block_mapping(value, column, source.layout).lstrip(" ")
    return value_text.block_sequence(value, column, source.layout).lstrip(" ")


def _same_line_as_key(source: Source, path: Path, start: int) -> bool:
    span = source.positions.get(path)
    if span is None or span.key is None:
        return False
    return source.text.line_start(source.text.start(span.key)) == source.text.line_start(start)


def _insert_missing(source: Source, path: Path, value: Any) -> list[Edit]:
    depth = len(path) - 1
    while depth > 0 and source.node(path[:depth]) is MISSING:
        depth -= 1
    parent = path[:depth]
    node = source.node(parent)
    if type(node) is not dict:
        raise CannotEdit(f"{path_text(parent) or 'the document'} is not a mapping")
    key = path[depth]
    if not isinstance(key, str) or any(not isinstance(k, str) for k in path[depth:]):
        raise CannotEdit("a list index that does not exist")
    for name in reversed(path[depth + 1 :]):
        value = {name: value}
    return [_insert_member(source, parent, node, key, value)]


def _insert_member(
    source: Source, parent: Path, node: dict[str, Any], key: str, value: Any
) -> Edit:
    start, end = source.value_range(parent)
    text, newline = source.text, source.text.newline
    if source.is_json:
        return _json_insert(source, parent, list(node), f"{_json_key(key)}: ", value, start, end)
    if source.flow(parent):
        member = f"{value_text.yaml_key(key)}: {value_text.yaml_flow(value)}"
        if not node:
            return Edit(end - 1, end - 1, member)
        last = source.value_range(parent + (list(node)[-1],))[1]
        return Edit(last, last, ", " + member)
    if not node:
        raise CannotEdit(f"{path_text(parent)} is empty and not written as {{}}")
    first = source.key_start(parent + (next(iter(node)),))
    indent = first - text.line_start(first)
    block = value_text.yaml_block(value, indent, source.layout)
    line = f"{' ' * indent}{value_text.yaml_key(key)}:{block}"
    at = text.line_end(end)
    return Edit(at, at, newline + line)


def _json_insert(
    source: Source, parent: Path, keys: list[Any], lead: str, value: Any, start: int, end: int
) -> Edit:
    """A new member (``lead`` + value) at the end of the JSON object or array at ``parent``."""
    text, newline, unit = source.text, source.text.newline, source.unit
    if not keys:
        outer = text.indent_of(start)
        inner = outer + " " * unit
        member = lead + value_text.json_value(value, unit, inner, newline)
        return Edit(start + 1, end - 1, newline + inner + member + newline + outer)
    first = source.key_start(parent + (keys[0],))
    last = source.value_range(parent + (keys[-1],))[1]
    if text.line_start(first) == text.line_start(start):  # written on one line: stay on it
        return Edit(last, last, ", " + lead + json.dumps(value, ensure_ascii=False))
    inner = text.indent_of(first)
    member = lead + value_text.json_value(value, unit, inner, newline)
    return Edit(last, last, "," + newline + inner + member)


# -- append ---------------------------------------------------------------------------------


def _append(source: Source, path: Path, value: Any) -> Edit:
    start, end = source.value_range(path)
    items = list(range(len(source.node(path))))
    if source.is_json:
        return _json_insert(source, path, items, "", value, start, end)
    if source.flow(path):
        if not items:
            return Edit(end - 1, end - 1, value_text.yaml_flow(value))
        last = source.value_range(path + (items[-1],))[1]
        return Edit(last, last, ", " + value_text.yaml_flow(value))
    text = source.text
    first = source.value_range(path + (0,))[0]
    dash = text.text.rfind("-", text.line_start(first), first)
    if dash < 0:
        raise CannotEdit(f"{path_text(path)} is not a list written with dashes")
    column = dash - text.line_start(first)
    at = text.line_end(end)
    return Edit(at, at, text.newline + value_text.block_item(value, column, source.layout))


# -- remove ---------------------------------------------------------------------------------


def _remove(source: Source, path: Path) -> list[Edit]:
    parent, key = path[:-1], path[-1]
    container = source.node(parent)
    siblings = list(container) if type(container) is dict else list(range(len(container)))
    index = siblings.index(key)
    start, end = source.value_range(parent)
    if len(siblings) == 1:
        return [Edit(start, end, "{}" if type(container) is dict else "[]")]
    here = source.key_start(path)
    value_end = source.value_range(path)[1]
    if source.is_json or source.flow(parent):
        if index + 1 < len(siblings):
            return [Edit(here, source.key_start(parent + (siblings[index + 1],)), "")]
        previous_end = source.value_range(parent + (siblings[index - 1],))[1]
        return [Edit(previous_end, value_end, "")]
    text = source.text
    line = text.line_start(here)
    if type(container) is list:
        here = text.text.rfind("-", line, here)
    if text.text[line:here].strip(" "):
        if index + 1 >= len(siblings) or type(container) is list:
            raise CannotEdit(f"{path_text(path)} shares its line with other content")
        return [Edit(here, source.key_start(parent + (siblings[index + 1],)), "")]
    return [Edit(line, text.next_line(value_end), "")]


def _layout(source: Source) -> value_text.Layout:
    found: dict[str, int] = {}
    text = source.text
    for checked, (path, span) in enumerate(source.positions.items()):
        if len(found) == 2 or checked > LAYOUT_NODES:
            break
        if span.key is None or span.value.line == span.key.line:
            continue  # a flow or scalar value, or a node without a key
        node = source.node(path)
        kind = "step" if type(node) is dict else "dash" if type(node) is list else None
        if kind is None or kind in found or not node:
            continue
        start = text.start(span.value)
        found[kind] = (start - text.line_start(start)) - (span.key.column - 1)
    return value_text.Layout(
        text.newline, max(1, found.get("step", 2)), max(0, found.get("dash", 2))
    )


# -- text -----------------------------------------------------------------------------------


def _json_key(key: str) -> str:
    return value_text.json_value(key, 0, "", "")


def _indent_unit(text: str) -> int:
    """The smallest indentation step of a JSON text (2 when it is on one line)."""
    widths = {len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip()}
    steps = sorted(w for w in widths if w > 0)
    return steps[0] if steps else 2
