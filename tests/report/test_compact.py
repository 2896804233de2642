"""Compact JSON lines and batches: the text ``json.dumps`` writes, in fewer pieces."""

from __future__ import annotations

import json
from typing import Any

import pytest
from report_fixtures import VERSIONING, Factory, finding, scan_result

from scanner.report import json_report, sarif
from scanner.report.compact import BATCH, batched, compact
from scanner.result import ReportOptions

VALUES: list[Any] = [
    {"b": [1, 2.5, None, True, False], "a": {"z": "é", "y": "\u2028 \x7f"}},
    [],
    {},
    "plain",
    1e300,
    -0.0,
    {"nan": float("nan"), "inf": float("inf")},
    [[[["deep"]]]],
    {"\ud800": "lone surrogate"},
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("sort_keys", [False, True])
def test_compact_is_json_dumps(value: Any, sort_keys: bool) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=sort_keys)
    assert compact(value, sort_keys=sort_keys) == expected


def test_compact_rejects_what_json_rejects() -> None:
    with pytest.raises(TypeError):
        compact({"set": {1}})


@pytest.mark.parametrize("count", [0, 1, BATCH - 1, BATCH, BATCH + 1, 3 * BATCH])
def test_batched_keeps_every_item_in_order(count: int) -> None:
    batches = list(batched(range(count)))
    assert [n for batch in batches for n in batch] == list(range(count))
    assert all(0 < len(batch) <= BATCH for batch in batches)


@pytest.mark.parametrize("count", [1, BATCH, BATCH + 1, 2 * BATCH + 3])
def test_reports_list_every_finding_across_batches(make: Factory, count: int) -> None:
    resources = make.resources(make.document())
    findings = [
        finding(VERSIONING, resources["Logs"], message=f"finding {n} \u202e") for n in range(count)
    ]
    result = scan_result(make.root, findings, [])
    options = ReportOptions(tool_version="1.2.3")
    data = json.loads(json_report.render(result, options))
    assert [f["message"] for f in data["findings"]] == [f"finding {n} \u202e" for n in range(count)]
    text = sarif.render(result, options)
    assert "\u202e" not in text  # escaped in every batch
    results = json.loads(text)["runs"][0]["results"]
    assert sorted(r["message"]["text"].rstrip(".") for r in results) == sorted(
        f"finding {n} \u202e" for n in range(count)
    )
