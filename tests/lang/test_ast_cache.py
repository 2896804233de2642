from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.lang.ast_cache import cached_parse
from scanner.lang.parser import parse_file

POLICY = """\
policy P {
  id = "PAC-T-001"
  title = "t"
  severity = low
  resource Test::Spec::Thing
  assert Properties.X == "y" else "bucket {id} is off"
}
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    return tmp_path / "pacscan" / "ast"


def test_second_parse_comes_from_the_cache_and_equals_a_fresh_parse(cache_home: Path) -> None:
    first = cached_parse("p.policy", POLICY)
    entries = list(cache_home.iterdir())
    assert len(entries) == 1
    assert cached_parse("p.policy", POLICY) == first == parse_file("p.policy", POLICY)


def test_a_different_path_or_text_is_a_different_entry(cache_home: Path) -> None:
    cached_parse("p.policy", POLICY)
    cached_parse("q.policy", POLICY)
    tree = cached_parse("p.policy", POLICY.replace('"y"', '"z"'))
    assert len(list(cache_home.iterdir())) == 3
    assert tree.path == "p.policy"


def test_a_corrupt_entry_is_ignored_and_rewritten(cache_home: Path) -> None:
    cached_parse("p.policy", POLICY)
    (entry,) = cache_home.iterdir()
    entry.write_bytes(b"not json")
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)
    assert json.loads(entry.read_bytes().partition(b"\n")[0])["path"] == "p.policy"


def test_no_cache_setting_writes_nothing(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACSCAN_NO_CACHE", "1")
    cached_parse("p.policy", POLICY)
    assert not cache_home.exists()


def test_a_directory_others_can_write_is_not_used(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    os.chmod(cache_home, 0o777)
    cached_parse("p.policy", POLICY)
    assert list(cache_home.iterdir()) == []


def test_a_clean_file_is_not_checked_again_with_the_same_params(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.lang import checks
    from scanner.policyset import compiler

    source = compiler.PolicySource("p.policy", POLICY)
    assert compiler.compile_sources([source]).ok
    calls: list[object] = []
    real = checks.check_file
    monkeypatch.setattr(checks, "check_file", lambda *a: calls.append(a) or real(*a))
    assert compiler.compile_sources([source]).ok
    assert calls == []
    compiler.compile_sources([source], params={"unused": 1})  # other overrides: checked
    assert len(calls) == 1


def test_a_file_with_errors_reports_them_on_every_run(cache_home: Path) -> None:
    from scanner.policyset.compiler import PolicySource, compile_sources

    bad = PolicySource("p.policy", POLICY.replace("Properties.X", "lowr(Properties.X)"))
    first = compile_sources([bad]).diagnostics
    second = compile_sources([bad]).diagnostics
    assert [d.code for d in first] == [d.code for d in second] != []
