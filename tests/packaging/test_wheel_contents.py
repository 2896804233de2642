"""The wheel holds the package and nothing else.

The wheel is built, offline with the installed setuptools, from a copy of this checkout
as it is (a stale ``build/`` directory included, which is how files that are not in the
sources used to reach the wheel). Every file in the wheel must be a file of ``scanner/``,
``grammar/`` or ``policies/`` as pyproject.toml maps them, or be ``*.dist-info``; and
every module and package-data file pyproject.toml declares must be in it. The one
exception is what ``setup.py`` writes into the build: the built-in library parsed and
indexed (``scanner/_seed``), which the wheel's own code must then use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

ROOT = Path(__file__).resolve().parents[2]
SEED = "scanner/_seed/"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "*_cache", ".hypothesis", "dist"
)


def package_dirs(source: Path) -> dict[str, str]:
    """Package name -> its directory in the source tree, as pyproject.toml declares them."""
    config = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    mapped: dict[str, str] = setuptools.get("package-dir", {})
    return {p: mapped.get(p, p.replace(".", "/")) for p in setuptools["packages"]}


def source_of(name: str, dirs: dict[str, str]) -> str | None:
    """The source file a wheel entry was built from (None: outside every package)."""
    folder, _, file = name.rpartition("/")
    package = folder.replace("/", ".")
    for owner in sorted(dirs, key=len, reverse=True):
        if package == owner or package.startswith(owner + "."):
            inner = package[len(owner) :].lstrip(".").replace(".", "/")
            return "/".join(p for p in (dirs[owner], inner, file) if p)
    return None


def expected_files(source: Path) -> set[str]:
    """The wheel entries pyproject.toml asks for: every module, and the package data."""
    config = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"].get("package-data", {})
    dirs = package_dirs(source)
    found = set()
    for package, folder in dirs.items():
        prefix = package.replace(".", "/")
        for pattern in ["*.py", *data.get(package, [])]:
            for path in (source / folder).glob(pattern):
                if path.is_file() and "__pycache__" not in path.parts:
                    found.add(f"{prefix}/{path.relative_to(source / folder).as_posix()}")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the source copy, the wheel built from it)."""
    source = tmp_path_factory.mktemp("checkout") / "pacscan"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("pacscan-*.whl")
    return source, wheel


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_every_wheel_file_comes_from_the_package_sources(built: tuple[Path, Path]) -> None:
    source, wheel = built
    dirs = package_dirs(source)
    stray = []
    for name in wheel_names(wheel):
        if name.split("/")[0].endswith(".dist-info") or name.startswith(SEED):
            continue
        origin = source_of(name, dirs)
        if origin is None or not (source / origin).is_file():
            stray.append(name)
    assert stray == []


def test_every_package_source_file_ships(built: tuple[Path, Path]) -> None:
    source, wheel = built
    names = set(wheel_names(wheel))
    assert sorted(expected_files(source) - names) == []
    assert {"scanner/grammar/policy.lark", "scanner/data/snapshot.schema.json"} <= names
    assert not any(name.startswith(("tests/", "build/", "fixtures/")) for name in names)


def test_the_wheel_carries_the_library_parsed_and_indexed(built: tuple[Path, Path]) -> None:
    source, wheel = built
    names = wheel_names(wheel)
    policies = [p for p in (source / "policies").rglob("*.policy") if p.is_file()]
    assert len([n for n in names if n.startswith(SEED + "ast/")]) == len(policies)
    assert len([n for n in names if n.startswith(SEED + "index/")]) == 1
    assert len([n for n in names if n.startswith(SEED) and n.endswith(".tables")]) == 1


def test_the_wheel_scans_without_parsing_a_policy(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Unpacked and imported first on the path, with an empty cache directory and a parser
    that fails if called, the wheel's code scans the example as a parse would."""
    _, wheel = built
    unpacked = tmp_path / "wheel"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    code = f"""
import sys
sys.path.insert(0, {str(unpacked)!r})
import scanner
assert scanner.__file__.startswith({str(unpacked)!r}), scanner.__file__
import lark
def refuse(*args, **kwargs):
    raise AssertionError("a policy file was parsed or the grammar built")
lark.Lark.parse = refuse
lark.Lark.__init__ = refuse
from scanner.cli import main
main(["scan", {str(ROOT / "fixtures" / "example" / "app.yaml")!r}, "--fail-on", "critical"])
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("PACSCAN_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "13 failed, 19 passed, 3 skipped" in done.stdout
    cache = tmp_path / "cache" / "pacscan"
    assert any((cache / "index").iterdir())  # the seeded index, kept for the next run
    # the seeded index spares compiling the library: only the files of the example's
    # resource types were compiled (and checked), not all of them
    assert 0 < len(list((cache / "ast").glob("*.clean"))) < 40


def test_wheel_metadata_carries_the_spdx_license(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode("utf-8").split("\n\n", 1)[0].splitlines()
    assert "License-Expression: Apache-2.0" in headers


def test_build_output_is_not_tracked() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--", "build", "dist"], cwd=ROOT, capture_output=True, text=True
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""


def test_every_package_of_the_source_tree_is_declared() -> None:
    """A package directory pyproject.toml does not list is left out of the wheel, and only
    a non-editable install (the README's first command) finds out."""
    declared = set(package_dirs(ROOT))
    present = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "scanner").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert sorted(present - declared) == []
