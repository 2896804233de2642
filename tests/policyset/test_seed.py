"""The seed: the built-in library parsed and indexed when the wheel is built.

One seed is written into a temporary directory (as ``setup.py`` does into the build) and
put where the package would hold it. What it gives must be exactly what parsing and
compiling give, with locations in the files as installed, and anything it does not match
(an edited file, other params, a user's policy, a damaged entry) must be parsed or compiled
as if there were no seed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.lang import seed
from scanner.lang.parser import parse_file
from scanner.lang.sources import PolicySource, builtin_policy_dir, find_policy_files
from scanner.policyset.compiler import compile_sources
from scanner.policyset.seed import seeded_index, write


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("seed")
    count = write(str(target))
    assert count == len(find_policy_files([builtin_policy_dir()]))
    return target


@pytest.fixture
def seeded(written: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(seed, "seed_dir", lambda: str(written))
    yield written


def library_sources() -> list[PolicySource]:
    return [entry.read() for entry in find_policy_files([builtin_policy_dir()])]


def test_a_seeded_tree_is_the_parsed_tree_of_the_installed_file(seeded: Path) -> None:
    sources = library_sources()
    for source in sources[:: max(1, len(sources) // 25)]:
        tree = seed.seeded_tree(source.path, source.text)
        assert tree == parse_file(source.path, source.text), source.path
        assert tree is not None and tree.path == source.path


def test_an_edited_or_outside_file_is_not_seeded(seeded: Path, tmp_path: Path) -> None:
    source = library_sources()[0]
    assert seed.seeded_tree(source.path, source.text + "\n") is None
    outside = tmp_path / "mine.policy"
    outside.write_text(source.text)
    assert seed.seeded_tree(str(outside), source.text) is None


def test_a_damaged_entry_is_ignored(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = library_sources()[0]
    name = seed.tree_name(seed.tree_key(seed.library_path(source.path) or "", source.text))
    entry = (seeded / name).read_bytes()
    monkeypatch.setattr(seed, "read_seed", lambda asked: entry[:-40] if asked == name else None)
    assert seed.seeded_tree(source.path, source.text) is None


def test_the_seeded_index_is_what_compiling_the_library_gives(seeded: Path) -> None:
    sources = library_sources()
    stored = seeded_index(sources, {})
    compiled = compile_sources(sources, {}, warn=False)
    expected = [(p.info.source.file, p.info) for p in compiled.program.policies if p.info.source]
    assert stored is not None and len(stored) == len(expected) > 250
    assert stored == expected
    assert all(os.path.isfile(path) for path, _ in stored)


def test_the_index_is_seeded_for_the_library_as_built_only(seeded: Path, tmp_path: Path) -> None:
    sources = library_sources()
    assert seeded_index(sources, {"any_param": 90}) is None  # --param given
    assert seeded_index(sources[1:], {}) is None  # a selection of files
    first = sources[0]
    edited = PolicySource(first.path, first.text + " ", first.error, first.root, first.module)
    assert seeded_index([edited, *sources[1:]], {}) is None
    mine = tmp_path / "mine.policy"
    mine.write_text(first.text)
    moved = PolicySource(str(mine), first.text, None, tmp_path, None)
    assert seeded_index([moved, *sources[1:]], {}) is None


def test_without_a_seed_nothing_is_seeded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed, "seed_dir", lambda: None)
    sources = library_sources()
    assert seed.seeded_tree(sources[0].path, sources[0].text) is None
    assert seeded_index(sources, {}) is None
