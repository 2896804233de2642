"""Edit one file: plan -> text edits -> re-scan in memory -> atomic write.

Each finding's edits are made one at a time on the current text, which is parsed again
after each edit so the next one sees exact positions. A finding whose edits cannot all be
made keeps none of them. The edited text is then loaded and evaluated again: every fixed
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.errors import InputError
from scanner.fix.edits import apply_edits
from scanner.fix.plan import Refusal, Request, computed_by
from scanner.fix.text_ops import CannotEdit, DocOp, Source, edits_for
from scanner.loaders import LoadOptions
from scanner.loaders import cloudformation as cfn
from scanner.loaders.json_source import read_json
from scanner.loaders.source import JSON_SYNTAX, Limits
from scanner.loaders.yaml_source import read_yaml
from scanner.model import Finding, Status

MAX_FIXES_PER_FILE = 500  # each edit re-parses the file: bounded work for a hostile template
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
    problem: str | None = None  # why the whole file was left alone
    written: bool = False

    def diff(self) -> str:
        if self.after is None:
            return ""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


def fix_file(
    path: str,
    requests: Sequence[Request],
    old_findings: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    now: datetime,
) -> FileFix:
    """Edit ``path`` for ``requests`` and verify the result (nothing is written here)."""
    outcome = FileFix(path)
    try:
        data = read_bytes(path)
        bom, text = _decode(data)
    except (OSError, CannotEdit) as exc:
        outcome.problem = f"cannot read it: {exc}"
        return outcome
    outcome.before = text
    requests = list(requests)
    for extra in requests[MAX_FIXES_PER_FILE:]:
        outcome.refused.append(Refusal(extra.finding, "too many fixes in one file"))
    current = text
    for request in requests[:MAX_FIXES_PER_FILE]:
        try:
            current = _apply_request(path, current, request)
        except CannotEdit as exc:
            outcome.refused.append(Refusal(request.finding, str(exc)))
            continue
        outcome.fixed.append(request.finding)
    if current == text:
        return outcome
    outcome.after = current
    _verify(outcome, bom + current.encode("utf-8"), old_findings, program, options, now)
    return outcome


def _apply_request(path: str, text: str, request: Request) -> str:
    resource_path = request.finding.resource.path
    done: list[DocOp] = []
    for op in request.ops:
        if op in done:  # the same edit twice is one edit
            continue
        done.append(op)
        source = parse_source(path, text)
        why = computed_by(source, resource_path, op)
        if why is not None:
            raise CannotEdit(why)
        text = apply_edits(text, edits_for(source, op))
    return text


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


def _verify(
    outcome: FileFix,
    data: bytes,
    old_findings: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    now: datetime,
) -> None:
    from scanner.engine.evaluate import evaluate

    loaded = cfn.load(outcome.path, data, options)
    errors = [d for d in loaded.errors if d.severity == "error"]
    if errors or not loaded.documents:
        why = errors[0].message if errors else "it is no longer a template"
        _drop(outcome, f"the edited file does not load ({why})")
        return
    new = evaluate(program, loaded.resources, now=now)
    problem = _still_failing(outcome.fixed, new) or _worse(old_findings, new)
    if problem is not None:
        _drop(outcome, problem)
        return
    outcome.findings = new


def _drop(outcome: FileFix, problem: str) -> None:
    outcome.problem = f"the edit was dropped: {problem}"
    outcome.after = None
    outcome.refused.extend(Refusal(f, outcome.problem) for f in outcome.fixed)
    outcome.fixed = []


def _key(finding: Finding) -> tuple[str, str]:
    return finding.policy.id, finding.resource.id


def _still_failing(fixed: Sequence[Finding], new: Sequence[Finding]) -> str | None:
    bad = {_key(f) for f in new if f.status in _BAD}
    for finding in fixed:
        if _key(finding) in bad:
            return f"{finding.policy.id} still fails on {finding.resource.id} after the fix"
    return None


def _worse(old: Sequence[Finding], new: Sequence[Finding]) -> str | None:
    before = {_key(f) for f in old if f.status in _BAD}
    for finding in new:
        if finding.status in _BAD and _key(finding) not in before:
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
        outcome.problem = f"not written: cannot read it again: {exc}"
        return
    if text != outcome.before:
        outcome.problem = "not written: the file changed while it was being fixed"
        return
    mode = stat.S_IMODE(os.stat(real, follow_symlinks=False).st_mode)
    directory = os.path.dirname(real) or "."
    fd, temp = tempfile.mkstemp(prefix=".pacscan-fix-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(bom + outcome.after.encode("utf-8"))
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        outcome.problem = f"not written: {exc.strerror or exc}"
        return
    outcome.written = True
