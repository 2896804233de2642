"""Suppressions: findings a team has reviewed and accepted, with the reason why.

Three forms, tried in this order for each ``fail`` or ``unknown`` finding:

1. An inline comment in the template, on the resource's line (its logical id), on the
   finding's line, or on the comment lines directly above either::

       # pacscan:ignore PAC-S3-014 logs are write-once, versioning adds nothing
       LogsBucket:

   Several ids may be given separated by commas (``PAC-S3-014,PAC-S3-001``).
2. CloudFormation resource ``Metadata``::

       Metadata:
         pacscan:
           ignore:
             - id: PAC-S3-014
               reason: logs are write-once

3. Entries of the config file (``suppressions:`` in ``.pacscan.yaml``), matching on any
   of policy id, resource id (both ``fnmatch`` patterns) and file (a glob on the path
   relative to the scan root, matched like ``--include``: ``**`` crosses directories, a
   pattern without ``/`` matches in any directory, a directory matches what is in it),
   with an optional ``expires`` date.

Forms 1 and 2 are ``inSource`` suppressions, form 3 ``external``. A suppressed finding
gets status ``suppressed`` and ``triage.suppression``: a ``Suppressed`` with the kind, the
justification and the status it had.

Warnings (diagnostics with ``severity="warning"``, reported once per suppression, only
when it matches a finding): a suppression without a reason still applies but is
reported (S002); an entry past its ``expires`` date no longer applies and says so
(S003); a malformed ``Metadata`` entry or a comment without a policy id is ignored and
reported (S001, S004).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from scanner.discovery import Glob
from scanner.errors import Diagnostic
from scanner.model import Document, Finding, Location, Status, Suppressed
from scanner.triage.locations import finding_file

SUPPRESSIBLE = (Status.FAIL, Status.UNKNOWN)
_REASON_HINT = {
    "comment": "write it after the id: # pacscan:ignore ID reason",
    "metadata": "give the entry a reason: {id: ID, reason: ...}",
    "config": "give the entry a reason: key",
}
_DIRECTIVE = re.compile(r"#\s*pacscan:ignore\b[ \t]*(?P<ids>[^\s#]*)[ \t]*(?P<reason>.*)$")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppression from any source. ``None`` matchers match everything."""

    origin: str  # "comment" | "metadata" | "config"
    policy: str | None = None
    resource: str | None = None
    file: str | None = None
    reason: str | None = None
    expires: date | None = None
    location: Location | None = None
    source_line: str | None = None

    @property
    def kind(self) -> str:
        """SARIF suppression kind: written in the template, or outside it."""
        return "external" if self.origin == "config" else "inSource"

    def matches(self, finding: Finding, file: str | None) -> bool:
        if self.policy is not None and not fnmatchcase(finding.policy.id, self.policy):
            return False
        if self.resource is not None and not fnmatchcase(finding.resource.id, self.resource):
            return False
        return self.file is None or (file is not None and glob_match(self.file, file))


def apply_suppressions(
    findings: Iterable[Finding],
    configured: Sequence[Suppression] = (),
    *,
    root: str,
    today: date,
) -> tuple[list[Finding], list[Diagnostic]]:
    """Findings with suppressions applied, and the warnings the suppressions raised."""
    suppressor = Suppressor(configured, root=root, today=today)
    out = suppressor.apply(findings)
    return out, suppressor.finish()


def _suppressed(finding: Finding, rule: Suppression) -> Finding:
    suppressed = Suppressed(rule.kind, rule.reason or None, finding.status)
    triage = replace(finding.triage, suppression=suppressed)
    return replace(finding, status=Status.SUPPRESSED, triage=triage)


