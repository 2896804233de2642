"""The values loaders hand the engine: ``Unknown`` with its cause, ``Reference``, ``Partial``;
and the CloudFormation long form they stand for (``scanner.loaders.cfn_values``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from scanner.loaders.cfn_values import long_form, typed
from scanner.model import (
    UNKNOWN,
    Partial,
    Reference,
    Unknown,
    is_opaque,
    is_reference,
    is_unknown,
    name_key,
)

ENGINE = Path(__file__).resolve().parents[1] / "scanner" / "engine"


def test_unknowns_keep_their_cause_through_pickling_and_the_singleton_stays_one() -> None:
    cause = Unknown("parameter Env has no default", external=True, name="Env")
    copy = pickle.loads(pickle.dumps(cause))
    assert (copy.cause, copy.external, copy.name) == (cause.cause, True, "Env")
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert is_unknown(copy) and is_unknown(UNKNOWN) and not is_unknown(None)
    with pytest.raises(TypeError):
        bool(cause)


def test_a_partial_string_knows_its_text_references_and_identity() -> None:
    bucket = Reference("Bucket", None, "!Ref Bucket")
    value = Partial(("arn:", Unknown(name="AWS::Partition"), ":s3:::", bucket, "/*"), "t")
    assert value.chunks() == ("arn:", ":s3:::", "/*")
    assert value.references() == (bucket,)
    assert name_key(value) == (
        "partial",
        ("arn:", ("?", "AWS::Partition"), ":s3:::", ("ref", "Bucket", None), "/*"),
    )
    assert Partial(("logs-", Unknown()), "t").identity() is None  # an unnamed part may differ
    assert is_opaque(value) and is_reference(value) and is_reference(bucket)
    assert not is_reference(UNKNOWN) and is_opaque(UNKNOWN) and not is_opaque({"Ref": "X"})


@pytest.mark.parametrize(
    "written",
    [
        {"Ref": "Bucket"},
        {"Fn::GetAtt": ["Bucket", "Arn"]},
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
        {"Fn::Sub": "${Bucket.Arn}/${!literal}"},
        [{"Ref": "A"}, {"Key": {"Ref": "B"}}],
    ],
)
def test_long_form_is_the_inverse_of_typed(written: object) -> None:
    assert long_form(typed(written)) == written


def test_typed_leaves_data_alone_and_makes_other_functions_unknown() -> None:
    assert typed({"Fn::Sub": "plain"}) == "plain"
    assert typed({"A": 1, "B": [True, None]}) == {"A": 1, "B": [True, None]}
    assert is_unknown(typed({"Fn::If": ["C", 1, 2]}))
    joined = typed({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]})
    assert isinstance(joined, Partial) and joined.chunks() == ("arn:aws:s3:::", "/*")


def test_the_engine_names_nothing_of_cloudformation() -> None:
    """Loaders hand the engine typed values; intrinsic functions are theirs alone."""
    found = [
        f"{path.name}:{n}"
        for path in sorted(ENGINE.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "Fn::" in line or '"Ref"' in line or "!Ref" in line or "CloudFormation" in line
    ]
    assert found == []
