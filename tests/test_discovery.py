from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.discovery import Glob, discover
from scanner.errors import UsageError


def tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n")


def relative(root: Path, files: list[str]) -> list[str]:
    return [Path(f).relative_to(root).as_posix() for f in files]


def test_walks_directories_for_candidate_extensions(tmp_path: Path) -> None:
    tree(
        tmp_path,
        "a.yaml",
        "b.yml",
        "c.json",
        "d.template",
        "e.cfn",
        "f.txt",
        "G.YAML",
        "sub/deeper/h.json",
        "README.md",
    )
    found = relative(tmp_path, discover([str(tmp_path)]))
    assert found == [
        "G.YAML",
        "a.yaml",
        "b.yml",
        "c.json",
        "d.template",
        "e.cfn",
        "sub/deeper/h.json",
    ]


def test_skips_tool_and_vcs_directories(tmp_path: Path) -> None:
    tree(
        tmp_path,
        ".git/config.json",
        ".terraform/m.json",
        "node_modules/p/package.json",
        ".venv/x.yaml",
        "__pycache__/y.json",
        "kept/template.yaml",
    )
    assert relative(tmp_path, discover([str(tmp_path)])) == ["kept/template.yaml"]


def test_a_file_named_explicitly_is_taken_whatever_its_extension(tmp_path: Path) -> None:
    tree(tmp_path, "stack.txt")
    assert discover([str(tmp_path / "stack.txt")]) == [str(tmp_path / "stack.txt")]


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        discover([str(tmp_path / "nope")])


def test_results_are_sorted_and_each_file_appears_once(tmp_path: Path) -> None:
    tree(tmp_path, "b/t.yaml", "a/t.yaml")
    found = discover([str(tmp_path / "b"), str(tmp_path), str(tmp_path / "a" / "t.yaml")])
    assert relative(tmp_path, found) == ["a/t.yaml", "b/t.yaml"]


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        ([], ["*.json"], ["prod/app.yaml", "prod/vpc/net.yaml", "test/app.yaml"]),
        ([], ["test/"], ["prod/app.yaml", "prod/db.json", "prod/vpc/net.yaml"]),
        ([], ["/prod/*.yaml"], ["prod/db.json", "prod/vpc/net.yaml", "test/app.yaml"]),
        ([], ["prod/**/*.yaml"], ["prod/db.json", "test/app.yaml"]),
        ([], ["**/vpc"], ["prod/app.yaml", "prod/db.json", "test/app.yaml"]),
        (["prod/**"], [], ["prod/app.yaml", "prod/db.json", "prod/vpc/net.yaml"]),
        (["app.yaml"], [], ["prod/app.yaml", "test/app.yaml"]),
        (["prod/"], ["*.json"], ["prod/app.yaml", "prod/vpc/net.yaml"]),
        (["n?t.y[a-z]ml"], [], ["prod/vpc/net.yaml"]),
        (["*.txt"], [], []),
    ],
)
def test_include_and_exclude_globs(
    tmp_path: Path, include: list[str], exclude: list[str], expected: list[str]
) -> None:
    tree(tmp_path, "prod/app.yaml", "prod/db.json", "prod/vpc/net.yaml", "test/app.yaml", "x.txt")
    found = discover([str(tmp_path)], include=include, exclude=exclude)
    assert relative(tmp_path, found) == expected


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "matches"),
    [
        ("*.yaml", "a/b/c.yaml", False, True),
        ("a/*.yaml", "a/b/c.yaml", False, False),
        ("a/**/c.yaml", "a/c.yaml", False, True),
        ("a/**/c.yaml", "a/b/d/c.yaml", False, True),
        ("build/", "build", False, False),
        ("build/", "build", True, True),
        ("build/", "x/build/t.json", False, True),
        ("/top.json", "sub/top.json", False, False),
        ("[!a]*.json", "b.json", False, True),
        ("[!a]*.json", "a.json", False, False),
    ],
)
def test_glob_semantics(pattern: str, path: str, is_dir: bool, matches: bool) -> None:
    assert Glob.compile(pattern).matches(path, is_dir) is matches


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    tree(root, "in.yaml")
    tree(outside, "secret.yaml")
    (root / "escape-dir").symlink_to(outside, target_is_directory=True)
    (root / "escape-file.yaml").symlink_to(outside / "secret.yaml")
    assert relative(root, discover([str(root)])) == ["in.yaml"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loops_and_aliases_are_visited_once(tmp_path: Path) -> None:
    tree(tmp_path, "a/t.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias.yaml").symlink_to(tmp_path / "a" / "t.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    assert relative(tmp_path, discover([str(tmp_path)])) == ["a/t.yaml"]


def test_paths_are_reported_without_a_leading_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, "a.yaml", "sub/b.json")
    monkeypatch.chdir(tmp_path)
    assert discover(["."]) == ["a.yaml", os.path.join("sub", "b.json")]
    assert discover(["./a.yaml", "a.yaml"]) == ["a.yaml"]


def test_gzip_snapshots_are_candidates_other_archives_are_not(tmp_path: Path) -> None:
    tree(tmp_path, "snap.json.gz", "logs.tar.gz", "notes.gz")
    assert discover([str(tmp_path)]) == [str(tmp_path / "snap.json.gz")]