class Suppressor:
    """Suppressions applied one input at a time: ``apply`` each input's findings (a file,
    or the files of one Terraform module) in turn, then ``finish`` for the warnings.

    Nothing of an input is kept once ``apply`` returns but its directives' warnings: the
    inline directives of its documents are read while its findings are matched, and a
    directive that suppressed nothing there is held until ``finish`` knows whether its
    policy ran anywhere in the scan. The warnings come out as if every finding of the
    scan had been matched in one pass.
    """

    def __init__(self, configured: Sequence[Suppression], *, root: str, today: date) -> None:
        self.configured = configured
        self.root = root
        self.state = _State(today)
        self.ran: set[str] = set()  # ids of the policies with a finding in the scan
        self.pending: list[_Later] = []  # warnings that wait for the end of the scan

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """One input's findings with suppressions applied."""
        state = self.state
        out = []
        findings = list(findings)
        for finding in findings:
            self.ran.add(finding.policy.id)
            if finding.status not in SUPPRESSIBLE:
                out.append(finding)
                continue
            file = finding_file(finding, self.root)
            rules = [*state.in_source(finding), *_metadata(finding, state), *self.configured]
            rule = state.first_match(finding, file, rules)
            out.append(_suppressed(finding, rule) if rule is not None else finding)
        self.pending.extend(state.unused(findings))
        return out

    def finish(self) -> list[Diagnostic]:
        """Every warning raised, those about unused directives last (in input order)."""
        for later in self.pending:
            if later.code != "S005" or later.rule.policy in self.ran:
                self.state.warn(later.rule, later.code, later.message, later.hint)
        self.pending = []
        return self.state.diagnostics


@dataclass(frozen=True, slots=True)
class _Later:
    """A warning about a directive, raised once the whole scan has been matched."""

    rule: Suppression
    code: str
    message: str
    hint: str | None = None


class _State:
    """The directives of the input being matched, and the warnings raised so far."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[str, str, Location | None]] = set()
        # Of the input being matched, by id(document): its directives, and the ids of
        # the directives that matched a finding (both alive until ``unused`` clears them)
        self._documents: dict[int, _Directives | None] = {}
        self._used: set[int] = set()

    def first_match(
        self, finding: Finding, file: str | None, rules: Iterable[Suppression]
    ) -> Suppression | None:
        for rule in rules:
            if not rule.matches(finding, file):
                continue
            if rule.expires is not None and rule.expires < self.today:
                self.warn(
                    rule, "S003", f"{_describe(rule)} expired on {rule.expires}; reported again"
                )
                continue
            if not rule.reason:
                self.warn(
                    rule, "S002", f"{_describe(rule)} has no reason", _REASON_HINT[rule.origin]
                )
            self._used.add(id(rule))
            return rule
        return None

    def unused(self, findings: Sequence[Finding]) -> list[_Later]:
        """The inline directives of the documents of ``findings`` that matched none of
        them (each a warning if its policy ran in the scan), then forget the input.

        Such a directive usually outlived the problem it excused (or names the wrong
        policy); directives for policies not run in this scan are left alone. A
        document read only now (none of its findings could be suppressed) holds its
        malformed directives' warnings back with them, in the same order.
        """
        later: list[_Later] = []
        documents = {id(f.resource.document): f.resource.document for f in findings}
        for document in documents.values():
            parsed = self.directives(document, later)
            if parsed is None:
                continue
            for rules in parsed.by_line.values():
                for rule in rules:
                    if id(rule) not in self._used:
                        later.append(_Later(rule, "S005", f"{_describe(rule)} suppresses nothing"))
        self._documents.clear()
        self._used.clear()
        return later

    def warn(self, rule: Suppression, code: str, message: str, hint: str | None = None) -> None:
        key = (code, message, rule.location)
        if key in self._reported:
            return
        self._reported.add(key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                location=rule.location,
                source_line=rule.source_line,
                severity="warning",
                hint=hint,
            )
        )

    def in_source(self, finding: Finding) -> list[Suppression]:
        """Inline directives on or directly above the resource's and the finding's lines."""
        parsed = self.directives(finding.resource.document)
        if parsed is None:
            return []
        found: list[Suppression] = []
        for line in _anchor_lines(finding):
            found.extend(parsed.by_line.get(line, ()))
            above = line - 1
            while above in parsed.comments:
                found.extend(parsed.by_line.get(above, ()))
                above -= 1
        return found

    def directives(
        self, document: Document | None, later: list[_Later] | None = None
    ) -> _Directives | None:
        """The inline directives of a document (None when it has none), found in one pass
        over its text the first time any finding of the document asks: the work per
        finding is a few dictionary lookups, not a search of the text. The warnings
        about malformed ones go to ``later`` when given, else out at once."""
        if document is None or not document.text:
            return None
        key = id(document)
        if key not in self._documents:
            has_any = "pacscan:ignore" in document.text
            self._documents[key] = self._parse(document, later) if has_any else None
        return self._documents[key]

    def _parse(self, document: Document, later: list[_Later] | None) -> _Directives:
        parsed = _Directives()
        for number, text in enumerate((document.text or "").splitlines(), start=1):
            if text.lstrip().startswith("#"):
                parsed.comments.add(number)
            match = _DIRECTIVE.search(text)
            if match is None:
                continue
            location = Location(document.path, number, match.start() + 1, number, len(text) + 1)
            ids = [i for i in match.group("ids").split(",") if i]
            if not ids:
                probe = Suppression("comment", location=location, source_line=text)
                hint = "# pacscan:ignore ID reason"
                message = "pacscan:ignore needs a policy id"
                if later is None:
                    self.warn(probe, "S001", message, hint)
                else:
                    later.append(_Later(probe, "S001", message, hint))
                continue
            reason = match.group("reason").strip() or None
            parsed.by_line[number] = [
                Suppression("comment", policy=i, reason=reason, location=location, source_line=text)
                for i in ids
            ]
        return parsed


class _Directives:
    """The ``pacscan:ignore`` comments of one document, and its comment-only lines."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[Suppression]] = {}
        self.comments: set[int] = set()


