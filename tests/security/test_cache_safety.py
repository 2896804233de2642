"""Nothing pacscan reads back from its cache can run code or replace a parse.

The cache lives under ``$XDG_CACHE_HOME/pacscan``. A CI job may point that into the
checkout (``XDG_CACHE_HOME=$PWD/.cache``), where a pull request can commit files. These
tests plant what an attacker would: pickles (under the names the old pickle cache used
and the current ones), symlinked directories and entries, entries others may write, a
FIFO, grammar tables that switch on Lark features. The payload pickles would create a
marker file if anything unpickled them; the valid-looking JSON entries hold the tree of a
different policy, so a parse that trusted them would differ from a fresh one.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import resource
import stat
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from scanner.lang import ast_cache, grammar_cache
from scanner.lang.ast_cache import cached_parse, checked_clean, remember_clean
from scanner.lang.parser import parse_file

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds for one pacscan run on a loaded machine
MEMORY = 1536 << 20  # bytes of address space for a subprocess

POLICY = """\
policy VERSIONED {
  id = "PAC-CACHE-001"  title = "buckets keep versions"  severity = high
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == "Enabled"
}
"""
OTHER = POLICY.replace('"Enabled"', '"Suspended"')
TEMPLATE = {"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {}}}}
GRAMMAR_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "strict": True,
    "propagate_positions": True,
    "start": ["start", "expr"],
    "maybe_placeholders": True,
}


class _Payload:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (self.marker, "w"))


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _scan(repo: Path) -> tuple[int, dict[str, Any], str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(repo / ".cache")}
    env.pop("PACSCAN_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "--no-config"]
        + ["template.json", "--policies", "policies", "--format", "json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "policies" / "versioned.policy").write_text(POLICY, encoding="utf-8")
    (repo / "template.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    return repo


def _failed(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["policy_id"], f["resource"]["id"]) for f in report["findings"]]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache home inside a checkout, as ``XDG_CACHE_HOME=$PWD/.cache`` makes it."""
    home = tmp_path / "checkout" / ".cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    return home


def _forged_entry(path: str) -> bytes:
    """An entry that names this file's key but holds the tree of OTHER."""
    forged = ast_cache.dump_tree(ast_cache._key(path, POLICY), parse_file(path, OTHER))
    assert forged is not None
    return forged


def _entry_name(path: str) -> str:
    return ast_cache._key(path, POLICY)[:40] + ".ast"


# ---------------------------------------------------------------- end to end


def test_planted_pickles_never_run_and_the_scan_still_works(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert _scan(repo)[0] == 1  # fills .cache/pacscan with this run's entries
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_Payload(marker))
    cache = repo / ".cache" / "pacscan"
    entries = [p for p in cache.rglob("*") if p.is_file()]
    suffixes = {p.suffix for p in entries}  # .stamp: unless the code changed just now
    assert (
        {".ast", ".clean", ".index", ".tables"}
        <= suffixes
        <= {
            ".ast",
            ".clean",
            ".index",
            ".tables",
            ".stamp",
        }
    )
    for entry in entries:  # every current name, and the name the pickle cache used
        for name in (entry, entry.with_suffix(".pickle"), entry.with_suffix(".lark")):
            name.write_bytes(payload)
            name.chmod(0o600)
    code, report, stderr = _scan(repo)
    assert not marker.exists()
    assert code == 1, stderr
    assert _failed(report) == [("PAC-CACHE-001", "Logs")]
    assert report["errors"] == []


def test_a_symlinked_cache_directory_is_not_followed_by_a_scan(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    elsewhere = tmp_path / "attacker"
    (elsewhere / "ast").mkdir(parents=True)
    marker = tmp_path / "code-ran"
    (elsewhere / "ast" / "x.pickle").write_bytes(pickle.dumps(_Payload(marker)))
    (repo / ".cache").mkdir()
    (repo / ".cache" / "pacscan").symlink_to(elsewhere, target_is_directory=True)
    code, report, stderr = _scan(repo)
    assert code == 1, stderr
    assert _failed(report) == [("PAC-CACHE-001", "Logs")]
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["ast", "x.pickle"]  # nothing added
    assert not marker.exists()


# ---------------------------------------------------------------- the parse cache


def test_a_forged_entry_we_wrote_ourselves_would_be_used(cache_home: Path) -> None:
    """The control for the tests below: a private, well-formed entry is trusted."""
    cached_parse("p.policy", POLICY)
    (entry,) = (cache_home / "pacscan" / "ast").iterdir()
    entry.write_bytes(_forged_entry("p.policy"))
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", OTHER)


@pytest.mark.parametrize("level", ["pacscan", "pacscan/ast"])
def test_a_symlinked_cache_directory_is_not_followed(cache_home: Path, level: str) -> None:
    elsewhere = cache_home.parent / "attacker"
    (elsewhere / "ast").mkdir(parents=True, mode=0o700)
    elsewhere.chmod(0o700)
    target = elsewhere if level == "pacscan" else elsewhere / "ast"
    (elsewhere / "ast" / _entry_name("p.policy")).write_bytes(_forged_entry("p.policy"))
    (elsewhere / "ast" / _entry_name("p.policy")).chmod(0o600)
    link = cache_home / level
    link.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    link.symlink_to(target, target_is_directory=True)
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)
    assert link.is_symlink()  # left alone: not replaced, not written through


