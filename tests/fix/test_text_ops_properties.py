"""Property: any edit on any YAML or JSON layout gives a file that reads back as the
document with exactly that edit made, or a refusal (never another exception)."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.fix.apply import parse_source
from scanner.fix.edits import apply_edits
from scanner.fix.text_ops import MISSING, CannotEdit, DocOp, edits_for

KEYS = st.text("abcdefgh", min_size=1, max_size=3).map(lambda k: "K" + k)
SCALARS = st.one_of(
    st.integers(-5, 1000),
    st.booleans(),
    st.none(),
    st.text("ab :#'\"-yes", max_size=6),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, min_size=1, max_size=3)
    ),
    max_leaves=8,
)
DOCS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=4)


def _render(doc: dict[str, Any], style: int) -> tuple[str, str]:
    if style == 0:
        return "t.json", json.dumps(doc, indent=2) + "\n"
    if style == 1:
        return "t.json", json.dumps(doc, indent=4) + "\n"
    if style == 2:
        return "t.json", json.dumps(doc)
    flow = style == 3
    text = yaml.safe_dump(doc, default_flow_style=flow, sort_keys=False, width=1000)
    return "t.yaml", text.replace("\n", "\r\n") if style == 5 else text


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here] if here else []
    if isinstance(node, dict):
        for key, item in node.items():
            found += _paths(item, (*here, key))
    elif isinstance(node, list):
        for n, item in enumerate(node):
            found += _paths(item, (*here, n))
    return found


def _expected(doc: dict[str, Any], op: DocOp) -> Any:
    out = copy.deepcopy(doc)
    *parents, last = op.path
    node: Any = out
    for key in parents:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    if op.kind == "set":
        node[last] = op.value
    elif op.kind == "remove":
        del node[last]
    elif op.value not in node.setdefault(last, []):
        node[last].append(op.value)
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], int, DocOp]:
    doc = draw(DOCS)
    style = draw(st.integers(0, 5))
    paths = [p for p in _paths(doc) if isinstance(p[-1], str)]
    kind = draw(st.sampled_from(["set", "remove", "append"]))
    value = draw(VALUES)
    if kind == "set" and draw(st.booleans()):
        dicts = [()] + [p for p in _paths(doc) if isinstance(_at(doc, p), dict)]
        path = (*draw(st.sampled_from(dicts)), *draw(st.lists(KEYS, min_size=1, max_size=2)))
    elif kind == "append":
        lists = [p for p in paths if isinstance(_at(doc, p), list)]
        path = draw(st.sampled_from(lists)) if lists else ("Knew",)
        value = draw(SCALARS)
    else:
        path = draw(st.sampled_from(paths))
    return doc, style, DocOp(kind, path, value)


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_an_edit_reads_back_as_the_edited_document(case: tuple[Any, int, DocOp]) -> None:
    doc, style, op = case
    name, text = _render(doc, style)
    source = parse_source(name, text)
    if source.tree != doc:  # the loader reads this scalar differently (YAML 1.1): not the case
        return
    try:
        edits = edits_for(source, op)
    except CannotEdit:
        return
    after = apply_edits(text, edits)
    assert parse_source(name, after).tree == _expected(doc, op), after
    if style == 5:
        assert "\n" not in after.replace("\r\n", "")
    assert source.node(op.path) is not MISSING or op.kind != "remove"
