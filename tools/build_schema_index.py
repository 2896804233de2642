"""Build scanner/data/resource_schema.json.gz: resource types and their property paths.

The CloudFormation resource provider schemas that AWS publishes are read out of the
cfn-lint wheel (it carries a copy): the us-east-1 provider list plus cfn-lint's schemas
for the SAM ``AWS::Serverless::*`` types. Each type becomes a tree of property names:
``{"VersioningConfiguration": {"Status": 0}, "Tags": {"Key": 0, "Value": 0}, ...}``.

- ``$ref`` to ``#/definitions/...`` is resolved; a definition that refers to itself (or
  nesting deeper than ``MAX_DEPTH``) stops there.
- Lists are transparent: the node of a list is the node of its items, so ``Rules[*].Port``
  and ``Rules[0].Port`` both look up ``Port`` in the item's properties.
- ``0`` means "not checked below here": a scalar, a free-form object (``PolicyDocument``,
  a map with ``patternProperties``), or a ``oneOf``/``anyOf`` with such a branch.

Properties the live collectors fill beyond the CloudFormation schema (the "properties
filled" column of the resource type tables in docs/aws.md, including the live-only
``Pacscan::`` types) are merged in, so that policies over live snapshots are not flagged.

The index stores each type's tree as a JSON string, so loading it parses one small
document per type a policy names instead of all of them.

Usage: python tools/build_schema_index.py [--wheel PATH]
(without --wheel it runs `pip download cfn-lint==VERSION --no-deps` into a temporary
directory)
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

CFN_LINT_VERSION = "1.58.0"
SCHEMAS = "cfnlint/data/schemas/"
PROVIDER_LISTS = ("providers/us-east-1.json", "providers/sam.json")
MAX_DEPTH = 12
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "scanner" / "data" / "resource_schema.json.gz"
AWS_DOC = ROOT / "docs" / "aws.md"

Tree = dict[str, Any] | int  # 0: not checked below here
OPEN = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help=f"a downloaded cfn_lint-{CFN_LINT_VERSION} wheel")
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)
    if args.wheel:
        index = build(Path(args.wheel))
    else:
        with tempfile.TemporaryDirectory() as directory:
            index = build(download(Path(directory)))
    data = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
    Path(args.output).write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"{len(index['types'])} types, {len(data)} bytes, written to {args.output}")
    return 0


def download(directory: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"cfn-lint=={CFN_LINT_VERSION}"]
        + ["--no-deps", "--only-binary", ":all:", "-d", str(directory)],
        check=True,
    )
    return next(directory.glob("cfn_lint-*.whl"))


def build(wheel: Path) -> dict[str, Any]:
    version = re.match(r"cfn_lint-([^-]+)-", wheel.name)
    with zipfile.ZipFile(wheel) as archive:
        types: dict[str, Tree] = {}
        for listing in PROVIDER_LISTS:
            for name, digest in json.loads(archive.read(SCHEMAS + listing)).items():
                schema = json.loads(archive.read(f"{SCHEMAS}resources/{digest}.json"))
                types[name] = properties_tree(schema)
    for name, extra in live_properties(AWS_DOC.read_text("utf-8")).items():
        types[name] = merge_extra(types.get(name, {}), extra)
    return {
        "source": {
            "schemas": f"cfn-lint {version.group(1) if version else '?'} "
            f"(cfnlint/data/schemas: {', '.join(PROVIDER_LISTS)})",
            "extras": "docs/aws.md (properties the live collectors fill)",
            "script": "tools/build_schema_index.py",
        },
        "types": {
            name: json.dumps(tree, sort_keys=True, separators=(",", ":"))
            for name, tree in sorted(types.items())
        },
    }


# ---------------------------------------------------------------- schemas


def properties_tree(schema: dict[str, Any]) -> Tree:
    top = {"type": "object", "properties": schema.get("properties", {})}
    tree = _node(top, schema, frozenset(), 0)
    return tree if isinstance(tree, dict) else {}


def _resolve(
    schema: dict[str, Any], root: dict[str, Any], seen: frozenset[str]
) -> tuple[dict[str, Any] | None, frozenset[str]]:
    while isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return None, seen
        seen = seen | {ref}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema, seen


def _node(schema: Any, root: dict[str, Any], seen: frozenset[str], depth: int) -> Tree:
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return OPEN
    resolved, seen = _resolve(schema, root, seen)
    if resolved is None:
        return OPEN
    if isinstance(resolved.get("items"), dict):
        return _node(resolved["items"], root, seen, depth)
    found: list[dict[str, Any]] = []
    if isinstance(resolved.get("properties"), dict):
        extra = resolved.get("additionalProperties")
        if resolved.get("patternProperties") or extra not in (None, False):
            return OPEN
        found.append(
            {k: _node(v, root, seen, depth + 1) for k, v in resolved["properties"].items()}
        )
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in resolved.get(key) or ():
            tree = _node(branch, root, seen, depth)
            if isinstance(tree, dict):
                found.append(tree)
            elif _is_open_object(branch, root, seen):
                return OPEN
    if not found:
        return OPEN
    merged: Tree = found[0]
    for tree in found[1:]:
        merged = merge(merged, tree)
    return merged


def _is_open_object(branch: Any, root: dict[str, Any], seen: frozenset[str]) -> bool:
    """A branch that accepts an object whose keys the schema does not list."""
    if not isinstance(branch, dict):
        return False
    resolved, _ = _resolve(branch, root, seen)
    if resolved is None:
        return True
    kind = resolved.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds:
        return True
    scalar = {"string", "integer", "number", "boolean", "array", "null"}
    return (
        kind is None
        and not any(k in resolved for k in ("enum", "const", "pattern"))
        and not (set(kinds) & scalar)
    )


def merge(a: Tree, b: Tree) -> Tree:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return OPEN
    out = dict(a)
    for key, value in b.items():
        out[key] = merge(out[key], value) if key in out else value
    return out


def merge_extra(schema: Tree, extra: Tree) -> Tree:
    """``schema`` plus what the collectors add; an open node stays open."""
    if not isinstance(schema, dict) or not isinstance(extra, dict):
        return schema if isinstance(schema, dict) or not isinstance(extra, dict) else OPEN
    out = dict(schema)
    for key, value in extra.items():
        out[key] = merge_extra(out[key], value) if key in out else value
    return out


# ---------------------------------------------------------------- docs/aws.md

_ROW = re.compile(r"^\| `((?:AWS|Pacscan)::\w+::\w+)` \|(.*)\|\s*$")
_TOKEN = re.compile(r"`([^`]*)`|(\()|(\))")
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def live_properties(doc: str) -> dict[str, Tree]:
    """Type -> properties named in the "properties filled" / "properties" column."""
    found: dict[str, Tree] = {}
    for line in doc.splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split(" | ")]
        column = cells[2] if match.group(1).startswith("Pacscan::") else cells[1]
        tree = _parse_names(column)
        found[match.group(1)] = merge_extra(found.get(match.group(1), {}), tree)
    return found


def _parse_names(text: str) -> dict[str, Tree]:
    """Backticked names. ``X (`a`, `b`)`` and ``X `a`/`b``` make a and b children of X."""
    top: dict[str, Tree] = {}
    stack: list[tuple[dict[str, Tree], list[str] | None]] = [(top, None)]
    last: list[str] | None = None
    run: tuple[dict[str, Tree], list[str]] | None = None  # `X` `a`/`b`: X's children
    end = 0
    for match in _TOKEN.finditer(text):
        quoted, open_paren, close_paren = match.groups()
        gap, end = text[end : match.start()].strip(), match.end()
        if open_paren:
            # `X` (`a`, `b`) lists children; `X` (some words, `y`) is a remark
            lists = text[match.end() :].lstrip().startswith("`")
            level = stack[-1][0]
            inner = _ensure(level, last) if last and lists else {}  # a remark: ignored
            stack.append((inner, last if lists else None))
            last = run = None
        elif close_paren:
            if len(stack) > 1:
                children, owner = stack.pop()
                if owner and not children:  # no child names after all
                    _set(stack[-1][0], owner, OPEN)
            last = run = None
        elif run is not None and gap == "/":
            _add(_ensure(*run), quoted or "")
        elif last is not None and gap == "" and _NAME.match((quoted or "").split(".")[0]):
            run = (stack[-1][0], last)
            _add(_ensure(*run), quoted or "")
        else:
            last, run = _add(stack[-1][0], quoted or ""), None
    return top


def _set(level: dict[str, Tree], path: list[str], value: Tree) -> None:
    _ensure(level, path[:-1])[path[-1]] = value


def _add(level: dict[str, Tree], token: str) -> list[str] | None:
    """Add ``Name``, ``Name[]``, ``A.B`` or ``A.{B, C}``; the path of the last name added."""
    token = token.replace("[]", "")
    head, _, rest = token.partition(".{")
    parts = head.split(".")
    if not all(_NAME.match(p) for p in parts):
        return None
    node = level
    for part in parts[:-1]:
        node = _ensure(node, [part])
    node.setdefault(parts[-1], OPEN)
    if rest:
        inner = _ensure(node, [parts[-1]])
        for name in rest.rstrip("}").split(","):
            if _NAME.match(name.strip()):
                inner.setdefault(name.strip(), OPEN)
    return parts


def _ensure(level: dict[str, Tree], path: list[str]) -> dict[str, Tree]:
    node = level
    for part in path:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    return node


if __name__ == "__main__":
    raise SystemExit(main())
