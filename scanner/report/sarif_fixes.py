"""SARIF ``fixes`` for findings whose policy knows the fix.

A fix is offered only when every edit the policy asks for is a ``set`` of a value that is
written in the file as a plain scalar: the replacement is then exactly that scalar's
region. A ``set`` of a missing property, a ``remove`` or an ``append`` needs new lines
with the file's own indentation, which ``pacscan fix`` does; those findings get no SARIF
fix. So does a value the loader resolved from elsewhere (``!Ref`` to a parameter, a value
chosen by ``Fn::If``): the text at that position is not the value being replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sarif_om as om
import yaml

from scanner.model import Document, Finding, FixOp, Location, Path, Resource, is_unknown
from scanner.report.locations import dotted

_SCALARS = (str, int, float, bool, type(None))
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def sarif_fixes(finding: Finding, uri: str, uri_base_id: str) -> list[om.Fix]:
    """One fix with a replacement per ``set``, or none when any edit cannot be expressed."""
    ops = finding.fix or finding.policy.fixes
    if not ops:
        return []
    replacements = []
    for op in ops:
        replacement = _replacement(finding.resource, op)
        if replacement is None:
            return []
        replacements.append(replacement)
    replacements.sort(key=lambda r: (r.deleted_region.start_line, r.deleted_region.start_column))
    change = om.ArtifactChange(
        artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=uri_base_id),
        replacements=replacements,
    )
    description = " ".join(_describe(op) for op in ops)
    return [om.Fix(description=om.Message(text=description), artifact_changes=[change])]


def _describe(op: FixOp) -> str:
    return f"Set {dotted(op.path)} to {_inserted_text(op.value)}."


def _replacement(resource: Resource, op: FixOp) -> om.Replacement | None:
    if op.kind != "set" or _moved(resource, op.path):
        return None
    document = resource.document
    if document is None or document.text is None:
        return None
    span = document.positions.get(resource.path + op.path)
    current = _value_at(resource.body, op.path)
    if span is None or current is _MISSING or not isinstance(current, _SCALARS):
        return None
    region = span.value
    if region.end_line is None or region.end_column is None:
        return None
    if not _written_as(document, region, current):
        return None
    inserted = _inserted_text(op.value)
    if inserted is None:
        return None
    return om.Replacement(
        deleted_region=om.Region(
            start_line=region.line,
            start_column=region.column,
            end_line=region.end_line,
            end_column=region.end_column,
        ),
        inserted_content=om.ArtifactContent(text=inserted),
    )


def _moved(resource: Resource, path: Path) -> bool:
    """True when resolution took the value at ``path`` from somewhere else."""
    path_map: Mapping[Path, Path] = resource.metadata.get("path_map") or {}
    return any(path[:end] in path_map for end in range(len(path), 0, -1))


_MISSING = object()


def _value_at(body: Any, path: Path) -> Any:
    node = body
    for key in path:
        if isinstance(key, int) and isinstance(node, list) and -len(node) <= key < len(node):
            node = node[key]
        elif isinstance(key, str) and isinstance(node, Mapping) and key in node:
            node = node[key]
        else:
            return _MISSING
    return node


def _written_as(document: Document, region: Location, value: Any) -> bool:
    """Whether the source text of ``region`` reads back as exactly ``value``."""
    text = region_text(document, region)
    if text is None:
        return False
    try:
        parsed = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:  # a tag such as !Ref, or a fragment that is not a value
        return False
    return type(parsed) is type(value) and parsed == value


def region_text(document: Document, region: Location) -> str | None:
    """The text between a region's start and its (exclusive) end column."""
    if region.end_line is None or region.end_column is None:
        return None
    lines = [document.source_line(n) for n in range(region.line, region.end_line + 1)]
    if not lines or any(line is None for line in lines):
        return None
    text = "\n".join(line or "" for line in lines)
    end = len(text) - len(lines[-1] or "") + region.end_column - 1
    return text[region.column - 1 : end]


def _inserted_text(value: Any) -> str | None:
    """The new value as JSON text, which reads the same in YAML and JSON files."""
    if is_unknown(value):
        return None
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