def test_a_symlinked_entry_is_not_followed(cache_home: Path) -> None:
    cached_parse("p.policy", POLICY)
    directory = cache_home / "pacscan" / "ast"
    forged = cache_home.parent / "forged.json"
    forged.write_bytes(_forged_entry("p.policy"))
    forged.chmod(0o600)
    entry = directory / _entry_name("p.policy")
    entry.unlink()
    entry.symlink_to(forged)
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)
    assert forged.read_bytes() == _forged_entry("p.policy")  # not written through the link
    assert not entry.is_symlink()  # replaced by a fresh entry of ours


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o666, 0o604])
def test_an_entry_others_may_read_or_write_is_ignored(cache_home: Path, mode: int) -> None:
    """A file checked out by git (0644) is not one the cache wrote (0600)."""
    cached_parse("p.policy", POLICY)
    (entry,) = (cache_home / "pacscan" / "ast").iterdir()
    entry.write_bytes(_forged_entry("p.policy"))
    entry.chmod(mode)
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)


def test_a_directory_others_may_write_is_ignored(cache_home: Path) -> None:
    directory = cache_home / "pacscan" / "ast"
    cached_parse("p.policy", POLICY)
    (directory / _entry_name("p.policy")).write_bytes(_forged_entry("p.policy"))
    (cache_home / "pacscan").chmod(0o770)
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)


def test_a_hard_link_to_an_entry_is_ignored(cache_home: Path) -> None:
    cached_parse("p.policy", POLICY)
    entry = cache_home / "pacscan" / "ast" / _entry_name("p.policy")
    entry.write_bytes(_forged_entry("p.policy"))
    os.link(entry, cache_home.parent / "second-name")
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
@pytest.mark.parametrize("what", ["entry", "directory"])
def test_a_cache_file_or_directory_of_another_user_is_ignored(cache_home: Path, what: str) -> None:
    cached_parse("p.policy", POLICY)
    entry = cache_home / "pacscan" / "ast" / _entry_name("p.policy")
    entry.write_bytes(_forged_entry("p.policy"))
    os.chown(entry if what == "entry" else entry.parent, 65534, 65534)
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)


