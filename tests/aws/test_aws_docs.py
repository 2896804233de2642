"""docs/aws.md names every service ``--service`` accepts and every type a collector makes."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.aws.registry import all_collectors, service_names

DOC = (Path(__file__).resolve().parents[2] / "docs" / "aws.md").read_text(encoding="utf-8")


def test_service_option_lists_every_service() -> None:
    row = next(line for line in DOC.splitlines() if line.startswith("| `--service S`"))
    assert re.findall(r"`([a-z0-9]+)`", row.split("only these services:")[1]) == service_names()


def test_every_collected_type_has_a_row() -> None:
    rows = set(re.findall(r"^\| `([A-Za-z0-9:]+)` \|", DOC, re.M))
    collected = {t for collector in all_collectors() for t in collector.types}
    assert collected - rows == set()
