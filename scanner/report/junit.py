"""JUnit XML, for CI systems that chart test results.

One ``<testsuite>`` per policy (named by its id and title), one ``<testcase>`` per
policy and resource it applies to (``classname`` = policy id, ``name`` = resource id and
file). Every finding is a test case, passed ones included, whatever ``include_passed``:

- ``fail``: ``<failure>`` (``type`` = severity), the message, location and source line
  (its secret-looking values masked, see ``scanner.redact``);
- ``error`` (evaluation failed): ``<error>``;
- ``unknown``, ``skip`` and ``suppressed``: ``<skipped>``, the message saying which.
  Unknown is not a failure because pacscan could not decide it; unknowns never change
  the exit code either.

Input errors (``ScanResult.errors``) form one more suite, ``pacscan``, with an
``<error>`` test case per file. Baseline ``absent`` results are not test cases.

Characters XML 1.0 cannot hold become U+FFFD; carriage returns, C1 controls and bidi
controls are written as character references, and the lines of a failure's text are
escaped like the text report's, so the XML printed in a CI log forges no line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from scanner.errors import Diagnostic, render_diagnostic
from scanner.escape import printable, xml_escaped
from scanner.model import Finding, PolicyInfo, Status
from scanner.redact import source_line
from scanner.result import ReportOptions, ScanResult
from scanner.triage.locations import finding_file, live_identity, ordered, relative_path

# Characters XML 1.0 cannot carry at all (a template may contain them in a string; a
# file name that is not UTF-8 holds lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_SOURCE = 400  # a minified JSON template is one very long line

_SKIP_REASON = {
    Status.UNKNOWN: "unknown",
    Status.SKIP: "not applicable",
    Status.SUPPRESSED: "suppressed",
}


def render(result: ScanResult, options: ReportOptions) -> str:
    root = ET.Element("testsuites", name="pacscan")
    by_policy = _group(ordered(result.findings, result.root))
    for policy in _policies(result, by_policy):
        if policy.id not in by_policy:
            continue  # a policy that applied to nothing has no test cases
        suite = _suite(root, f"{policy.id} {policy.title}", result)
        for finding in by_policy.get(policy.id, []):
            _testcase(suite, finding, result.root)
        _count(suite)
    if result.errors:
        suite = _suite(root, "pacscan", result)
        for diag in result.errors:
            _error_case(suite, diag, result.root)
        _count(suite)
    _count(root, of_suites=True)
    root.set("time", _seconds(result))
    _clean(root)
    ET.indent(root)
    text = xml_escaped(ET.tostring(root, "unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _group(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.policy.id, []).append(finding)
    return groups


def _policies(result: ScanResult, by_policy: dict[str, list[Finding]]) -> list[PolicyInfo]:
    known = {p.id: p for p in result.policies}
    for findings in by_policy.values():
        known.setdefault(findings[0].policy.id, findings[0].policy)
    return list(known.values())


def _suite(parent: ET.Element, name: str, result: ScanResult) -> ET.Element:
    return ET.SubElement(
        parent, "testsuite", name=name, timestamp=result.started_at.isoformat(), time="0"
    )


def _testcase(suite: ET.Element, finding: Finding, root: str) -> None:
    file = finding_file(finding, root)
    identity = live_identity(finding.resource)
    name = identity.arn if identity else finding.resource.id
    case = ET.SubElement(
        suite, "testcase", classname=finding.policy.id, name=f"{name} ({file})" if file else name
    )
    if file:
        case.set("file", file)
    if finding.location is not None:
        case.set("line", str(finding.location.line))
    if finding.status is Status.FAIL:
        failure = ET.SubElement(
            case, "failure", message=finding.message, type=finding.policy.severity.value
        )
        failure.text = _details(finding, file)
    elif finding.status is Status.ERROR:
        ET.SubElement(case, "error", message=finding.message, type="evaluation")
    elif finding.status in _SKIP_REASON:
        ET.SubElement(case, "skipped", message=_skip_message(finding))


def _skip_message(finding: Finding) -> str:
    reason = _SKIP_REASON[finding.status]
    if finding.status is Status.SUPPRESSED:
        suppression = finding.triage.suppression
        text = suppression.justification if suppression is not None else None
        return f"{reason}: {text}" if text else reason
    return f"{reason}: {finding.message}" if finding.message else reason


def _details(finding: Finding, file: str | None) -> str:
    lines = [f"{finding.policy.severity.value} {finding.policy.id}: {finding.message}"]
    loc = finding.location
    if loc is not None and file:
        lines.append(f"at {file}:{loc.line}:{loc.column}")
        document = finding.resource.document
        same = document is not None and document.path == loc.file  # not set in another file
        source = source_line(document, loc.line, _MAX_SOURCE) if same and document else None
        if source:
            lines.append(source.rstrip())
    if finding.policy.help_url:
        lines.append(f"see {finding.policy.help_url}")
    return "\n".join(printable(line) for line in lines)  # one line each, as in the text report


def _error_case(suite: ET.Element, diag: Diagnostic, root: str) -> None:
    file = diag.location.file if diag.location is not None else diag.file
    name = relative_path(file, root) if file else diag.code
    case = ET.SubElement(suite, "testcase", classname="pacscan.input", name=name)
    kind = "error" if diag.severity == "error" else "system-out"
    if kind == "error":
        element = ET.SubElement(case, "error", message=diag.message, type=diag.code)
    else:
        element = ET.SubElement(case, "system-out")
    element.text = render_diagnostic(diag)


def _count(element: ET.Element, of_suites: bool = False) -> None:
    """Set tests/failures/errors/skipped from the children."""
    cases = element.iter("testcase") if of_suites else element.findall("testcase")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for case in cases:
        totals["tests"] += 1
        totals["failures"] += case.find("failure") is not None
        totals["errors"] += case.find("error") is not None
        totals["skipped"] += case.find("skipped") is not None
    for key, value in totals.items():
        element.set(key, str(value))


def _seconds(result: ScanResult) -> str:
    return f"{max(0.0, (result.finished_at - result.started_at).total_seconds()):.3f}"


def _clean(root: ET.Element) -> None:
    """Replace characters that would make the XML unreadable."""
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
        for key, value in list(element.attrib.items()):
            element.set(key, _NOT_XML.sub("\ufffd", value))
