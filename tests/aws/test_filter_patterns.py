"""Reading CloudWatch Logs JSON filter patterns into alternatives of terms."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from scanner.aws.filter_patterns import MAX_PATTERN, alternatives


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventName = "CreateTrail" }', [["$.eventName = CreateTrail"]]),
        ("{$.eventName=CreateTrail}", [["$.eventName = CreateTrail"]]),
        ("{ (($.eventName = CreateTrail)) }", [["$.eventName = CreateTrail"]]),
        (
            "{ ($.eventName = B) || ($.eventName = A) }",
            [["$.eventName = A"], ["$.eventName = B"]],
        ),
        (
            '{ ($.errorMessage = "Failed authentication") && ($.eventName = ConsoleLogin) }',
            [["$.errorMessage = Failed authentication", "$.eventName = ConsoleLogin"]],
        ),
        (
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
            [["$.a = 1"], ["$.b = 2", "$.c = 3"]],
        ),
        (
            "{ ($.s = kms) && (($.e = A) || ($.e = B)) }",
            [["$.e = A", "$.s = kms"], ["$.e = B", "$.s = kms"]],
        ),
        (
            '{ $.userIdentity.invokedBy not exists && $.x is null && $.y != "Yes" }',
            [["$.userIdentity.invokedBy NOT EXISTS", "$.x IS NULL", "$.y != Yes"]],
        ),
        (
            '{ $.sourceIPAddress!="delivery.logs.amazonaws.com" }',
            [["$.sourceIPAddress != delivery.logs.amazonaws.com"]],
        ),
        ('{ $.m = "say \\"hi\\"" }', [['$.m = say "hi"']]),
        ("{ ($.a = 1) || ($.a = 1) }", [["$.a = 1"]]),
    ],
)
def test_patterns_read_as_sorted_alternatives(pattern: str, expected: list[list[str]]) -> None:
    assert alternatives(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "ERROR",
        '"Failed authentication"',
        "[ip, user, ...]",
        "{ }",
        "{ $.a = }",
        "{ $.a = 1",
        "{ $.a = 1 } trailing",
        "{ ($.a = 1 }",
        "{ eventName = CreateTrail }",
        "{ $.a ~ 1 }",
        "{ $.a IS MAYBE }",
        "{ $.a = 1 && }",
        "{" + "(" * 40 + "$.a = 1" + ")" * 40 + "}",
        "{ " + " && ".join(["($.a = 1 || $.b = 2)"] * 10) + " }",
        "{ $.a = " + "x" * MAX_PATTERN + " }",
    ],
)
def test_what_is_not_a_readable_json_pattern_has_no_alternative(pattern: str) -> None:
    assert alternatives(pattern) == []


def test_expanding_and_over_or_is_bounded_in_time_and_memory() -> None:
    """Each ``(a || b)`` joined by ``&&`` doubles the alternatives: 2**40 unbounded."""
    script = textwrap.dedent(
        """
        import resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))
        from scanner.aws.filter_patterns import alternatives
        pair = "($.a = 1 || $.b = 2)"
        start = time.monotonic()
        print(alternatives("{ " + " && ".join([pair] * 40) + " }"))
        many = " && ".join(f"($.a = {n} || $.b = {n})" for n in range(8))
        wide = "{ " + many + " && " + " && ".join(f"$.c = {n}" for n in range(58)) + " }"
        print(len(wide), len(alternatives(wide)))
        print(time.monotonic() - start)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    empty, sizes, seconds = done.stdout.splitlines()
    assert empty == "[]"
    assert sizes == "878 256"
    assert float(seconds) < 20
