"""Finding and reading policy files: which files, under which names, with what text or error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.lang.sources import _MAX_BYTES, discover_policy_files, read_source

POLICY = 'policy "X-1" { assert true }\n'


def _found(root: Path | str) -> list[tuple[str, str, str | None, str | None]]:
    return [(s.path, s.text, s.error, s.module) for s in discover_policy_files([root])]


def test_a_tree_of_policies_is_found_sorted_with_modules_named(tmp_path: Path) -> None:
    for name in ("b/z.policy", "b/a.policy", "a.policy", "lib/net.policy", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(POLICY)
    (tmp_path / "dir.policy").mkdir()  # a directory named like a policy is searched
    (tmp_path / "dir.policy" / "in.policy").write_text(POLICY)
    root = str(tmp_path)
    assert _found(tmp_path) == [
        (f"{root}/a.policy", POLICY, None, None),
        (f"{root}/b/a.policy", POLICY, None, None),
        (f"{root}/b/z.policy", POLICY, None, None),
        (f"{root}/dir.policy/in.policy", POLICY, None, None),
        (f"{root}/lib/net.policy", POLICY, None, "net"),
    ]


def test_paths_are_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.policy").write_text(POLICY)
    monkeypatch.chdir(tmp_path)
    assert [p for p, *_ in _found(".")] == ["sub/a.policy"]
    assert [p for p, *_ in _found("./sub/")] == ["sub/a.policy"]
    assert [p for p, *_ in _found("sub/a.policy")] == ["sub/a.policy"]


def test_symbolic_links_are_followed_inside_the_directory_only(tmp_path: Path) -> None:
    root, outside = tmp_path / "policies", tmp_path / "outside"
    (root / "real").mkdir(parents=True)
    outside.mkdir()
    (root / "real" / "a.policy").write_text(POLICY)
    (outside / "b.policy").write_text(POLICY)
    (root / "in.policy").symlink_to(root / "real" / "a.policy")
    (root / "out.policy").symlink_to(outside / "b.policy")
    (root / "linked_in").symlink_to(root / "real")  # not searched twice
    (root / "linked_out").symlink_to(outside)
    (root / "broken.policy").symlink_to(root / "gone.policy")
    found = {p.removeprefix(f"{root}/"): (text, error) for p, text, error, _ in _found(root)}
    refused = f"not followed: a symbolic link out of {str(root)!r}"
    assert found == {
        "broken.policy": ("", found["broken.policy"][1]),
        "in.policy": (POLICY, None),
        "linked_out": ("", refused),
        "out.policy": ("", refused),
        "real/a.policy": (POLICY, None),
    }
    assert (found["broken.policy"][1] or "").startswith("cannot be read")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", None),
        (POLICY.encode(), None),
        ("# é ü\n".encode() * 3, None),
        (b"tab\tform\x0cfeed\r\n", None),
        ("é\x00".encode(), "binary data (a control character at offset 1)"),
        (b"x\x7f", "binary data (a control character at offset 1)"),
        (b"\xff", "not UTF-8 text (bad byte at offset 0)"),
        (b"a" * _MAX_BYTES, None),
        (b"a" * (_MAX_BYTES + 1), f"larger than {_MAX_BYTES:,} bytes"),
    ],
    ids=["empty", "policy", "accents", "whitespace", "nul", "del", "latin1", "limit", "over"],
)
def test_a_file_is_read_whole_or_refused_with_a_reason(
    tmp_path: Path, data: bytes, error: str | None
) -> None:
    path = tmp_path / "a.policy"
    path.write_bytes(data)
    for entry in (path, str(path)):
        source = read_source(str(path), entry)
        assert source.error == error
        assert source.text == ("" if error else data.decode())


def test_a_fifo_or_a_missing_path_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.policy")
    assert read_source("pipe.policy", tmp_path / "pipe.policy").error == "not a regular file"
    with pytest.raises(UsageError):
        discover_policy_files([tmp_path / "missing"])
