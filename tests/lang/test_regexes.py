"""Policy regular expressions: RE2 semantics, replacement templates and refusals."""

from __future__ import annotations

import pytest

from scanner.lang import codes
from scanner.lang.regex_safety import RegexProblem, compile_regex
from scanner.values import EvaluationError


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("/0+$", "0.0.0.0/0", True),
        ("/0+$", "10.0.0.0/8", False),
        ("^arn:aws[a-z-]*:iam::[0-9]{12}:root$", "arn:aws:iam::123456789012:root", True),
        ("(?i)^ENABLED$", "enabled", True),
        ("é+", "caféé", True),
        ("^a$", "a\n", False),  # RE2's $ is the very end, not before a final newline
        (r"\d", "٣", False),  # \d is ASCII only
    ],
)
def test_search(pattern: str, text: str, expected: bool) -> None:
    regex = compile_regex(pattern)
    assert regex.search(text) is expected
    assert regex.search(text) is expected  # the kept answer is the same


def test_a_lone_surrogate_in_the_text_does_not_break_matching() -> None:
    assert compile_regex("^a").search("a\ud800") is True


@pytest.mark.parametrize(
    ("pattern", "replacement", "text", "expected"),
    [
        ("^rate[(]([0-9]+) days?[)]$", "\\1", "rate(7 days)", "7"),
        ("(?P<word>[a-z]+)", "<\\g<word>>", "ab cd", "<ab> <cd>"),
        ("a", "é€", "banana", "bé€né€né€"),
        ("(a)", "\\g<1>0", "a", "a0"),
        ("x*", "-", "ab", "-a-b-"),
        ("b", "\\\\", "abc", "a\\c"),
    ],
)
def test_sub(pattern: str, replacement: str, text: str, expected: str) -> None:
    assert compile_regex(pattern).sub(replacement, text) == expected


@pytest.mark.parametrize("replacement", ["\\2", "\\g<nope>"])
def test_a_replacement_naming_a_missing_group_is_an_evaluation_error(replacement: str) -> None:
    with pytest.raises(EvaluationError, match="group"):
        compile_regex("(a)").sub(replacement, "a")


def test_a_replacement_cannot_build_more_than_a_megabyte() -> None:
    with pytest.raises(EvaluationError, match="over the limit"):
        compile_regex("a").sub("b" * 1000, "a" * 2000)


@pytest.mark.parametrize(
    ("pattern", "code", "words"),
    [
        ("(a)\\1", codes.UNSAFE_REGEX, "backreference"),
        ("(?P<x>a)(?P=x)", codes.UNSAFE_REGEX, "backreference"),
        ("a(?!b)", codes.UNSAFE_REGEX, "negative lookahead"),
        ("a\\Z", codes.UNSAFE_REGEX, "\\Z"),
        ("a(b", codes.BAD_REGEX, "missing )"),
        ("a{1001}", codes.BAD_REGEX, "repetition"),
        ("x" * 1001, codes.BAD_REGEX, "longer than 1000"),
        ("\ud800", codes.BAD_REGEX, "surrogate"),
    ],
)
def test_refused_patterns_say_why(pattern: str, code: str, words: str) -> None:
    with pytest.raises(RegexProblem) as problem:
        compile_regex(pattern)
    assert problem.value.code == code
    assert words in str(problem.value)
