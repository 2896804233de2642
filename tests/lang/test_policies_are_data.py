"""Policies are data: nothing in a policy can run Python, read files or hang the scan."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner.engine.evaluate import evaluate
from scanner.model import Resource, Status
from scanner.policyset.compiler import PolicySource, compile_sources
from scanner.values import MAX_MATCH_INPUT

HEADER = 'policy P {\n  id = "PAC-X-1"  title = "t"  severity = low\n  resource Test::Spec::Thing\n'


def _compile(body: str) -> tuple[list[str], object]:
    result = compile_sources([PolicySource("evil.policy", HEADER + body + "\n}\n")])
    return [d.code for d in result.diagnostics], result.program


def _bucket(properties: dict[str, object]) -> Resource:
    return Resource(
        "Test::Spec::Thing", "B", {"Type": "Test::Spec::Thing", "Properties": properties}
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("assert __import__('os')", "P001"),  # single quotes are not strings
        ('assert __import__("os")', "P012"),
        ('assert __import__("os").system("touch /tmp/pwned")', "P001"),
        ('assert open("/etc/passwd") contains "root"', "P012"),
        ('assert eval("1")', "P012"),
        ('assert exec("import os")', "P012"),
        ('assert getattr(Properties, "__class__")', "P012"),
        ("assert Properties.__class__.__subclasses__()", "P001"),
        ('assert "{0.__class__}" == id', "P000"),
    ],
)
def test_python_looking_expressions_are_clean_errors(body: str, code: str) -> None:
    codes, _ = _compile(body)
    assert codes == ([] if code == "P000" else [code])


def test_format_strings_in_data_are_plain_text(tmp_path: Path) -> None:
    codes, program = _compile('assert Properties.Name == "x" else "name {Properties.Name}"')
    assert codes == []
    finding = evaluate(program, [_bucket({"Name": "{0.__class__.__mro__}"})])[0]  # type: ignore[arg-type]
    assert finding.message == "name {0.__class__.__mro__}"


@pytest.mark.parametrize("key", ["__class__", "__globals__", "__dict__", "__init__", "mro"])
def test_dunder_paths_are_missing_keys(key: str) -> None:
    codes, program = _compile(
        f"assert Properties.{key} not exists and Properties.Name.{key} not exists"
    )
    assert codes == []
    findings = evaluate(program, [_bucket({"Name": "b"})])  # type: ignore[arg-type]
    assert findings[0].status is Status.PASS


def test_file_paths_are_only_strings(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    body = f'assert json_parse("{secret}") exists'
    codes, _ = _compile(body)
    assert codes == ["P014"]  # a constant call that fails: the path is not JSON text


def test_policy_params_and_json_never_load_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "s3cr3t"}', encoding="utf-8")
    codes, program = _compile('assert json_parse(Properties.Doc).token == "s3cr3t"')
    assert codes == []
    finding = evaluate(program, [_bucket({"Doc": str(secret)})])[0]  # type: ignore[arg-type]
    assert finding.status is Status.ERROR
    assert "not valid JSON" in finding.message


@pytest.mark.parametrize(
    "regex", ["(a+)+$", "(a*)*b", "(a|b+)*c", "(x+x+)+y", "((ab)*)+$", "(.|\\\\s)*x$"]
)
def test_regexes_that_backtrack_in_python_run_in_linear_time(regex: str) -> None:
    codes, program = _compile(f'assert Properties.Name matches "{regex}"')
    assert codes == []
    hostile = " " * 20000 + "ab" * 20000 + "!"
    started = time.perf_counter()
    finding = evaluate(program, [_bucket({"Name": hostile})])[0]  # type: ignore[arg-type]
    assert finding.status in (Status.PASS, Status.FAIL), finding.message
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("regex", ["(a)\\\\1", "(?=a)b", "(?<!a)b", "a\\\\Z"])
def test_regex_constructs_without_a_linear_time_match_are_rejected(regex: str) -> None:
    codes, _ = _compile(f'assert Properties.Name matches "{regex}"')
    assert codes == ["P031"]


def test_regex_input_is_capped() -> None:
    codes, program = _compile('assert Properties.Name matches "a$"')
    assert codes == []
    huge = "a" * (MAX_MATCH_INPUT + 1)
    finding = evaluate(program, [_bucket({"Name": huge})])[0]  # type: ignore[arg-type]
    assert finding.status is Status.ERROR
    assert "too long to match a regular expression" in finding.message


def test_safe_regex_on_long_input_is_bounded() -> None:
    codes, program = _compile('assert not (Properties.Name matches "^(a|b)*c$")')
    assert codes == []
    started = time.perf_counter()
    finding = evaluate(program, [_bucket({"Name": "ab" * 30000})])[0]  # type: ignore[arg-type]
    assert finding.status is Status.PASS
    assert time.perf_counter() - started < 5


def test_deeply_nested_data_is_an_error_finding_not_a_crash() -> None:
    codes, program = _compile("assert Properties.Doc == Properties.Other")
    assert codes == []
    deep: object = 1
    other: object = 1
    for _ in range(5000):
        deep, other = [deep], [other]
    finding = evaluate(program, [_bucket({"Doc": deep, "Other": other})])[0]  # type: ignore[arg-type]
    assert finding.status in (Status.PASS, Status.ERROR)


@pytest.mark.parametrize("depth", [200, 3000, 12000])
def test_deeply_nested_policy_text_compiles_or_is_a_clean_error(depth: int) -> None:
    text = HEADER + "assert " + "not (" * depth + "true" + ")" * depth + "\n}\n"
    result = compile_sources([PolicySource("deep.policy", text)])
    assert [d.code for d in result.diagnostics] in ([], ["P001"])
    if depth == 200:
        assert result.diagnostics == []
