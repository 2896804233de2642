"""New values as text: YAML in block or flow style, or JSON, in the file's own layout."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:/@+=-]*\Z")


def _reads_back(text: str, value: Any) -> bool:
    try:
        parsed = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        return False
    return type(parsed) is type(value) and parsed == value


def yaml_key(key: str) -> str:
    if _PLAIN_KEY.match(key) and _reads_back(key, key):
        return key
    return json.dumps(key, ensure_ascii=False)


def yaml_scalar(value: Any, like: str = "") -> str:
    """A scalar in YAML, quoted the way ``like`` (the text it replaces) was quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if like.startswith("'") and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if not like.startswith('"') and _PLAIN_TEXT.match(text) and _reads_back(text, text):
        return text
    return json.dumps(text, ensure_ascii=False)


def yaml_flow(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{yaml_key(str(k))}: {yaml_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(item) for item in value) + "]"
    return yaml_scalar(value)


@dataclass(frozen=True, slots=True)
class Layout:
    """How a YAML file lays out block nodes, relative to the column of their key."""

    newline: str = "\n"
    step: int = 2  # a mapping's keys sit this many columns right of its own key
    dash: int = 2  # a sequence's dashes sit this many columns right of its key (often 0)


def yaml_block(value: Any, key_column: int, layout: Layout) -> str:
    """The text after ``key:`` for ``value``, the key being at ``key_column`` (0-based)."""
    if isinstance(value, dict) and value:
        return layout.newline + block_mapping(value, key_column + layout.step, layout)
    if isinstance(value, list) and value:
        return layout.newline + block_sequence(value, key_column + layout.dash, layout)
    return " " + yaml_flow(value)


def block_mapping(value: dict[Any, Any], column: int, layout: Layout, first: str = "") -> str:
    """Lines of a block mapping with its keys at ``column``; the first line starts with
    ``first`` (already indented, e.g. ``- ``) instead of the indentation."""
    lines = []
    for n, (key, item) in enumerate(value.items()):
        lead = first if n == 0 and first else " " * column
        lines.append(f"{lead}{yaml_key(str(key))}:{yaml_block(item, column, layout)}")
    return layout.newline.join(lines)


def block_sequence(value: list[Any], dash_column: int, layout: Layout) -> str:
    return layout.newline.join(block_item(item, dash_column, layout) for item in value)


def block_item(item: Any, dash_column: int, layout: Layout) -> str:
    """One ``- item`` line (or lines) with its dash at ``dash_column``."""
    dash = " " * dash_column + "- "
    if isinstance(item, dict) and item:
        return block_mapping(item, dash_column + 2, layout, first=dash)
    return dash + yaml_flow(item)


def json_value(value: Any, unit: int, base: str, newline: str) -> str:
    """``value`` as JSON indented by ``unit`` spaces, its lines after the first at ``base``."""
    if not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    text = json.dumps(value, indent=unit, ensure_ascii=False)
    return text.replace("\n", newline + base)
