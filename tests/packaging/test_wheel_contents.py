"""The wheel holds the package and nothing else.

The wheel is built, offline with the installed setuptools, from a copy of this checkout
as it is (a stale ``build/`` directory included, which is how files that are not in the
sources used to reach the wheel). Every file in the wheel must come from ``scanner/``,
``grammar/`` or ``policies/`` as pyproject.toml maps them, or be ``*.dist-info``; and
every shipped source file of those directories must be in it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where each top-level source directory lands inside the wheel.
MAPPING = {"scanner": "scanner", "grammar": "scanner/grammar", "policies": "scanner/policies"}
# What pyproject.toml ships from those directories (package-data and modules).
SHIPPED = {
    "scanner": {".py", ".typed", ".json", ".yaml"},
    "grammar": {".py", ".lark"},
    "policies": {".py", ".policy", ".yaml", ".md"},
}
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "*_cache", ".hypothesis", "dist"
)


def expected_files(source: Path) -> set[str]:
    """The wheel paths of the shipped files found in the source tree ``source``."""
    found = set()
    for top, inside in MAPPING.items():
        for path in (source / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                data_file = top == "scanner" and path.parent.name == "data"
                suffixes = SHIPPED[top] if top != "scanner" or data_file else {".py", ".typed"}
                if path.suffix in suffixes:
                    found.add(f"{inside}/{path.relative_to(source / top).as_posix()}")
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
    allowed = expected_files(source)
    stray = [
        name
        for name in wheel_names(wheel)
        if name not in allowed and not name.split("/")[0].endswith(".dist-info")
    ]
    assert stray == []


def test_every_package_source_file_ships(built: tuple[Path, Path]) -> None:
    source, wheel = built
    names = set(wheel_names(wheel))
    assert sorted(expected_files(source) - names) == []
    assert {"scanner/grammar/policy.lark", "scanner/data/snapshot.schema.json"} <= names
    assert not any(name.startswith(("tests/", "build/", "fixtures/")) for name in names)


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
