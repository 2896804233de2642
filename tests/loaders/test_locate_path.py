"""``PositionIndex.locate_path`` makes from offsets exactly the location ``locate_in``
makes from spans: for every node of real templates (YAML with comments, CRLF, flow and
block styles, empty values; JSON), for a missing child of each, and for paths outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.loaders import LoadOptions, load_inputs
from scanner.model import locate_in

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# files of those folders that are not templates: no positions to compare
NOT_TEMPLATES = {"not-a-template.yaml", "package.json", "account.snapshot.json"}
FILES = sorted(
    p
    for folder in ("cloudformation", "compliant", "example")
    for p in (FIXTURES / folder).iterdir()
    if p.suffix in (".yaml", ".json") and p.is_file() and p.name not in NOT_TEMPLATES
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_locate_path_is_locate_in_spans(path: Path) -> None:
    loaded = load_inputs([str(path)], LoadOptions(jobs=1))
    documents = [d for d in loaded.documents if d.positions]
    assert documents
    checked = 0
    for document in documents:
        positions = document.positions
        for node in list(positions):
            for full in (node, (*node, "NotThere"), (*node, 0, "Deeper")):
                assert positions.locate_path(full) == locate_in(positions, full), full  # type: ignore[attr-defined]
                checked += 1
        assert positions.locate_path(("Nowhere", 1)) == locate_in(positions, ("Nowhere", 1))  # type: ignore[attr-defined]
    assert checked > 10


def test_files_that_are_not_templates_have_no_positions() -> None:
    paths = [p for p in FIXTURES.rglob("*") if p.name in NOT_TEMPLATES]
    assert len(paths) == len(NOT_TEMPLATES)
    loaded = load_inputs([str(p) for p in paths], LoadOptions(jobs=1))
    assert not [d for d in loaded.documents if d.positions]


def test_an_empty_value_ends_where_it_starts(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\r\n  Bucket:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n"
        "      BucketName:   \r\n      Tags:\r\n        - Key: a   \r\n          Value:\r\n"
        "  Other:\r\n    Type: AWS::S3::Bucket\r\n"
        "    Properties: {BucketName: , X: 1, Z:   }\r\n    Metadata:\r\n      - \r\n      - a\r\n"
    )
    loaded = load_inputs([str(template)], LoadOptions(jobs=1))
    assert not loaded.errors
    (document,) = loaded.documents
    positions = document.positions
    for node in positions:
        assert positions.locate_path(node) == locate_in(positions, node)  # type: ignore[attr-defined]
