from __future__ import annotations

import codecs
import pickle

import pytest

from scanner.errors import InputError
from scanner.loaders.source import PositionIndex, decode
from scanner.model import Location, Span


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a: 1\n", "a: 1\n"),
        (codecs.BOM_UTF8 + b"a: \xc3\xa9\n", "a: é\n"),
        (codecs.BOM_UTF16_LE + "a: é\n".encode("utf-16-le"), "a: é\n"),
        (codecs.BOM_UTF16_BE + "a: é\n".encode("utf-16-be"), "a: é\n"),
    ],
)
def test_decodes_utf8_and_byte_order_marks(data: bytes, text: str) -> None:
    assert decode("f.yaml", data) == text


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", "I002", "empty file"),
        (b" \n\t\n", "I002", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "I003", "binary data, not a YAML or JSON text file"),
        (b"a: 1\nb: caf\xe9\n", "I004", "invalid UTF-8 (byte 0xe9 at offset 11)"),
    ],
)
def test_bad_bytes_are_input_errors(data: bytes, code: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode("f.yaml", data)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_invalid_utf8_is_located_and_quoted() -> None:
    with pytest.raises(InputError) as caught:
        decode("f.yaml", b"a: 1\nb: caf\xe9 au lait\n")
    assert caught.value.location == Location("f.yaml", 2, 7, 2, 8)
    assert caught.value.source_line == "b: caf\ufffd au lait"


def index() -> PositionIndex:
    text = "a:\n  b: 1\n"
    return PositionIndex("f.yaml", text, {("a", "b"): (5, 6, 8, 9), ("a",): (0, 1, 5, 9)})


def test_position_index_is_a_mapping_of_spans() -> None:
    positions = index()
    assert len(positions) == 2 and ("a",) in positions and ("z",) not in positions
    assert positions[("a", "b")] == Span(
        Location("f.yaml", 2, 3, 2, 4), Location("f.yaml", 2, 6, 2, 7)
    )
    assert positions.get(("z",)) is None
    assert list(positions) == [("a", "b"), ("a",)]


def test_position_index_survives_pickling() -> None:
    restored = pickle.loads(pickle.dumps(index()))
    assert restored[("a",)] == index()[("a",)]
