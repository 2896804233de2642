"""Templates and snapshots have separate size limits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from scanner.loaders import LoadOptions, load_inputs


def _snapshot(path: Path, padding: int) -> None:
    data = {
        "format": "pacscan-snapshot",
        "version": 1,
        "tool": {"name": "pacscan", "version": "0.1.0"},
        "collected_at": "2026-11-29T00:00:00Z",
        "accounts": ["123456789012"],
        "regions": ["eu-west-1"],
        "resources": [],
        "errors": [],
        "notes": "x" * padding,
    }
    path.write_text(json.dumps(data))


def test_a_template_over_the_template_limit_is_one_error(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("Resources: {}\n# " + "x" * 5000 + "\n")
    loaded = load_inputs([str(big)], LoadOptions(max_bytes=1000, jobs=1))
    (error,) = loaded.errors
    assert "over the" in error.message and "size limit" in error.message


def test_a_snapshot_may_exceed_the_template_limit(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    _snapshot(snap, 5000)
    loaded = load_inputs([str(snap)], LoadOptions(max_bytes=1000, jobs=1))
    assert [e.message for e in loaded.errors if "size limit" in e.message] == []


def test_a_snapshot_over_the_snapshot_limit_is_one_error(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json.gz"
    with gzip.open(snap, "wt") as handle:
        handle.write(json.dumps({"format": "pacscan-snapshot", "pad": "x" * 100_000}))
    options = LoadOptions(max_bytes=10, max_snapshot_bytes=100, jobs=1)
    (error,) = load_inputs([str(snap)], options).errors
    assert "size limit" in error.message
