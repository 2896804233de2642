from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from scanner.model import (
    UNKNOWN,
    Document,
    Location,
    Resource,
    Severity,
    Span,
    TemplateOrigin,
    locate,
)


def _doc() -> Document:
    loc = lambda line, col, end_col: Location("t.yaml", line, col, line, end_col)  # noqa: E731
    positions = {
        ("Resources",): Span(loc(1, 1, 10), loc(2, 3, 20)),
        ("Resources", "B"): Span(loc(2, 3, 4), loc(3, 5, 20)),
        ("Resources", "B", "Properties"): Span(loc(4, 5, 15), loc(5, 7, 30)),
        ("Resources", "B", "Properties", "Name"): Span(loc(5, 7, 11), loc(5, 13, 19)),
        ("Resources", "B", "Properties", "Flag", "Fn::If", 1): Span(None, loc(6, 20, 25)),
    }
    return Document(path="t.yaml", format="cloudformation", positions=positions)


def _resource(**origin: Any) -> Resource:
    return Resource(
        type="AWS::S3::Bucket",
        id="B",
        body={"Type": "AWS::S3::Bucket", "Properties": {"Name": "x"}},
        document=_doc(),
        path=("Resources", "B"),
        origin=TemplateOrigin(**origin),
    )


def test_existing_node_spans_key_and_value() -> None:
    assert locate(_resource(), ("Properties", "Name")) == Location("t.yaml", 5, 7, 5, 19)


def test_missing_property_points_at_parent_key() -> None:
    assert locate(_resource(), ("Properties", "Missing", "Deeper")) == Location(
        "t.yaml", 4, 5, 4, 15
    )


def test_path_map_points_into_the_chosen_branch() -> None:
    resource = _resource(path_map={("Properties", "Flag"): ("Properties", "Flag", "Fn::If", 1)})
    assert locate(resource, ("Properties", "Flag")) == Location("t.yaml", 6, 20, 6, 25)


def test_resource_without_document_has_no_location() -> None:
    resource = Resource(type="AWS::S3::Bucket", id="arn:aws:s3:::b", body={})
    assert locate(resource, ("Properties",)) is None


def test_unknown_is_a_singleton_that_survives_copy_and_pickle() -> None:
    assert copy.deepcopy(UNKNOWN) is UNKNOWN
    assert pickle.loads(pickle.dumps({"a": UNKNOWN}))["a"] is UNKNOWN


def test_unknown_refuses_a_truth_value() -> None:
    with pytest.raises(TypeError):
        bool(UNKNOWN)


def test_severity_rank_orders_critical_highest() -> None:
    ranked = sorted(Severity, key=lambda s: s.rank)
    assert [s.value for s in ranked] == ["info", "low", "medium", "high", "critical"]