@pytest.mark.parametrize(
    "tree",
    [
        '{"system":["touch /tmp/x"]}',
        '{"__class__":[]}',
        '{"PolicyFile":["p.policy",[],[],[],[],[]],"extra":[]}',
        '{"PolicyFile":["p.policy"]}',
        '{"Literal":[1,99999]}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_an_entry_naming_anything_but_a_tree_class_is_ignored(cache_home: Path, tree: str) -> None:
    cached_parse("p.policy", POLICY)
    entry = cache_home / "pacscan" / "ast" / _entry_name("p.policy")
    head = entry.read_bytes().partition(b"\n")[0]
    entry.write_bytes(head + b"\n" + tree.encode())
    assert cached_parse("p.policy", POLICY) == parse_file("p.policy", POLICY)
    assert ast_cache.NODE_CLASSES.keys() <= {n for n in dir(ast_cache.ast) if not n.startswith("_")}


def test_a_fifo_at_an_entry_name_does_not_hang(cache_home: Path) -> None:
    directory = cache_home / "pacscan" / "ast"
    directory.mkdir(parents=True, mode=0o700)
    (cache_home / "pacscan").chmod(0o700)
    os.mkfifo(directory / _entry_name("p.policy"), 0o600)
    code = (
        "from scanner.lang.ast_cache import cached_parse\n"
        f"print(cached_parse('p.policy', {POLICY!r}).policies[0].name)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    assert done.stdout.strip() == "VERSIONED", done.stderr
    assert stat.S_ISREG(os.lstat(directory / _entry_name("p.policy")).st_mode)  # replaced


def test_a_clean_marker_others_could_have_made_does_not_skip_checks(cache_home: Path) -> None:
    from scanner.policyset.compiler import PolicySource, compile_sources

    bad = POLICY.replace("Properties.VersioningConfiguration", "lowr(Properties.V)")
    remember_clean("b.policy", bad, {})
    assert checked_clean("b.policy", bad, {})  # our own marker is trusted
    (marker,) = (cache_home / "pacscan" / "ast").glob("*.clean")
    marker.chmod(0o644)
    assert not checked_clean("b.policy", bad, {})
    marker.chmod(0o600)
    marker.write_bytes(b"")  # the marker of the pickle cache: an empty file
    assert not checked_clean("b.policy", bad, {})
    assert compile_sources([PolicySource("b.policy", bad)]).diagnostics


# ---------------------------------------------------------------- the grammar tables


def _grammar_text() -> str:
    return files("scanner.grammar").joinpath("policy.lark").read_text(encoding="utf-8")


def test_grammar_tables_come_back_from_json_and_parse(cache_home: Path) -> None:
    built = grammar_cache.build(_grammar_text(), **GRAMMAR_OPTIONS)
    (entry,) = (cache_home / "pacscan").glob("policy-grammar-*.tables")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    loaded = grammar_cache.build(_grammar_text(), **GRAMMAR_OPTIONS)
    assert loaded.source_path == "<deserialized>" != built.source_path
    assert loaded.parse(POLICY, start="start") == built.parse(POLICY, start="start")


@pytest.mark.parametrize(
    "option, value",
    [
        ("tree_class", "os.system"),
        ("lexer_callbacks", {"NAME": "print"}),
        ("postlex", "x"),
        ("_plugins", {"lark_lexer": "x"}),
        ("regex", True),
    ],
)
def test_grammar_tables_that_switch_on_a_lark_feature_are_rebuilt(
    cache_home: Path, option: str, value: object
) -> None:
    grammar_cache.build(_grammar_text(), **GRAMMAR_OPTIONS)
    (entry,) = (cache_home / "pacscan").glob("policy-grammar-*.tables")
    body = json.loads(entry.read_bytes())
    body["lark"]["data"]["options"][option] = value
    entry.write_text(json.dumps(body))
    parser = grammar_cache.build(_grammar_text(), **GRAMMAR_OPTIONS)
    assert parser.source_path != "<deserialized>"
    assert parser.options.tree_class is None  # Lark's default Tree, not the planted name
    assert parser.parse(POLICY, start="start").data == "start"


# ---------------------------------------------------------------- the code


UNSAFE = re.compile(
    r"^\s*(import|from)\s+(pickle|cPickle|marshal|shelve|dill|cloudpickle)\b"
    r"|\b(pickle|marshal|shelve)\.(loads?|Unpickler|open)\b"
    r"|(?<![\w.])(?<!def )(eval|exec|compile)\("
    r"|\byaml\.(unsafe_load|full_load|UnsafeLoader|FullLoader|Loader)\b",
    re.MULTILINE,
)


# The one place that compiles code: a record's __init__, from the field names of a class in
# pacscan's own source (identifiers, checked), as dataclasses does; nothing read at run time.
COMPILES_OWN_CODE = {("scanner/records.py", "exec(")}


def test_scanner_has_no_deserialiser_or_evaluator_that_can_run_code() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0).strip()}"
        for path in sorted((ROOT / "scanner").rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for m in UNSAFE.finditer(text)
        if (str(path.relative_to(ROOT)), m.group(0).strip()) not in COMPILES_OWN_CODE
    ]
    assert hits == []
    records = (ROOT / "scanner" / "records.py").read_text(encoding="utf-8")
    assert len(UNSAFE.findall(records)) == 1  # that one exec, no other


def test_the_unsafe_pattern_catches_what_it_is_for() -> None:
    for line in ["import pickle", "pickle.load(f)", "marshal.loads(b)", "eval(s)", "yaml.Loader"]:
        assert UNSAFE.search(line), line
    for line in ["evaluate(x)", "def compile(x)", "re.compile(p)", "yaml.safe_load(s)"]:
        assert not UNSAFE.search(line), line


def test_a_cache_inside_the_scanned_folder_is_not_read_as_input(tmp_path: Path) -> None:
    # XDG_CACHE_HOME=$PWD/.cache: the second scan of "." walks past pacscan's own entries
    repo = _repo(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(repo / ".cache")}
    env.pop("PACSCAN_NO_CACHE", None)
    command = [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "--no-config"]
    command += [".", "--policies", "policies", "--format", "json"]
    for _ in range(2):
        done = subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
        report = json.loads(done.stdout)
        assert (done.returncode, report["errors"]) == (1, [])
        assert _failed(report) == [("PAC-CACHE-001", "Logs")]
    assert any((repo / ".cache" / "pacscan").rglob("*.ast"))
