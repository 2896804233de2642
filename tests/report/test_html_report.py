"""The HTML report as a document: self-contained, its inline blocks allowed by hash and
nothing else, and every name from the scanned input escaped. The same pages in a real
browser: test_html_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hostile import FILE, MESSAGE, RESOURCE, hostile_result
from report_fixtures import ENCRYPTION, VERSIONING, Factory, finding, scan_result

from scanner.model import Status
from scanner.report.html import render
from scanner.report.html_assets import csp_hash
from scanner.result import ReportOptions


class Page(HTMLParser):
    """Elements with their attributes, and the text of each <script> and <style>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in self.blocks:
            self._in = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in][-1] += data
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def test_only_the_inline_blocks_may_run_and_nothing_is_loaded(make: Factory) -> None:
    res = make.resources(make.document())
    page = Page(render(scan_result(make.root, [finding(VERSIONING, res["Logs"])]), ReportOptions()))
    (meta,) = [m for m in page.tags("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    policy = dict((part.split(" ", 1) + [""])[:2] for part in (meta["content"] or "").split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == csp_hash(page.blocks["script"][0])
    assert policy["style-src"] == csp_hash(page.blocks["style"][0])
    assert len(page.blocks["script"]) == len(page.blocks["style"]) == 1
    assert not any("src" in attrs for _, attrs in page.elements)
    assert not page.tags("link") and not page.tags("iframe") and not page.tags("img")
    for anchor in page.tags("a"):
        assert (anchor["href"] or "").startswith(("#", "https://")), anchor
    assert "url(" not in page.blocks["style"][0] and "@import" not in page.blocks["style"][0]
    assert not any(re.search(r"\son[a-z]+$", key) for _, attrs in page.elements for key in attrs)


def test_names_from_a_hostile_template_stay_text(make: Factory) -> None:
    out = render(hostile_result(make), ReportOptions())
    page = Page(out)
    assert len(page.blocks["script"]) == 1  # the report's own
    assert not page.tags("img") and "&lt;b&gt;x&lt;/b&gt;" in out
    text = "".join(page.text)
    assert RESOURCE in text and FILE.split("/")[-1] in text
    assert MESSAGE.replace("\n", "\\n") in text  # control characters shown escaped
    assert "<script>alert(1)" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    rows = [attrs for attrs in page.tags("tr") if attrs.get("class") == "finding"]
    assert len(rows) == 1


def test_counts_and_breakdowns(make: Factory) -> None:
    res = make.resources(make.document())
    live = make.live("acme-logs")
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"], baseline_state="new"),
            finding(VERSIONING, res["Uploads"], baseline_state="unchanged"),
            finding(ENCRYPTION, live, baseline_state="new"),
            finding(ENCRYPTION, res["Logs"], Status.PASS, baseline_state="unchanged"),
        ],
    )
    page = Page(render(result, ReportOptions()))
    count = {a["id"]: a["data-count"] for a in page.tags("div") if a.get("data-count")}
    assert count["count-fail"] == "3" and count["count-pass"] == "1"
    assert count["count-new"] == "2" and count["count-absent"] == "0"
    services = [
        a["data-service"] for a in page.tags("tr") if "data-service" in a and a.get("class") is None
    ]
    assert services == ["S3"]
    accounts = [
        a["data-account"] for a in page.tags("tr") if a.get("class") is None and "data-account" in a
    ]
    assert accounts == ["templates", "123456789012"]
    controls = [a["data-control"] for a in page.tags("tr") if "data-control" in a]
    assert controls == ["aws-fsbp:S3.14", "cis-aws-3.0:2.1.1"]
    news = [a["data-new"] for a in page.tags("tr") if a.get("class") == "finding"]
    assert sorted(news) == ["0", "1", "1"]
    assert page.tags("input")[-1]["id"] == "new-only"
    only_new = Page(render(result, ReportOptions(new_only=True)))
    assert len([a for a in only_new.tags("tr") if a.get("class") == "finding"]) == 2
