"""Edit one file: plan -> text edits -> re-scan in memory -> atomic write.

The edits are computed from one parse of the text per round; edits that touch the same
container wait for the next round, which parses the edited text again so every edit sees
exact positions. A finding whose edits cannot all be made keeps none of them.

The edited text is then loaded and evaluated again: every fixed
finding must pass and no policy may fail (or error) on a resource where it did not before;
otherwise the file keeps its bytes. A file is written only if its bytes are still the ones
read, through a temporary file in its directory renamed over it, with its mode kept.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.errors import InputError
from scanner.fix.edits import Edit, apply_edits, changed_span
from scanner.fix.plan import Refusal, Request, computed_by
from scanner.fix.text_ops import CannotEdit, DocOp, Source, edits_for
from scanner.fix.trace import Trace
from scanner.loaders import LoadOptions
from scanner.loaders import cloudformation as cfn
from scanner.loaders.json_source import read_json
from scanner.loaders.source import JSON_SYNTAX, Limits
from scanner.loaders.yaml_source import read_yaml
from scanner.model import Finding, Path, Status

MAX_FIXES_PER_FILE = 2000  # bounded work for a hostile template
MAX_ROUNDS = 20  # each round parses the file once
MAX_ATTEMPTS = 3  # each attempt loads and evaluates the edited file
_JSON_START = re.compile(r"\s*[{\[]")
_BAD = (Status.FAIL, Status.ERROR)


@dataclass
class FileFix:
    """What fixing one file did."""

    path: str
    before: str = ""
    after: str | None = None  # the verified new text; None: unchanged
    fixed: list[Finding] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    findings: list[Finding] | None = None  # the file's findings after the edit
    requests: list[Request] = field(default_factory=list)  # the requests ``after`` makes
    problem: str | None = None  # why the whole file was left alone
    written: bool = False

    def leave(self, problem: str, findings: Sequence[Finding] = ()) -> None:
        """Leave the file as it is: every finding to fix is reported with ``problem``."""
        self.problem = problem
        self.refused.extend(Refusal(f, problem) for f in [*self.fixed, *findings])
        self.fixed = []
        self.after = None
        self.findings = None

    def diff(self) -> str:
        if self.after is None:
            return ""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        return "".join(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            for line in lines
        )


def fix_file(
    path: str,
    requests: Sequence[Request],
    old_findings: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    now: datetime,
) -> FileFix:
    """Edit ``path`` for ``requests`` and verify the result (nothing is written here).

    A fix that leaves its finding failing is left out and the rest tried again (at most
    ``MAX_ATTEMPTS`` times); any other failed check leaves the whole file as it was.
    """
    outcome = FileFix(path)
    try:
        data = read_bytes(path)
        bom, text = _decode(data)
    except (OSError, CannotEdit) as exc:
        outcome.leave(f"cannot read it: {exc}", [r.finding for r in requests])
        return outcome
    outcome.before = text
    scanned = requests[0].finding.resource.document if requests else None
    if scanned is not None and scanned.text is not None and scanned.text != text:
        problem = "the file changed after it was scanned; run pacscan fix again"
        outcome.leave(problem, [r.finding for r in requests])
        return outcome
    check = _Check(path, old_findings, program, options, now, _errors(path, data, options))
    active = list(requests)
    left: list[Refusal] = [
        Refusal(extra.finding, "too many fixes in one file")
        for extra in active[MAX_FIXES_PER_FILE:]
    ]
    active = active[:MAX_FIXES_PER_FILE]
    for _ in range(MAX_ATTEMPTS):
        outcome = FileFix(path, before=text, requests=list(active))
        ineffective = _attempt(outcome, active, bom, check)
        if not ineffective:
            break
        left.extend(Refusal(f, "the fix does not make the finding pass") for f in ineffective)
        active = [r for r in active if r.finding not in ineffective]
    else:
        outcome.fixed = [f for f in outcome.fixed if f not in ineffective]
        _drop(outcome, "fixes that do not make their findings pass")
    outcome.refused[:0] = left
    return outcome


@dataclass(frozen=True)
class _Check:
    """What verifying an edited file compares against."""

    path: str
    old_findings: Sequence[Finding]
    program: Any
    options: LoadOptions
    now: datetime
    errors: frozenset[tuple[str, str]]  # the file's own load errors before the edit


def _errors(path: str, data: bytes, options: LoadOptions) -> frozenset[tuple[str, str]]:
    loaded = cfn.load(path, data, options)
    return frozenset((d.code, d.message) for d in loaded.errors if d.severity == "error")


def _attempt(outcome: FileFix, requests: list[Request], bom: bytes, check: _Check) -> list[Finding]:
    """Edit and verify; the fixed findings that still fail (the rest is in ``outcome``)."""
    text = outcome.before
    try:
        current = edit_in_rounds(outcome, text, requests)
    except CannotEdit as exc:  # the file itself cannot be edited (it no longer parses)
        outcome.fixed, outcome.refused = [], []
        outcome.leave(str(exc), [r.finding for r in requests])
        return []
    if current == text:
        outcome.refused.extend(Refusal(f, "the fix changes nothing here") for f in outcome.fixed)
        outcome.fixed = []
        return []
    outcome.after = current
    return _verify(outcome, bom + current.encode("utf-8"), check)


def edit_in_rounds(
    outcome: FileFix, text: str, pending: list[Request], trace: Trace | None = None
) -> str:
    """``text`` with the edits of ``pending`` made, parsing it once per round.

    A round takes every request whose edits touch no container another request of the
    round touches; the rest wait for the next round, which sees the new positions.
    ``trace``, when given, records each round's edits with the finding that made them.
    """
    for _ in range(MAX_ROUNDS):
        if not pending:
            break
        source = parse_source(outcome.path, text)
        edits: list[Edit] = []
        owned: list[tuple[Edit, Finding]] = []
        touched = _Touched()
        waiting: list[Request] = []
        whole = False  # a request of several ops rewrote the text: the round ends
        for request in pending:
            ops = _distinct(request.ops)
            if whole or touched.conflicts(ops) or (len(ops) > 1 and edits):
                waiting.append(request)
                continue
            whole = len(ops) > 1
            try:
                made = _request_edits(outcome.path, source, text, request, ops)
            except CannotEdit as exc:
                outcome.refused.append(Refusal(request.finding, str(exc)))
                continue
            edits.extend(made)
            owned.extend((edit, request.finding) for edit in made)
            for op in ops:
                touched.add(op.path)
            outcome.fixed.append(request.finding)
        if edits:
            try:
                edited = apply_edits(text, edits)
            except ValueError as exc:  # edits that overlap: a defect, not the author's
                raise CannotEdit(f"the edits overlap ({exc})") from exc
            if trace is not None:
                trace.record(owned, text)
            text = edited
        pending = waiting
    for request in pending:
        outcome.refused.append(Refusal(request.finding, "too many fixes on one resource"))
    return text


def _distinct(ops: Sequence[DocOp]) -> list[DocOp]:
    done: list[DocOp] = []
    for op in ops:
        if op not in done:  # the same edit twice is one edit
            done.append(op)
    return done


class _Touched:
    """The paths a round has edited, kept as sets so a check costs the depth of a path,
    not the number of edits made so far (a template of thousands of fixes)."""

    def __init__(self) -> None:
        self.prefixes: set[Path] = {()}  # every prefix of every edited path
        self.containers: set[Path] = set()  # the container each edited path is in

    def add(self, path: Path) -> None:
        self.prefixes.update(path[:end] for end in range(len(path) + 1))
        self.containers.add(path[:-1])

    def conflicts(self, ops: Sequence[DocOp]) -> bool:
        """Whether an op edits a container an edited path is in, or inside the container
        of an edited path."""
        if not self.containers:
            return False
        for op in ops:
            if op.path[:-1] in self.prefixes:
                return True
            if any(op.path[:end] in self.containers for end in range(len(op.path) + 1)):
                return True
        return False


def _request_edits(
    path: str, source: Source, text: str, request: Request, ops: list[DocOp]
) -> list[Edit]:
    """The edits of one request; one with several ops is made op by op, alone in its round."""
    resource_path = request.finding.resource.path
    if len(ops) == 1:
        why = computed_by(source, resource_path, ops[0])
        if why is not None:
            raise CannotEdit(why)
        return edits_for(source, ops[0])
    edited = text
    for op in ops:
        current = parse_source(path, edited)
        why = computed_by(current, resource_path, op)
        if why is not None:
            raise CannotEdit(why)
        edited = apply_edits(edited, edits_for(current, op))
    return [changed_span(text, edited)]


def parse_source(path: str, text: str) -> Source:
    """``text`` parsed as the loader parses it (JSON or YAML)."""
    limits = Limits()
    try:
        if path.lower().endswith(".json") or _JSON_START.match(text):
            try:
                return Source(text, *_value_positions(read_json(path, text, limits)), True)
            except InputError as exc:
                if exc.code != JSON_SYNTAX or path.lower().endswith(".json"):
                    raise
        return Source(text, *_value_positions(read_yaml(path, text, limits)), False)
    except InputError as exc:
        raise CannotEdit(f"the edited text does not parse: {exc}") from exc


def _value_positions(parsed: Any) -> tuple[Any, Any]:
    return parsed.value, parsed.positions


def _verify(outcome: FileFix, data: bytes, check: _Check) -> list[Finding]:
    from scanner.engine.evaluate import evaluate

    loaded = cfn.load(outcome.path, data, check.options)
    errors = [
        d
        for d in loaded.errors
        if d.severity == "error" and (d.code, d.message) not in check.errors
    ]
    if errors or not loaded.documents:
        why = errors[0].message if errors else "it is no longer a template"
        _drop(outcome, f"the edited file does not load ({why})")
        return []
    new = evaluate(check.program, loaded.resources, now=check.now)
    bad = _bad_by_key(new)
    ineffective = [f for f in outcome.fixed if _same_case(f, bad.get(_key(f), ()))]
    if ineffective:
        return ineffective
    problem = _worse(check.old_findings, new)
    if problem is not None:
        _drop(outcome, problem)
        return []
    outcome.findings = new
    return []


def _drop(outcome: FileFix, problem: str) -> None:
    outcome.leave(f"the edit was dropped: {problem}")


def _key(finding: Finding) -> tuple[str, str]:
    return finding.policy.id, finding.resource.id


def _bad_by_key(findings: Sequence[Finding]) -> dict[tuple[str, str], list[Finding]]:
    bad: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.status in _BAD:
            bad.setdefault(_key(finding), []).append(finding)
    return bad


def _conditions(finding: Finding) -> Mapping[str, bool]:
    origin = finding.resource.template
    return origin.conditions if origin is not None else {}


def _same_case(finding: Finding, others: Sequence[Finding]) -> bool:
    """Whether one of ``others`` judges the same ``Fn::If`` variant as ``finding`` (a
    finding without conditions stands for every variant)."""
    mine = _conditions(finding)
    return any(not mine or not _conditions(o) or _conditions(o) == mine for o in others)


def _worse(old: Sequence[Finding], new: Sequence[Finding]) -> str | None:
    before = _bad_by_key(old)
    for finding in new:
        if finding.status in _BAD and not _same_case(finding, before.get(_key(finding), ())):
            return f"{finding.policy.id} would newly fail on {finding.resource.id}"
    return None


def read_bytes(path: str) -> bytes:
    """The bytes of the regular file at ``path``, never through a link put in its place."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(os.path.realpath(path), flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        return handle.read()


