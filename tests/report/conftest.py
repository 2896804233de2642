"""Fixtures for report tests (builders live in report_fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import Factory, sarif_schema_validator


@pytest.fixture
def make(tmp_path: Path) -> Factory:
    return Factory(tmp_path)


@pytest.fixture(scope="session")
def sarif_validator() -> Callable[[str], dict[str, Any]]:
    return sarif_schema_validator()
