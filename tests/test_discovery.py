from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
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
    found = relative(tmp_path, discover([str(tmp_path)]).files)
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
    assert relative(tmp_path, discover([str(tmp_path)]).files) == ["kept/template.yaml"]


def test_a_file_named_explicitly_is_taken_whatever_its_extension(tmp_path: Path) -> None:
    tree(tmp_path, "stack.txt")
    assert discover([str(tmp_path / "stack.txt")]).files == [str(tmp_path / "stack.txt")]


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        discover([str(tmp_path / "nope")])


def test_results_are_sorted_and_each_file_appears_once(tmp_path: Path) -> None:
    tree(tmp_path, "b/t.yaml", "a/t.yaml")
    found = discover([str(tmp_path / "b"), str(tmp_path), str(tmp_path / "a" / "t.yaml")]).files
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
    found = discover([str(tmp_path)], include=include, exclude=exclude).files
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
    assert relative(root, discover([str(root)]).files) == ["in.yaml"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loops_and_aliases_are_visited_once(tmp_path: Path) -> None:
    tree(tmp_path, "a/t.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias.yaml").symlink_to(tmp_path / "a" / "t.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    assert relative(tmp_path, discover([str(tmp_path)]).files) == ["a/t.yaml"]


def test_paths_are_reported_without_a_leading_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, "a.yaml", "sub/b.json")
    monkeypatch.chdir(tmp_path)
    assert discover(["."]).files == ["a.yaml", os.path.join("sub", "b.json")]
    assert discover(["./a.yaml", "a.yaml"]).files == ["a.yaml"]


def test_gzip_snapshots_are_candidates_other_archives_are_not(tmp_path: Path) -> None:
    tree(tmp_path, "snap.json.gz", "logs.tar.gz", "notes.gz")
    assert discover([str(tmp_path)]).files == [str(tmp_path / "snap.json.gz")]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "matches"),
    [
        ("a/**", "a", False, False),  # what is inside a, not a itself
        ("a/**", "a/b/c.yaml", False, True),
        ("**/**/**/c.yaml", "c.yaml", False, True),
        ("a/**/**/b/*.json", "a/x/y/b/t.json", False, True),
        ("a/**/**/b/*.json", "a/x/y/b/c/t.json", False, False),
        ("*a*a*a*b", "xaayab.yaml", False, False),
        ("*a*a*a*b*", "xaayab.yaml", False, True),
        ("**/", "t.yaml", False, False),
        ("**/", "d/t.yaml", False, True),
    ],
)
def test_segment_globs(pattern: str, path: str, is_dir: bool, matches: bool) -> None:
    assert Glob.compile(pattern).matches(path, is_dir) is matches


def test_globs_with_many_wildcards_match_in_linear_time() -> None:
    # as one regular expression, 20 nested `(?:.*/)?` and 10 `[^/]*` ran for minutes
    pattern = "**/" * 20 + "*a" * 10 + "b"
    path = "/".join(["a" * 20] * 200) + "/" + "a" * 200 + ".yaml"
    started = time.monotonic()
    for _ in range(10):
        assert Glob.compile(pattern).matches(path, False) is False
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a" * 1025, "1025 characters long, over 1024"),
        ("*" * 65, "has 65 wildcards, over 64"),
        ("?[a]" * 33, "has 66 wildcards, over 64"),
        ("**/[z-a]/*.yaml", "a character range holds nothing"),  # not a silent match-nothing
    ],
)
def test_oversized_globs_are_usage_errors(pattern: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        discover(["."], exclude=[pattern])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_sockets_under_a_directory_are_passed_over(tmp_path: Path) -> None:
    tree(tmp_path, "good.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock.json"))
        found = discover([str(tmp_path)])
    assert relative(tmp_path, found.files) == ["good.yaml"]
    assert found.errors == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_explicitly_is_an_input_error(tmp_path: Path) -> None:
    tree(tmp_path, "good.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    found = discover([str(tmp_path / "pipe.yaml"), str(tmp_path / "good.yaml")])
    assert found.files == [str(tmp_path / "good.yaml")]
    (error,) = found.errors
    assert (error.code, error.file) == ("I014", str(tmp_path / "pipe.yaml"))
    assert error.message == "not a regular file (a FIFO); only regular files are read"


def _without_read_override() -> list[str]:
    """A command prefix under which a directory with mode 000 cannot be read."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: every directory is readable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all"]


def test_an_unreadable_directory_is_an_input_error_and_the_rest_is_found(tmp_path: Path) -> None:
    tree(tmp_path, "good.yaml", "locked/hidden.yaml")
    (tmp_path / "locked").chmod(0)
    code = (
        "import json, sys\n"
        "from scanner.discovery import discover\n"
        "found = discover([sys.argv[1]])\n"
        "print(json.dumps([found.files, [[e.code, e.file, e.message] for e in found.errors]]))\n"
    )
    try:
        done = subprocess.run(
            [*_without_read_override(), sys.executable, "-c", code, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert done.returncode == 0, done.stderr
    files, errors = json.loads(done.stdout)
    assert files == [str(tmp_path / "good.yaml")]
    assert errors == [
        [
            "I010",
            str(tmp_path / "locked"),
            "cannot read directory: Permission denied; the files in it are not scanned",
        ]
    ]
