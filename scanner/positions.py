"""Positions of the nodes of a YAML (or JSON) document, from PyYAML's composed node tree.

PyYAML marks are 0-based; the ``Span`` values here are 1-based with an exclusive end
column, like every ``Location`` in pacscan.
"""

from __future__ import annotations

from typing import Any

import yaml

from scanner.model import Location, Path, Span

Loader = type[yaml.SafeLoader]


def compose(text: str, loader_class: Loader = yaml.SafeLoader) -> yaml.Node | None:
    """The node tree of a single-document YAML text (None when empty).

    Raises ``yaml.YAMLError`` for text that is not YAML. Tags are kept, not resolved, so
    CloudFormation short forms (``!Ref``) compose fine.
    """
    loader = loader_class(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def construct(node: yaml.Node, loader_class: Loader = yaml.SafeLoader) -> Any:
    """Plain Python data (PyYAML's safe types) for a composed node."""
    loader = loader_class("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def node_positions(root: yaml.Node, file: str) -> dict[Path, Span]:
    """Path (keys and indexes from the root) -> span of its key and value, for every node."""
    positions: dict[Path, Span] = {}
    stack: list[tuple[yaml.Node, Path, yaml.Node | None]] = [(root, (), None)]
    while stack:
        node, path, key = stack.pop()
        positions[path] = Span(
            key=mark_location(key, file) if key is not None else None,
            value=mark_location(node, file),
        )
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append((value_node, (*path, key_node.value), key_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*path, index), None))
    return positions


def mark_location(node: yaml.Node, file: str) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def dotted(path: Path) -> str:
    """``Properties.Rules[0].Status`` from a path tuple."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
