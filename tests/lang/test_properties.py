"""Property tests: no text, however broken, and no data, however odd, crashes the language.

Anything that goes wrong must surface as a PacscanError (parser) or a Diagnostic
(compile_sources), and evaluation turns data problems into findings, never exceptions.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine.evaluate import evaluate
from scanner.errors import PacscanError
from scanner.lang.builtins import REGISTRY
from scanner.lang.parser import parse_file
from scanner.model import UNKNOWN, Resource
from scanner.policyset.compiler import PolicySource, compile_sources

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
TYPE = "Test::Spec::Thing"

SEED = """
param limit: number = 3
let world = ["0.0.0.0/0", "::/0"]
def open(rule) = rule.CidrIp in world or cidr_is_open(rule.CidrIpv6)
policy SEED {
  id = "PAC-SEED-1"
  title = "seed {x}"
  severity = high
  tags = ["a"]
  resource Test::Spec::Thing
  when Properties.Name exists
  let rules = Properties.Rules[*]
  assert none rules as r: open(r) and port_in_range(r.From, r.To, 22)
    else "open {id}: {Properties.Name}"
  assert count(Properties.Rules[? @.From > limit]) <= 2 and Properties.Name matches "^a"
  fix set Properties.Name = "x"
  example fail at Properties.Rules {
    Properties: { Name: "a", Rules: [{CidrIp: "0.0.0.0/0", From: 22, To: 22}] }
  }
}
"""

TOKENS = [
    "policy",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "[*]",
    ".*",
    "[?",
    "@",
    ".",
    ",",
    ":",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "not in",
    "all",
    "any",
    "none",
    "as",
    "exists",
    "is",
    "empty",
    "string",
    "matches",
    '"(a+)+"',
    "unknown",
    "null",
    "true",
    "let",
    "def",
    "param",
    "assert",
    "else",
    "when",
    "fix",
    "set",
    "example",
    "pass",
    "resource",
    "AWS::S3::Bucket",
    "Properties",
    "x",
    "1",
    "-1",
    "2.5",
    '"s"',
    '"""t"""',
    "related",
    "count",
    "#",
    "\n",
    "'",
    '"',
    "\\",
    "{x}",
    "__import__('os')",
]


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_only_raises_pacscan_errors(text: str) -> None:
    try:
        parse_file("random.policy", text)
    except PacscanError:
        pass
    compile_sources([PolicySource("random.policy", text)])


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    text = SEED
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + " " + draw(st.sampled_from(TOKENS)) + " " + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        else:
            size = draw(st.integers(1, 30))
            text = text[:at] + text[at : at + size] + text[at:]
    return text


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8", "a", "", "true", "22", "bad/cidr"]),
    st.just(UNKNOWN),
    st.sampled_from([{"Ref": "Subject"}, {"Fn::GetAtt": ["X", "Arn"]}, {"Fn::Sub": "${X}"}]),
)
KEYS = st.sampled_from(["Name", "Rules", "CidrIp", "CidrIpv6", "From", "To", "A", "B"])
DATA = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)


def _resource(properties: Any) -> Resource:
    return Resource(TYPE, "Subject", {"Type": TYPE, "Properties": properties})


def _assert_no_internal_errors(sources: list[PolicySource], properties: Any) -> None:
    result = compile_sources(sources)
    findings = evaluate(result.program, [_resource(properties)], now=NOW)
    for finding in findings:
        assert not finding.message.startswith("internal error"), finding.message


@SETTINGS
@given(mutated_seed(), DATA)
def test_mutated_policies_compile_or_report_and_never_crash(text: str, data: Any) -> None:
    _assert_no_internal_errors([PolicySource("mutated.policy", text)], data)


# ------------------------------------------------------------------ grammar-valid policies

NAMES = st.sampled_from(["x", "y", "world", "limit", "id", "type", "nope"])
PATH_ROOTS = st.sampled_from(["Properties", "Properties.Rules", "x", "@", "Metadata"])
STEPS = st.lists(
    st.sampled_from([".A", ".Name", '."k:v"', "[0]", "[-1]", "[*]", ".*", "[? @.A == 1]"]),
    max_size=3,
)
LITERALS = st.sampled_from(
    ['"a"', "1", "2.5", "true", "null", '["a", 1]', "{K: 1}", '"0.0.0.0/0"', "unknown"]
)
FUNCTIONS = st.sampled_from([*sorted(REGISTRY), "related", "nope", "open"])


def _expressions() -> st.SearchStrategy[str]:
    path = st.builds(lambda root, steps: root + "".join(steps), PATH_ROOTS, STEPS)
    leaf = st.one_of(path, LITERALS, NAMES)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        op = st.sampled_from(["==", "!=", "<", ">=", "in", "not in", "contains", "startswith"])
        test = st.sampled_from(["exists", "not exists", "is empty", "is string", "is unknown"])
        args = st.lists(inner, max_size=3).map(", ".join)
        return st.one_of(
            st.builds(lambda a, o, b: f"({a} {o} {b})", inner, op, inner),
            st.builds(lambda a, t: f"({a} {t})", inner, test),
            st.builds(lambda a, b: f"({a} and {b})", inner, inner),
            st.builds(lambda a, b: f"({a} or {b})", inner, inner),
            st.builds(lambda a: f"not ({a})", inner),
            st.builds(lambda a: f'({a} matches "^a.*b$")', inner),
            st.builds(
                lambda q, c, b: f"({q} {c} as x: {b})",
                st.sampled_from(["all", "any", "none"]),
                path,
                inner,
            ),
            st.builds(lambda f, a: f"{f}({a})", FUNCTIONS, args),
        )

    return st.recursive(leaf, extend, max_leaves=8)


@st.composite
def grammar_valid_policy(draw: st.DrawFn) -> str:
    condition = draw(_expressions())
    when = draw(st.one_of(st.just("true"), _expressions()))
    return (
        "param limit: number = 3\n"
        'let world = ["0.0.0.0/0"]\n'
        "def open(r) = r.CidrIp in world\n"
        "policy GEN {\n"
        '  id = "PAC-GEN-1"  title = "t"  severity = low\n'
        f"  resource {TYPE}\n"
        f"  when {when}\n"
        f'  assert {condition} else "value {{{draw(PATH_ROOTS)}}}"\n'
        "}\n"
    )


@SETTINGS
@given(grammar_valid_policy(), DATA)
def test_grammar_valid_policies_never_crash_checker_compiler_or_engine(
    text: str, data: Any
) -> None:
    _assert_no_internal_errors([PolicySource("generated.policy", text)], data)