def _anchor_lines(finding: Finding) -> list[int]:
    lines = []
    document = finding.resource.document
    span = document.positions.get(finding.resource.path) if document is not None else None
    if span is not None:
        lines.append((span.key or span.value).line)
    where = finding.location
    # a finding may point into another file than its resource's document (a Terraform
    # setting folded into the bucket it configures): its line means nothing here
    if where is not None and document is not None and where.file == document.path:
        if where.line not in lines:
            lines.append(where.line)
    return lines


def _metadata(finding: Finding, state: _State) -> list[Suppression]:
    """``Metadata: {pacscan: {ignore: [{id, reason}]}}`` of a CloudFormation resource."""
    resource = finding.resource
    metadata = resource.body.get("Metadata")
    config = metadata.get("pacscan") if isinstance(metadata, Mapping) else None
    entries = config.get("ignore") if isinstance(config, Mapping) else None
    if entries is None:
        return []
    base = ("Metadata", "pacscan", "ignore")
    if not isinstance(entries, list):
        state.warn(
            _at(finding, base), "S004", "Metadata pacscan.ignore must be a list of {id, reason}"
        )
        return []
    rules = []
    for index, entry in enumerate(entries):
        rule = _metadata_entry(entry, _at(finding, (*base, index)))
        if rule is None:
            state.warn(
                _at(finding, (*base, index)), "S004", "Metadata pacscan.ignore entries need an id"
            )
        else:
            rules.append(rule)
    return rules


def _metadata_entry(entry: Any, where: Suppression) -> Suppression | None:
    if isinstance(entry, str) and entry:
        return replace(where, policy=entry)
    if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not entry["id"]:
        return None
    reason = entry.get("reason")
    return replace(where, policy=entry["id"], reason=str(reason) if reason else None)


def _at(finding: Finding, path: tuple[str | int, ...]) -> Suppression:
    """An empty in-source suppression located at ``path`` of the finding's resource."""
    resource = finding.resource
    document = resource.document
    span = document.positions.get(resource.path + path) if document is not None else None
    location = (span.key or span.value) if span is not None else None
    source = document.source_line(location.line) if document and location else None
    return Suppression("metadata", resource=resource.id, location=location, source_line=source)


def _describe(rule: Suppression) -> str:
    what = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("policy", rule.policy),
            ("resource", rule.resource),
            ("file", rule.file),
        )
        if value is not None
    )
    return f"suppression of {what}" if what else "suppression"


def glob_match(pattern: str, path: str) -> bool:
    """Whether ``path`` (with ``/``) matches ``pattern``, as ``--include`` globs match."""
    return _glob(pattern).matches(path, is_dir=False)


@lru_cache(maxsize=256)
def _glob(pattern: str) -> Glob:
    return Glob.compile(pattern)
