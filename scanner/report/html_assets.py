"""The style sheet and script of the HTML report, inlined into every report.

The script reads nothing but the page: it filters the findings table by the values of
the filter form (and the summary buttons that set them) and counts the rows shown. It
builds no HTML from data (only ``textContent``, ``hidden`` and form values), so nothing
from the scanned input can become markup or code. The page opens with every row shown
and the filters cleared (the form has ``autocomplete="off"``, so a reload does not bring
back filters that no longer match the rows), so nothing runs over the rows until a
filter changes. The report's Content-Security-Policy
allows exactly these two blocks by their SHA-256 hashes (``csp_hash``).
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { color-scheme: light dark; --line: #8884; --muted: #777; --fail: #c62828;
  --high: #e65100; --medium: #b28704; --low: #00838f; --info: #607d8b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: .2rem 0; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.meta, .muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .8rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; min-width: 7rem; }
.card b { display: block; font-size: 1.4rem; }
.breakdown { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
  gap: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .45rem;
  border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
td.sev, td.status { white-space: nowrap; }
#finding-table { table-layout: fixed; }  /* laid out from the header: fast with 10,000s of rows */
#finding-table th:nth-child(1) { width: 5.5rem; } #finding-table th:nth-child(2) { width: 6.5rem; }
#finding-table th:nth-child(3) { width: 18%; } #finding-table th:nth-child(4) { width: 14%; }
#finding-table th:nth-child(5) { width: 14%; }
td.n, th.n { text-align: right; white-space: nowrap; }
button.pick { font: inherit; background: none; border: 0; padding: 0; color: inherit;
  text-decoration: underline dotted; cursor: pointer; text-align: left; }
form#filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end;
  margin: .4rem 0 .8rem; }
form#filters label { display: flex; flex-direction: column; font-size: .8rem; }
input, select { font: inherit; padding: .2rem .3rem; }
input[type=search] { min-width: 16rem; }
.sev { font-weight: 600; text-transform: uppercase; font-size: .75rem; }
.sev-critical { color: var(--fail); } .sev-high { color: var(--high); }
.sev-medium { color: var(--medium); } .sev-low { color: var(--low); }
.sev-info { color: var(--info); }
.new { font-size: .7rem; border: 1px solid currentColor; border-radius: 3px;
  padding: 0 .2rem; margin-left: .3rem; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.help { white-space: pre-wrap; margin: .3rem 0; }
details summary { cursor: pointer; color: var(--muted); }
article.policy { border-top: 1px solid var(--line); }
[hidden] { display: none !important; }
"""

SCRIPT = """
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var texts = null;  // read on the first search: a large report opens sooner
  var form = document.getElementById("filters");
  var fields = ["severity", "status", "service", "account", "control"];
  var search = document.getElementById("search");
  var newOnly = document.getElementById("new-only");
  var shown = document.getElementById("shown");
  var none = document.getElementById("none-shown");

  function value(field) {
    return document.getElementById("filter-" + field).value;
  }

  function keeps(row, index, want, query) {
    var data = row.dataset;
    if (want.severity && data.severity !== want.severity) { return false; }
    if (want.status && data.status !== want.status) { return false; }
    if (want.service && data.service !== want.service) { return false; }
    if (want.account && data.account !== want.account) { return false; }
    if (want.control && data.controls.split(" ").indexOf(want.control) < 0) { return false; }
    if (newOnly && newOnly.checked && data.new !== "1") { return false; }
    if (query && texts === null) {
      texts = rows.map(function (each) { return each.textContent.toLowerCase(); });
    }
    return !query || texts[index].indexOf(query) >= 0;
  }

  function apply() {
    var want = {};
    fields.forEach(function (field) { want[field] = value(field); });
    var query = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row, index) {
      var keep = keeps(row, index, want, query);
      if (row.hidden === keep) { row.hidden = !keep; }
      if (keep) { count += 1; }
    });
    shown.textContent = String(count);
    none.hidden = count > 0;
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  Array.prototype.forEach.call(document.querySelectorAll("button.pick"), function (button) {
    button.addEventListener("click", function () {
      form.reset();
      document.getElementById("filter-" + button.dataset.filter).value = button.dataset.value;
      if (button.dataset.status) {
        document.getElementById("filter-status").value = button.dataset.status;
      }
      apply();
      document.getElementById("findings").scrollIntoView();
    });
  });
})();
"""


def csp_hash(source: str) -> str:
    """The CSP source expression that allows this inline block: ``'sha256-...'``."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
