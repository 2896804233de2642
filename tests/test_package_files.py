"""``package_dir`` finds pacscan's own files where ``importlib.resources.files`` does."""

from __future__ import annotations

import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from scanner.package_files import package_dir


@pytest.mark.parametrize(
    "package", ["scanner", "scanner.lang", "scanner.policies", "scanner.grammar", "scanner.data"]
)
def test_a_package_on_the_file_system_is_its_directory(package: str) -> None:
    found = package_dir(package)
    assert type(found) is type(files(package))
    assert found == files(package)
    assert found.joinpath("__init__.py").is_file()


def test_a_package_in_a_zip_is_what_files_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("zipped_package/__init__.py", "")
        out.writestr("zipped_package/data.txt", "inside")
    monkeypatch.syspath_prepend(str(archive))
    try:
        found = package_dir("zipped_package")
        assert not isinstance(found, Path)
        assert found.joinpath("data.txt").read_text() == "inside"
    finally:
        sys.modules.pop("zipped_package", None)
