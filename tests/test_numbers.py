"""One reading of numeric strings, shared by comparisons, ``number()`` and parameters."""

from __future__ import annotations

import pytest

from scanner.loaders.variants import _number as parameter_number
from scanner.values import as_number, equals, order


@pytest.mark.parametrize(
    ("text", "number"),
    [("22", 22), (" 1.5 ", 1.5), ("1e3", 1000.0), ("-3", -3), ("+.5", 0.5), ("1.", 1.0)],
)
def test_decimal_text_is_a_number(text: str, number: float) -> None:
    assert as_number(text) == number
    assert type(as_number(text)) is type(number)


@pytest.mark.parametrize("text", ["1_000", "inf", "nan", "0x10", ".", "", "1e", "9" * 5000])
def test_python_only_spellings_are_not_numbers(text: str) -> None:
    assert as_number(text) is None


def test_booleans_are_not_numbers() -> None:
    assert as_number(True) is None and as_number(3) == 3


def test_comparison_parameters_and_number_agree() -> None:
    assert equals(1000, "1000") is True
    assert equals(1000, "1_000") is False
    assert order("<", "9", 10) is True
    assert parameter_number(" 8 ") == 8
    assert parameter_number("1_000") == "1_000"  # stays text, as AWS would reject it
