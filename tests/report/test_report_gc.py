"""Reports are rendered with the cyclic collector paused, and leave it as they found it."""

from __future__ import annotations

import gc

import pytest
from report_fixtures import OPEN_SSH, VERSIONING, Factory, finding, scan_result

from scanner.report.destinations import Destination, report_chunks
from scanner.result import ReportOptions


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_a_report_is_rendered_with_the_collector_paused(make: Factory, fmt: str) -> None:
    res = make.resources(make.document())
    found = [finding(VERSIONING, res["Logs"]), finding(OPEN_SSH, res["Bastion"])]
    result = scan_result(make.root, found)
    states = []
    pieces = report_chunks(result, Destination(fmt, None), ReportOptions())
    for piece in pieces:
        states.append(gc.isenabled())
        assert piece
    assert states[0] is False and not any(states[:-1])  # the closing newline comes after
    assert gc.isenabled()
    stopped = report_chunks(result, Destination(fmt, None), ReportOptions())
    next(stopped)
    stopped.close()  # a consumer that stops early (a failed write)
    assert gc.isenabled()
