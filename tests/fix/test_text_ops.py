"""Fix edits as exact text: each case is a file, one edit request, and the bytes after it."""

from __future__ import annotations

import re

import pytest

from scanner.fix.apply import parse_source
from scanner.fix.edits import apply_edits
from scanner.fix.plan import computed_by
from scanner.fix.text_ops import CannotEdit, DocOp, edits_for

CASES = [
    pytest.param(
        "a.yaml",
        "P:\n  V: {S: 'Suspended'}  # c\n",
        DocOp("set", ("P", "V", "S"), "Enabled"),
        "P:\n  V: {S: 'Enabled'}  # c\n",
        id="yaml-single-quotes-kept",
    ),
    pytest.param(
        "a.yaml",
        "P:\n  V: &v Suspended\n  W: *v\n",
        DocOp("set", ("P", "V"), "Enabled"),
        "P:\n  V: &v Enabled\n  W: *v\n",
        id="yaml-anchor-kept",
    ),
    pytest.param(
        "a.yaml",
        "P: {a: 1}\n",
        DocOp("set", ("P", "b", "c"), True),
        "P: {a: 1, b: {c: true}}\n",
        id="yaml-flow-mapping-stays-flow",
    ),
    pytest.param(
        "a.yaml",
        "P: {}\nQ: 1\n",
        DocOp("set", ("P", "b"), "x y"),
        'P: {b: "x y"}\nQ: 1\n',
        id="yaml-empty-flow-mapping",
    ),
    pytest.param(
        "a.yaml",
        "R:\n    B:\n        T: x   # last\n# after\nZ: 1\n",
        DocOp("set", ("R", "B", "P", "Q"), [{"K": "v"}]),
        "R:\n    B:\n        T: x   # last\n        P:\n            Q:\n              - K: v\n"
        "# after\nZ: 1\n",
        id="yaml-missing-keys-at-the-files-4-space-indentation",
    ),
    pytest.param(
        "a.yaml",
        "R:\n  B:\n    L:\n    - a\n    T: x\n",
        DocOp("set", ("R", "B", "P", "Q"), [{"K": "v"}]),
        "R:\n  B:\n    L:\n    - a\n    T: x\n    P:\n      Q:\n      - K: v\n",
        id="yaml-new-list-with-dashes-at-the-key-column-like-the-file",
    ),
    pytest.param(
        "a.yaml",
        "P:\n  A: 1\n  B: !Ref X  # gone\n  C: 3\n",
        DocOp("remove", ("P", "B")),
        "P:\n  A: 1\n  C: 3\n",
        id="yaml-remove-a-line",
    ),
    pytest.param(
        "a.yaml",
        "L:\n- A: 1\n  B: 2\n",
        DocOp("remove", ("L", 0, "A")),
        "L:\n- B: 2\n",
        id="yaml-remove-the-first-key-of-a-list-item",
    ),
    pytest.param(
        "a.yaml",
        "P:\n  A: 1\n",
        DocOp("remove", ("P", "A")),
        "P:\n  {}\n",
        id="yaml-remove-the-only-key",
    ),
    pytest.param(
        "a.yaml",
        "L:\n- a\n- b  # c\nM: 1\n",
        DocOp("append", ("L",), {"Type": "audit"}),
        "L:\n- a\n- b  # c\n- Type: audit\nM: 1\n",
        id="yaml-append-in-the-list-style",
    ),
    pytest.param(
        "a.yaml",
        "L: [a]\nE: []\n",
        DocOp("append", ("E",), "x"),
        "L: [a]\nE: [x]\n",
        id="yaml-append-to-an-empty-flow-list",
    ),
    pytest.param(
        "a.yaml",
        "L: [a]\n",
        DocOp("append", ("L",), "a"),
        "L: [a]\n",
        id="yaml-append-what-is-there-changes-nothing",
    ),
    pytest.param(
        "a.json",
        '{\n    "P": {}\n}\n',
        DocOp("set", ("P", "K"), {"A": 1}),
        '{\n    "P": {\n        "K": {\n            "A": 1\n        }\n    }\n}\n',
        id="json-4-spaces-into-an-empty-object",
    ),
    pytest.param(
        "a.json",
        '{\n  "P": {\n    "A": 1,\n    "B": 2\n  }\n}\n',
        DocOp("remove", ("P", "B")),
        '{\n  "P": {\n    "A": 1\n  }\n}\n',
        id="json-remove-the-last-member",
    ),
    pytest.param(
        "a.json",
        '{"P": {"L": [1, 2]}}',
        DocOp("append", ("P", "L"), 3),
        '{"P": {"L": [1, 2, 3]}}',
        id="json-one-line-stays-on-one-line",
    ),
    pytest.param(
        "a.json",
        '{\r\n  "P": {\r\n    "A": "x"\r\n  }\r\n}\r\n',
        DocOp("set", ("P", "B"), True),
        '{\r\n  "P": {\r\n    "A": "x",\r\n    "B": true\r\n  }\r\n}\r\n',
        id="json-crlf",
    ),
]


@pytest.mark.parametrize(("name", "before", "op", "after"), CASES)
def test_edit_gives_exact_bytes(name: str, before: str, op: DocOp, after: str) -> None:
    source = parse_source(name, before)
    assert apply_edits(before, edits_for(source, op)) == after


def test_an_edit_through_an_alias_is_refused() -> None:
    text = "A: &p\n  X: 1\nB: *p\n"
    with pytest.raises(CannotEdit, match=r"YAML alias \*p"):
        edits_for(parse_source("a.yaml", text), DocOp("set", ("B", "Y"), 2))


def test_a_missing_key_under_a_scalar_is_refused() -> None:
    with pytest.raises(CannotEdit, match="P is not a mapping"):
        edits_for(parse_source("a.yaml", "P: text\n"), DocOp("set", ("P", "K"), 1))


PROPS = ("Resources", "B", "Properties")


@pytest.mark.parametrize(
    ("op", "reason"),
    [
        (DocOp("set", (*PROPS, "V"), "x"), "comes from parameter Mode"),
        (
            DocOp("set", (*PROPS, "M", "K"), "x"),
            "comes from mapping Levels",
        ),
        (
            DocOp("set", (*PROPS, "E"), {"A": "on"}),
            "holds Fn::If written in the template",
        ),
        (
            DocOp("set", (*PROPS, "S"), "x"),
            r"computed by Fn::Sub \(parameter Mode\)",
        ),
    ],
)
def test_values_the_template_computes_are_not_edited(op: DocOp, reason: str) -> None:
    text = (
        "Parameters:\n  Mode: {Type: String, Default: a}\n"
        "Resources:\n  B:\n    Type: T\n    Properties:\n"
        "      V: !Ref Mode\n"
        "      M: !FindInMap [Levels, !Ref Mode, k]\n"
        "      E: {A: !If [C, on, off]}\n"
        "      S: !Sub '${Mode}-x'\n"
    )
    why = computed_by(parse_source("a.yaml", text), ("Resources", "B"), op)
    assert why is not None and re.search(reason, why), why


def test_a_block_value_below_its_key_is_replaced_below_it() -> None:
    text = "A:  # keep\n- 0\nB: 1\n"
    source = parse_source("a.yaml", text)
    assert apply_edits(text, edits_for(source, DocOp("set", ("A",), {"K": None}))) == (
        "A:  # keep\n  K: null\nB: 1\n"
    )
    assert apply_edits(text, edits_for(source, DocOp("set", ("A",), 5))) == (
        "A:  # keep\n  5\nB: 1\n"
    )
