"""Exact text edits in a Terraform ``.tf`` file: a literal replaced, an argument inserted.

Edits are made at the positions python-hcl2's parse tree records (``scanner.loaders
.terraform.hcl``), so the rest of the file keeps its bytes: comments, blank lines, the
order of arguments. A value is replaced only where it is written as a literal (a
string without interpolation, a number, ``true``, ``false``, ``null``); a value an
expression computes is refused with the names it reads (``var.x``, ``local.y``,
``each.value``). A missing argument goes after the block's last argument, at its
indentation, its ``=`` lined up with that argument's where ``terraform fmt`` aligned
them; a missing nested block is written after the block's last member.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from scanner.fix.edits import Edit, Text
from scanner.fix.text_ops import CannotEdit

if TYPE_CHECKING:  # the HCL parser is loaded only when a Terraform file is
    from scanner.loaders.terraform.hcl import Attribute, Block, Body

Steps = tuple[str | int, ...]
_LITERALS = frozenset(("literal_value", "int_lit", "float_lit"))
_NAMED = {
    "var": "variable",
    "local": "local value",
    "module": "module output",
    "data": "data source",
}


@dataclass(frozen=True, slots=True)
class Change:
    """Set the argument at ``steps`` (inside a resource block) to ``value``."""

    steps: Steps
    value: Any


def resource_block(body: Body, kind: str, name: str) -> Block | None:
    return next((b for b in body.blocks if b.type == "resource" and b.labels == (kind, name)), None)


def block_edits(text: Text, block: Block, changes: Sequence[Change]) -> list[Edit]:
    """The edits that make every change of ``changes`` inside ``block``; raises
    ``CannotEdit`` with the reason one cannot be made. Arguments missing from one block
    are written together, nested blocks merged."""
    edits: list[Edit] = []
    missing: dict[int, tuple[Block, dict[str, Any]]] = {}
    for change in changes:
        found = _walk(block, change.steps)
        if not isinstance(found, tuple):
            _literal(text.text, found)
            new = hcl_value(change.value)
            edits.append(Edit(text.start(found.value), text.end(found.value), new))
            continue
        container, rest = found
        tree = missing.setdefault(id(container), (container, {}))[1]
        for step in rest[:-1]:
            tree = tree.setdefault(step, {})
            if type(tree) is not dict:
                raise CannotEdit(f"`{step}` is set twice")
        tree[rest[-1]] = change.value
    for container, tree in missing.values():
        edits.extend(_insert(text, container, tree))
    return edits


def _walk(block: Block, steps: Steps) -> Attribute | tuple[Block, list[str]]:
    """The attribute at ``steps``, or the deepest block that exists and the names of what
    is missing below it."""
    here = block
    index = 0
    while index < len(steps):
        step = steps[index]
        if not isinstance(step, str):
            raise CannotEdit("a block index with no block before it")
        body = here.body
        last = index == len(steps) - 1
        if _dynamic(body, step):
            raise CannotEdit(f"`{step}` is written by a dynamic block; it is left to the author")
        attribute = body.attributes.get(step)
        if last:
            if attribute is not None:
                return attribute
            if any(b.type == step for b in body.blocks):
                raise CannotEdit(f"`{step}` is written as a block, not an argument")
            return here, [step]
        if attribute is not None:
            raise CannotEdit(f"`{step}` is written as an expression, not a block")
        position = steps[index + 1]
        wanted = position if type(position) is int else 0
        index += 2 if type(position) is int else 1
        nested = [b for b in body.blocks if b.type == step]
        if wanted < len(nested):
            here = nested[wanted]
            continue
        if wanted or nested:
            raise CannotEdit(f"there is no `{step}` block number {wanted + 1}")
        tail = steps[index:]
        if any(type(s) is int and s != 0 for s in tail):
            raise CannotEdit(f"there is no `{step}` block to write into")
        return here, [step, *(s for s in tail if isinstance(s, str))]
    raise CannotEdit("no argument named")


def _dynamic(body: Body, name: str) -> bool:
    return any(b.type == "dynamic" and b.labels[:1] == (name,) for b in body.blocks)


# -- literals -------------------------------------------------------------------------------


def _literal(source: str, attribute: Attribute) -> None:
    """Nothing when the attribute's value is a literal; else ``CannotEdit`` saying what
    computes it."""
    expr = attribute.expr
    if not isinstance(expr, Tree):
        raise CannotEdit("the value is in a .tf.json file, which is not edited")
    written = _text_of(source, expr)
    if _is_literal(expr):
        return
    root = _root(expr)
    if root in ("each", "count"):
        raise CannotEdit(
            f"the value differs by instance (`{written}`); changing it would change every "
            "instance, so it is left to the author"
        )
    if root == "var":
        name = _traversal(source, expr)
        raise CannotEdit(
            f"the value comes from variable {name.split('.')[1]} (`{written}`); changing its "
            "default or its value changes every use, so it is left to the author"
        )
    if root in _NAMED:
        raise CannotEdit(
            f"the value comes from {_NAMED[root]} `{_traversal(source, expr)}`, not a literal; "
            "it is left to the author"
        )
    raise CannotEdit(f"the value is computed by the expression `{written}`, not a literal")


def _is_literal(expr: Tree) -> bool:
    node: Any = expr
    if node.data == "unary_op" and len(node.children) == 2:
        node = node.children[1]
    if node.data != "expr_term" or len(node.children) != 1:
        return False
    inner = node.children[0]
    if isinstance(inner, Token):
        return False
    if inner.data in _LITERALS:
        return True
    if inner.data == "string":
        return all(
            isinstance(part, Token)
            or (part.data == "string_part" and all(isinstance(c, Token) for c in part.children))
            for part in inner.children
        )
    return False


def _traversals(expr: Tree) -> list[Tree]:
    """The ``a.b.c`` traversals in ``expr``, outermost first (an explicit stack)."""
    found: list[Tree] = []
    stack: list[Any] = [expr]
    while stack and len(found) < 64:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data == "get_attr_expr_term":
            found.append(node)
            continue
        stack.extend(reversed(node.children))
    return found


def _root(expr: Tree) -> str | None:
    """The name the first traversal in ``expr`` starts from (``var`` in ``var.x.y``)."""
    for traversal in _traversals(expr):
        node: Any = traversal
        for _ in range(64):
            if not isinstance(node, Tree) or not node.children:
                break
            if node.data == "identifier":
                return str(node.children[0])
            node = node.children[0]
    return None


def _traversal(source: str, expr: Tree) -> str:
    """The text of the first traversal in ``expr``, to its second name (``var.x``)."""
    found = _traversals(expr)
    text = _text_of(source, found[0]) if found else _text_of(source, expr)
    return ".".join(text.split(".")[:2]).split("[")[0]


def _text_of(source: str, node: Tree) -> str:
    meta = node.meta
    return " ".join(source[meta.start_pos : meta.end_pos].split())[:80]


# -- insertion ------------------------------------------------------------------------------


def _insert(text: Text, block: Block, tree: dict[str, Any]) -> list[Edit]:
    """``tree`` (arguments, and nested blocks as dicts) written into ``block``: arguments
    after its last argument, blocks after its last member."""
    open_at, close_at = _braces(text, block)
    body = block.body
    newline = text.newline
    attributes = list(body.attributes.values())
    members = [*(a.key for a in attributes), *(b.header for b in body.blocks)]
    if text.line_start(open_at) == text.line_start(close_at):
        if members:
            raise CannotEdit(f"the `{block.type}` block is written on one line")
        outer = text.indent_of(open_at)
        whole = newline.join(_lines(tree, outer + "  ", None))
        return [Edit(open_at + 1, close_at, newline + whole + newline + outer)]
    if members:
        first = min(members, key=lambda loc: (loc.line, loc.column))
        indent = " " * (first.column - 1)
    else:
        indent = text.indent_of(open_at) + "  "
    flat = {k: v for k, v in tree.items() if type(v) is not dict}
    nested = {k: v for k, v in tree.items() if type(v) is dict}
    edits: list[Edit] = []
    if flat:
        at, equals = text.line_end(open_at), None
        if attributes:
            last = max(attributes, key=lambda a: (a.value.end_line or 0, a.value.end_column or 0))
            at, equals = text.line_end(text.end(last.value)), _equals_column(text, last)
        edits.append(Edit(at, at, newline + newline.join(_lines(flat, indent, equals))))
    if nested:
        ends = [text.end(a.value) for a in attributes] + [text.end(b.whole) for b in body.blocks]
        at = text.line_end(max(ends)) if ends else text.line_end(open_at)
        lines: list[str] = []
        for name, value in nested.items():
            if ends or lines:
                lines.append("")
            lines.extend(_lines({name: value}, indent, None))
        edits.append(Edit(at, at, newline + newline.join(lines)))
    return edits


def _lines(tree: dict[str, Any], indent: str, equals: int | None) -> list[str]:
    out: list[str] = []
    for name, value in tree.items():
        if type(value) is dict:
            out.append(f"{indent}{name} {{")
            out.extend(_lines(value, indent + "  ", None))
            out.append(f"{indent}}}")
            continue
        pad = max(1, equals - len(indent) - len(name)) if equals is not None else 1
        out.append(f"{indent}{name}{' ' * pad}= {hcl_value(value)}")
    return out


def _equals_column(text: Text, attribute: Attribute) -> int | None:
    """The 0-based column of the ``=`` after ``attribute``'s name, when on its line."""
    key_end, value_start = text.end(attribute.key), text.start(attribute.value)
    between = text.text[key_end:value_start]
    if "\n" in between or "\r" in between or "=" not in between:
        return None
    return key_end + between.index("=") - text.line_start(key_end)


def _braces(text: Text, block: Block) -> tuple[int, int]:
    """The offsets of the ``{`` and the ``}`` of ``block``."""
    start, end = text.end(block.header), text.end(block.whole)
    open_at = text.text.find("{", start, end)
    close_at = text.text.rfind("}", start, end)
    if open_at < 0 or close_at <= open_at:
        raise CannotEdit(f"the `{block.type}` block's braces are not where the parser put them")
    return open_at, close_at


def hcl_value(value: Any) -> str:
    """A scalar as an HCL literal (``${`` and ``%{`` escaped in strings)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text.replace("${", "$${").replace("%{", "%%{")
    raise CannotEdit("only a string, number, bool or null is written into a .tf file")
