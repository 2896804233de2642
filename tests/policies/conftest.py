from __future__ import annotations

import pytest

from scanner.catalogue import Catalogue, load_catalogue
from scanner.engine.program import Program
from scanner.lang.sources import builtin_policy_dir, discover_policy_files
from scanner.policyset.compiler import compile_sources


@pytest.fixture(scope="session")
def program() -> Program:
    result = compile_sources(discover_policy_files([builtin_policy_dir()]))
    assert result.diagnostics == []
    return result.program


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()
