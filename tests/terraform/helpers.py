"""Loading Terraform written in a test, and scanning the fixture modules."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from scanner.discovery import discover
from scanner.loaders import LoadOptions, load_inputs
from scanner.model import Resource, Status
from scanner.pipeline import Run, ScanRequest, run_scan, select_policies, triage_result
from scanner.result import ScanResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def load(root: Path, **options: Any) -> tuple[dict[str, Resource], list[Any]]:
    """Every resource of the ``.tf`` files under ``root`` by address, and the errors."""
    found = discover([str(root)])
    loaded = load_inputs(found.files, LoadOptions(jobs=1, roots=(str(root),), **options))
    return {r.id: r for r in loaded.resources}, [*found.errors, *loaded.errors]


def props(root: Path, address: str, **options: Any) -> Any:
    resources, errors = load(root, **options)
    return resources[address].properties


@functools.lru_cache(maxsize=1)
def _policies() -> Any:
    return select_policies(Run())


def scan(path: Path | str, **request: Any) -> ScanResult:
    """Scan ``path`` with the built-in policies, triaged (suppressions applied)."""
    cwd = os.getcwd()
    os.chdir(FIXTURES)
    try:
        result = run_scan(ScanRequest(paths=(str(path),), jobs=1, **request), _policies())
        return triage_result(result, Run())
    finally:
        os.chdir(cwd)


def verdicts(result: ScanResult) -> dict[tuple[str, str], tuple[Status, str | None]]:
    """(policy, resource) -> (status, file:line) of every finding."""
    out = {}
    for f in result.findings:
        where = f"{f.location.file}:{f.location.line}" if f.location is not None else None
        out[(f.policy.id, f.resource.id)] = (f.status, where)
    return out
