"""A stamp changes with any change to its files, and a value is remembered by its stamp."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scanner import stamps
from scanner.stamps import contents_digest, remembered, stamp


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    return tmp_path / "cache" / "pacscan" / stamps.SUBDIR


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as changed long ago (the test waits out the tick of
    the file system's clock itself)."""
    monkeypatch.setattr(stamps, "RECENT", -10_000_000_000)


def _write(path: Path, text: str) -> None:
    time.sleep(0.02)  # a later tick of the file system's clock than the last write
    path.write_text(text)


def test_a_file_changed_just_now_has_no_stamp(tmp_path: Path) -> None:
    path = tmp_path / "a.policy"
    path.write_text("x")
    assert stamp([str(path)]) is None
    old = time.time() - 3600
    os.utime(path, (old, old))  # its status-change time is still now
    assert stamp([str(path)]) is None


@pytest.mark.usefixtures("settled")
def test_a_stamp_changes_with_any_change_to_its_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.policy", tmp_path / "b.policy"
    a.write_text("one")
    b.write_text("two")
    first = stamp([str(a), str(b)])
    assert first is not None
    assert stamp([str(a), str(b)]) == first
    assert stamp([str(a), str(b)], "params") != first
    assert stamp([str(b), str(a)]) != first
    assert stamp([str(a)]) != first

    info = a.stat()
    _write(a, "ONE")  # same size
    os.utime(a, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same modification time
    assert stamp([str(a), str(b)]) != first

    second = stamp([str(a), str(b)])
    replacement = tmp_path / "new"
    _write(replacement, "ONE")
    os.replace(replacement, a)  # as an editor saves
    assert stamp([str(a), str(b)]) != second


@pytest.mark.usefixtures("settled")
def test_what_is_not_a_regular_file_has_no_stamp(tmp_path: Path) -> None:
    assert stamp([str(tmp_path / "missing")]) is None
    assert stamp([str(tmp_path)]) is None
    assert stamp([None]) is None


@pytest.mark.usefixtures("settled")
def test_a_value_is_computed_once_per_stamp(cache_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.policy"
    path.write_text("one")
    calls: list[str] = []

    def compute() -> str:
        calls.append(path.read_text())
        return calls[-1].upper()

    key = stamp([str(path)])
    assert remembered("test", key, compute) == "ONE"
    assert remembered("test", key, compute) == "ONE"
    assert remembered("other", key, compute) == "ONE"
    assert calls == ["one", "one"]
    _write(path, "two")
    assert remembered("test", stamp([str(path)]), compute) == "TWO"
    assert remembered("test", None, compute) == "TWO"  # no stamp: computed every time
    assert len(calls) == 4


@pytest.mark.usefixtures("settled")
def test_an_entry_that_is_not_what_was_written_is_computed_again(
    cache_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "a.policy"
    path.write_text("one")
    key = stamp([str(path)])
    assert key is not None
    remembered("test", key, lambda: "first")
    (entry,) = cache_home.iterdir()
    for body in (b"not json", b'{"kind": "test", "key": "other", "value": "x"}', b"[1]"):
        entry.write_bytes(body)
        assert remembered("test", key, lambda: "again") == "again"


@pytest.mark.usefixtures("settled")
def test_contents_are_hashed_whether_remembered_or_read(cache_home: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_bytes(b"import os\n")
    b.write_bytes(b"x = 1\n")
    first = contents_digest("code", [a, b])
    assert contents_digest("code", [a, b]) == first  # from the entry
    _write(b, "x = 2\n")
    assert contents_digest("code", [a, b]) != first
    _write(b, "x = 1\n")
    assert contents_digest("code", [a, b]) == first  # new times, the same contents
