"""Output formats. Each is a module with ``render(result, options) -> str``."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from scanner.result import ReportOptions, ScanResult

Renderer = Callable[[ScanResult, ReportOptions], str]

# format name -> module; a new format is one line here.
REPORTERS: dict[str, str] = {
    "text": "scanner.report.text",
    "json": "scanner.report.json_report",
    "sarif": "scanner.report.sarif",
    "junit": "scanner.report.junit",
    "html": "scanner.report.html",
    "csv": "scanner.report.csv_report",
    "markdown": "scanner.report.markdown",
    "gitlab-sast": "scanner.report.gitlab_sast",
}


def available_formats() -> list[str]:
    return sorted(name for name, mod in REPORTERS.items() if importlib.util.find_spec(mod))


def renderer(name: str) -> Renderer:
    module = importlib.import_module(REPORTERS[name])
    render: Renderer = module.render
    return render
