"""Output formats. Each is a module with ``render(result, options) -> str``; one whose
reports grow with the findings also has ``chunks(result, options)``, the same text in
pieces, which a writer writes as they come."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable

from scanner.result import ReportOptions, ScanResult

Renderer = Callable[[ScanResult, ReportOptions], str]
Chunker = Callable[[ScanResult, ReportOptions], Iterable[str]]

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


def chunker(name: str) -> Chunker:
    """The format's ``chunks``, or its whole ``render`` as one piece."""
    module = importlib.import_module(REPORTERS[name])
    chunks: Chunker | None = getattr(module, "chunks", None)
    if chunks is not None:
        return chunks
    render: Renderer = module.render
    return lambda result, options: (render(result, options),)
