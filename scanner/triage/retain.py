"""What a scan keeps of an input once its findings are triaged: what reports read.

A finding keeps its policy, status, message, path, location, fix ops and triage. Its
resource keeps its type, id, path and origin, less what only evaluation reads (the
body; the path maps and declared names of a template origin), and its document becomes a
``QuotedDocument``: the lines the input's findings point at and the defaults of its
``NoEcho`` parameters (``scanner.redact`` masks them in those lines). The text, the
position index and the value trees go with the input, so a scan holds the documents of
one input at a time, however many files it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from scanner.model import (
    QUOTED_CHARS,
    Document,
    Finding,
    Origin,
    QuotedDocument,
    Resource,
    TemplateOrigin,
)
from scanner.redact import no_echo_values

_NO_BODY: Mapping[str, Any] = MappingProxyType({})


def retain(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` as reports need them once their documents are dropped."""
    findings = list(findings)
    wanted: dict[int, tuple[Document, dict[int, str]]] = {}  # id(document) -> its lines
    for finding in findings:
        document = finding.resource.document
        if document is None:
            continue
        lines = wanted.setdefault(id(document), (document, {}))[1]
        location = finding.location
        # a setting written in another file of the input is not quoted from this one
        if location is not None and location.file == document.path and location.line not in lines:
            line = document.source_line(location.line)
            if line is not None:
                lines[location.line] = line[:QUOTED_CHARS]
    quoted = {key: _quoted(document, lines) for key, (document, lines) in wanted.items()}
    resources: dict[int, Resource] = {}
    kept = []
    for finding in findings:
        resource = resources.get(id(finding.resource))
        if resource is None:
            resource = resources[id(finding.resource)] = _resource(finding.resource, quoted)
        kept.append(
            Finding(
                finding.policy,
                resource,
                finding.status,
                finding.message,
                finding.path,
                finding.location,
                finding.fix,
                finding.triage,
            )
        )
    return kept


def _quoted(document: Document, lines: dict[int, str]) -> Document:
    """What reports read of ``document``: the ``lines`` its findings point at (when it
    has text), its NoEcho defaults, its name."""
    if isinstance(document, QuotedDocument):
        return document
    if document.text is None:  # a snapshot read as data: its name is all reports read
        return Document(document.path, document.format)
    secrets = no_echo_values(document) if lines else frozenset()
    return QuotedDocument(document.path, document.format, lines=lines, secrets=secrets)


def _resource(resource: Resource, quoted: Mapping[int, Document]) -> Resource:
    document = quoted[id(resource.document)] if resource.document is not None else None
    return Resource(
        resource.type, resource.id, _NO_BODY, document, resource.path, _origin(resource.origin)
    )


def _origin(origin: Origin) -> Origin:
    """The origin less what only evaluation and fixes read (a live origin is kept whole:
    reports name the account, region and ARN, and a baseline the collection gaps)."""
    if type(origin) is not TemplateOrigin or not (
        origin.path_map or origin.written_at or origin.names
    ):
        return origin
    return TemplateOrigin(
        conditions=origin.conditions, not_created=origin.not_created, scope=origin.scope
    )
