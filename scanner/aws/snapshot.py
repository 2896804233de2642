"""Assemble a snapshot and write it as JSON (gzip-compressed for a ``.gz`` name).

The format is described by ``scanner/data/snapshot.schema.json`` and read back by
``scanner.loaders.snapshot``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import boto3
import botocore

from scanner import __version__
from scanner.loaders.snapshot import SNAPSHOT_FORMAT, SNAPSHOT_VERSION
from scanner.report.output import write_output

if TYPE_CHECKING:
    from scanner.aws.account_stream import AccountSnapshot
    from scanner.aws.context import CollectContext


def build_snapshot(
    *,
    accounts: Sequence[str],
    regions: Sequence[str],
    services: Sequence[str],
    contexts: Iterable[CollectContext],
    setup_errors: Sequence[dict[str, Any]],
    started: datetime,
    resources: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The snapshot of the contexts' resources and errors (and of ``resources``), sorted."""
    found: list[dict[str, Any]] = list(resources)
    errors: list[dict[str, Any]] = list(setup_errors)
    for ctx in contexts:
        found.extend(ctx.resources)
        errors.extend(ctx.errors)
    found.sort(key=lambda r: (r["account"], r["region"], r["type"], r["id"]))
    errors.sort(key=lambda e: (e["account"], e["region"], e["service"], e["operation"]))
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "tool": {
            "name": "pacscan",
            "version": __version__,
            "boto3": boto3.__version__,
            "botocore": botocore.__version__,
        },
        "collected_at": _timestamp(started),
        "finished_at": _timestamp(datetime.now(timezone.utc)),
        "accounts": sorted(accounts),
        "regions": list(regions),
        "services": list(services),
        "resources": found,
        "errors": errors,
    }


def merge_snapshots(
    parts: Sequence[AccountSnapshot], *, services: Sequence[str], started: datetime
) -> dict[str, Any]:
    """One snapshot of the accounts' snapshots, as if collected in one piece.

    Its ``accounts`` are those that were read; when none could be, those with errors.
    """
    read = [p.account for p in parts if p.collected]
    snapshot = build_snapshot(
        accounts=read or sorted({p.account for p in parts}),
        regions=sorted({r for p in parts for r in p.snapshot["regions"]}),
        services=services,
        contexts=[],
        setup_errors=[e for p in parts for e in p.snapshot["errors"]],
        started=started,
        resources=[r for p in parts for r in p.snapshot["resources"]],
    )
    return snapshot


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def write_snapshot(snapshot: dict[str, Any], path: str) -> None:
    """Write ``snapshot`` to ``path`` atomically (``scanner.report.output``); ``-`` is stdout.

    A file that cannot be written raises ``OutputError`` and leaves any previous one.
    """
    write_output(path, encode_snapshot(snapshot, path), "snapshot")


def encode_snapshot(snapshot: dict[str, Any], path: str) -> bytes:
    """The bytes of the file ``path`` holding ``snapshot`` (gzip for a ``.gz`` name)."""
    data = json.dumps(snapshot, indent=1, sort_keys=False).encode("utf-8") + b"\n"
    if path.endswith(".gz") and path != "-":
        data = gzip.compress(data, compresslevel=6, mtime=0)
    return data
