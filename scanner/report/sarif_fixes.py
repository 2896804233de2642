"""SARIF ``fixes``: for each fixed finding, the exact edits ``pacscan fix`` writes for it.

A report offers only the edits of ``ScanResult.fixes``: the files ``pacscan fix`` would
write, each edited and re-scanned by ``scanner.fix`` while its document is still loaded
(``scanner.pipeline.scan_inputs``), so an edit the re-scan drops (its finding still
fails, or another policy would newly fail) is not offered. Each file's edits are made
again here (``finding_fixes``), on the text as scanned and in the same order, and
``scanner.fix.trace`` follows each one back to those bytes; a file whose replay does not
give the verified text gets no fixes. What is kept of them is a ``FindingFix`` per
finding, which ``sarif_fix`` renders. A result's fix is a list of replacements of the
original text:
``deletedRegion`` carries ``charOffset``/``charLength`` (in code points, the run's
``columnKind``) and the same region as lines and columns; ``insertedContent`` the new
text, new lines included.

Taken together, the replacements of all the results on one file never overlap; made on
the original text in the order of their ``charOffset`` (at one offset, in the order of the
results in the log), they give exactly the bytes ``pacscan fix`` writes. Where the edits
of several findings meet and one depends on another (it writes into a mapping the other
creates, or inside the text the other inserts), their whole change is carried by the
first of those results, and its description names the others.
Suppressed results, results below ``fail_on`` and findings ``pacscan fix`` would refuse
or drop get no fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sarif_om as om

from scanner.fix.apply import FileFix, edit_in_rounds, parse_source
from scanner.fix.describe import describe
from scanner.fix.edits import Text
from scanner.fix.hcl_fix import is_terraform, replay
from scanner.fix.plan import Request, plan
from scanner.fix.targets import ops_for
from scanner.fix.text_ops import MISSING, CannotEdit, DocOp, Source
from scanner.fix.trace import Piece, Trace
from scanner.model import Finding, Severity
from scanner.result import FindingFix, Replacement, TemplateFix
from scanner.triage.locations import ordered


@dataclass
class _Owned:
    """What one result's fix carries."""

    text: Text
    pieces: list[Piece] = field(default_factory=list)
    shared: list[Finding] = field(default_factory=list)  # findings it also fixes


def finding_fixes(
    findings: Sequence[Finding], verified: Sequence[TemplateFix], root: str
) -> list[FindingFix]:
    """The fix of each finding of ``verified`` that carries edits, while the documents of
    ``findings`` (an input's triaged findings, the verified ones among them) are loaded."""
    if not verified:  # most inputs: no report order to work out
        return []
    rank = {id(f): n for n, f in enumerate(ordered(findings, root))}  # report order
    owned: dict[int, _Owned] = {}
    for fix in verified:
        if fix.findings and is_terraform(fix.findings[0]):
            _terraform_fixes(fix, owned)
            continue
        requests = plan(fix.findings, Severity.INFO).requests.get(fix.path)
        if requests:
            _file_fixes(fix, requests, rank, owned)
    made = []
    for finding in (f for fix in verified for f in fix.findings):
        carried = owned.pop(id(finding), None)
        if carried is not None and carried.pieces:
            replacements = tuple(_replacement(carried.text, piece) for piece in carried.pieces)
            made.append(FindingFix(finding, _description(finding, carried), replacements))
    return made


def sarif_fix(fix: FindingFix, uri: str, uri_base_id: str) -> om.Fix:
    """``fix`` as a SARIF fix of the file at ``uri``."""
    change = om.ArtifactChange(
        artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=uri_base_id),
        replacements=[_sarif_replacement(r) for r in fix.replacements],
    )
    return om.Fix(description=om.Message(text=fix.description), artifact_changes=[change])


def _terraform_fixes(fix: TemplateFix, owned: dict[int, _Owned]) -> None:
    replayed = replay(fix)
    if replayed is not None:
        text, pieces = replayed
        for piece, shared in pieces:
            carrier = owned.setdefault(id(piece.owner), _Owned(text))
            carrier.pieces.append(piece)
            carrier.shared.extend(f for f in shared if f not in carrier.shared)


def _file_fixes(
    fix: TemplateFix, requests: list[Request], rank: dict[int, int], owned: dict[int, _Owned]
) -> None:
    document = requests[0].finding.resource.document
    if document is None or document.text is None:
        return
    path = fix.path
    trace = Trace(document.text)
    try:
        done = edit_in_rounds(FileFix(path, before=document.text), document.text, requests, trace)
        original = parse_source(path, document.text)
    except CannotEdit:  # pacscan fix leaves such a file as it is
        return
    if done != fix.text:  # not what pacscan fix writes: offer nothing rather than that
        return
    text = Text(document.text)
    ops = {id(r.finding): r.ops for r in requests}

    def order(piece: Piece) -> tuple[int, int]:
        return piece.start, rank.get(id(piece.owner), len(rank))

    for hunk in trace.hunks():
        if sorted(hunk, key=order) == hunk and not _dependent(hunk, ops, original):
            for piece in hunk:
                owned.setdefault(id(piece.owner), _Owned(text)).pieces.append(piece)
            continue
        first = min((p.owner for p in hunk), key=lambda f: rank.get(id(f), len(rank)))
        merged = Piece(first, hunk[0].start, hunk[-1].end, "".join(p.new for p in hunk))
        carrier = owned.setdefault(id(first), _Owned(text))
        carrier.pieces.append(merged)
        for piece in hunk:
            if piece.owner is not first and piece.owner not in carrier.shared:
                carrier.shared.append(piece.owner)


def _dependent(hunk: list[Piece], ops: dict[int, tuple[DocOp, ...]], original: Source) -> bool:
    """Whether an owner's edit goes into a mapping that another owner's edit creates."""
    owners = {id(p.owner) for p in hunk}
    if len(owners) < 2:
        return False
    for owner in owners:
        others = [op.path for other in owners - {owner} for op in ops.get(other, ())]
        for op in ops.get(owner, ()):
            for end in range(1, len(op.path)):
                prefix = op.path[:end]
                if original.node(prefix) is MISSING:
                    if any(path[:end] == prefix for path in others):
                        return True
                    break
    return False


def _replacement(text: Text, piece: Piece) -> Replacement:
    start_line, start_column = text.position(piece.start)
    end_line, end_column = text.position(piece.end)
    return Replacement(
        piece.start,
        piece.end - piece.start,
        start_line,
        start_column,
        end_line,
        end_column,
        piece.new,
    )


def _sarif_replacement(replacement: Replacement) -> om.Replacement:
    return om.Replacement(
        deleted_region=om.Region(
            char_offset=replacement.offset,
            char_length=replacement.length,
            start_line=replacement.start_line,
            start_column=replacement.start_column,
            end_line=replacement.end_line,
            end_column=replacement.end_column,
        ),
        inserted_content=om.ArtifactContent(text=replacement.inserted),
    )


def _description(finding: Finding, owned: _Owned) -> str:
    text = " ".join(f"{describe(op, imperative=True)}." for op in ops_for(finding))
    if owned.shared:
        others = ", ".join(f"{f.policy.id} on {f.resource.id}" for f in owned.shared)
        text += f" The same change fixes {others}."
    return text
