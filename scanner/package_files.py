"""The files shipped inside pacscan: the policy library, the grammar, schemas, the modules.

``package_dir`` is ``importlib.resources.files`` for pacscan's own packages: a plain
``pathlib.Path`` of the package's directory (what ``files`` gives for a package on the file
system), found from the package's ``__file__``. Importing ``importlib.resources`` imports
``tempfile``, ``shutil``, ``random`` and the compression modules with it, about 5 ms, a
fortieth of a scan of one small template; a package that is not a directory on the file
system (inside a zip) still gets what ``files`` gives.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def package_dir(package: str) -> Traversable:
    """The directory of ``package`` (imported if it was not), as ``files(package)``."""
    origin = getattr(importlib.import_module(package), "__file__", None)
    if origin is not None and os.path.basename(origin) == "__init__.py":
        directory = os.path.dirname(origin)
        if os.path.isdir(directory):
            return Path(directory)
    from importlib.resources import files

    return files(package)


def package_modules(package: str) -> list[Traversable]:
    """The ``.py`` files of ``package``, sorted by name."""
    found = (m for m in package_dir(package).iterdir() if m.name.endswith(".py"))
    return sorted(found, key=lambda m: m.name)