def _decode(data: bytes) -> tuple[bytes, str]:
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        return bom, data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CannotEdit("only UTF-8 files are edited") from exc


def write(outcome: FileFix) -> None:
    """Replace the file with ``outcome.after`` if it still holds ``outcome.before``."""
    if outcome.after is None:
        return
    real = os.path.realpath(outcome.path)
    try:
        data = read_bytes(real)
        bom, text = _decode(data)
    except (OSError, CannotEdit) as exc:
        outcome.leave(f"not written: cannot read it again: {exc}")
        return
    if text != outcome.before:
        outcome.leave("not written: the file changed while it was being fixed")
        return
    info = os.stat(real, follow_symlinks=False)
    mode = stat.S_IMODE(info.st_mode)
    if not mode & stat.S_IWUSR:
        outcome.leave("not written: the file is read-only")
        return
    try:
        _replace(real, bom + outcome.after.encode("utf-8"), info)
    except OSError as exc:
        outcome.leave(f"not written: {exc.strerror or exc}")
        return
    outcome.written = True


def _replace(real: str, data: bytes, info: os.stat_result) -> None:
    """Write ``data`` to a temporary file beside ``real`` and rename it over ``real``,
    keeping its mode (and its owner, where this process may set it)."""
    fd, temp = tempfile.mkstemp(prefix=".pacscan-fix-", dir=os.path.dirname(real) or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):
                    os.fchown(handle.fileno(), info.st_uid, info.st_gid)
            os.fsync(handle.fileno())
        os.replace(temp, real)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
