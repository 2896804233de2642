"""``pacscan fix`` on Terraform: which argument of which ``.tf`` file each fix changes,
and the module evaluated again to verify it.

A fix clause's path is a CloudFormation-shaped property (``Properties.Versioning
Configuration.Status``); the loader records where each value is written
(``TemplateOrigin.written_at``, a split resource's attribute in its own file), and
``scanner.loaders.terraform.arguments`` gives the argument and the Terraform value a
property comes from (``versioning_configuration.status``, ``true`` for ``"Enabled"`` on
an inline ``versioning`` block). A value written as a literal is replaced; a missing
argument is inserted in the block that sets its neighbours (the split resource when one
sets them). A setting that only a split resource writes (``aws_s3_bucket_versioning``)
and none is declared is refused: adding a resource would mean inventing its name.
Refused too: ``remove`` and ``append`` (only ``set`` is made in Terraform), a value an
expression computes (the reason names the variable or local), a resource of a child
module (its source is shared by every call), ``.tf.json`` files and plans.

Each root module's edits are verified together: the module is evaluated again with the
edited texts, every fixed finding must pass and no policy may newly fail or error on the
module's resources; a fix that leaves its finding failing is left out and the rest tried
again, any other failure leaves the module's files as they were.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from scanner.fix.apply import FileFix, read_bytes
from scanner.fix.edits import Edit, Text, apply_edits
from scanner.fix.hcl_edit import Change, block_edits, resource_block
from scanner.fix.plan import Refusal, Request
from scanner.fix.select import plain_ops
from scanner.fix.targets import ops_for
from scanner.fix.text_ops import CannotEdit
from scanner.fix.trace import Piece
from scanner.loaders import LoadOptions
from scanner.loaders.terraform import FORMAT
from scanner.model import Finding, Path, Resource, Severity, Status, path_text
from scanner.result import TemplateFix

PLAN_FORMAT = "terraform-plan"  # scanner.loaders.terraform.plan.FORMAT (kept unimported)
FOLDED_AT = "@"  # scanner.loaders.terraform.canonical.FOLDED_AT
MAX_ATTEMPTS = 3
_BAD = (Status.FAIL, Status.ERROR)


def is_terraform(finding: Finding) -> bool:
    document = finding.resource.document
    return document is not None and document.format in (FORMAT, PLAN_FORMAT)


@dataclass
class TerraformRun:
    files: list[FileFix] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class _Edits:
    """The planned edits: per file, each finding's edits in the file's scanned text."""

    texts: dict[str, str] = field(default_factory=dict)
    owned: dict[str, list[tuple[Finding, list[Edit]]]] = field(default_factory=dict)
    shared: dict[int, list[Finding]] = field(default_factory=dict)  # an owner's edits
    # wanted by these findings too (the instances of one counted resource)
    refusals: list[Refusal] = field(default_factory=list)


def fix_terraform(
    raw: Sequence[Finding],
    triaged: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    fail_on: Severity,
    now: datetime,
) -> TerraformRun:
    """Edit and verify the Terraform files of the failed findings of ``triaged``."""
    chosen = [
        f
        for f in triaged
        if is_terraform(f) and f.status is Status.FAIL and f.policy.severity.rank >= fail_on.rank
    ]
    called = {
        f.resource.document.path: f.resource.id.rsplit(".", 2)[0]
        for f in raw
        if f.resource.document is not None and f.resource.id.startswith("module.")
    }
    planned = plan_edits(chosen, called)
    run = TerraformRun(refusals=list(planned.refusals))
    modules: dict[str, list[str]] = {}
    for path in planned.owned:
        modules.setdefault(os.path.dirname(path) or ".", []).append(path)
    for directory, paths in modules.items():
        run.files.extend(_fix_module(directory, paths, planned, raw, program, options, now))
    return run


# -- planning -------------------------------------------------------------------------------


def plan_edits(findings: Sequence[Finding], called: Mapping[str, str] | None = None) -> _Edits:
    """Each finding's edits, or why it is refused; an edit another finding already makes
    is made once. ``called``: files that are also a module's source (-> the call), which
    are not edited."""
    out = _Edits()
    made: dict[str, dict[tuple[int, int, str], Finding]] = {}
    for finding in findings:
        try:
            edits = _finding_edits(finding, out.texts)
            shared = next((p for p in edits if p in (called or {})), None)
            if shared is not None:
                raise CannotEdit(
                    f"{shared} is also the source of {(called or {})[shared]}, which every call "
                    "of that module shares; it is left to the author"
                )
        except CannotEdit as exc:
            out.refusals.append(Refusal(finding, str(exc)))
            continue
        for path, file_edits in edits.items():
            seen = made.setdefault(path, {})
            fresh = [e for e in file_edits if (e.start, e.end, e.new) not in seen]
            if _overlaps(fresh, seen):
                out.refusals.append(
                    Refusal(finding, "another fix edits the same place; run pacscan fix again")
                )
                break
            for edit in file_edits:
                owner = seen.setdefault((edit.start, edit.end, edit.new), finding)
                if owner is not finding and finding not in out.shared.setdefault(id(owner), []):
                    out.shared[id(owner)].append(finding)
            out.owned.setdefault(path, []).append((finding, fresh))
    return out


def _overlaps(edits: list[Edit], seen: dict[tuple[int, int, str], Finding]) -> bool:
    for edit in edits:
        for start, end, new in seen:
            if edit.start < end and start < edit.end:
                return True
            if edit.start == edit.end == start == end and _name(edit.new) == _name(new):
                return True  # the same argument or nested block written twice
    return False


def _name(inserted: str) -> str:
    """The name of the first argument or block an insertion writes."""
    line = next((x for x in inserted.splitlines() if x.strip()), "")
    return line.strip().split(" ", 1)[0].split("=", 1)[0]


def _finding_edits(finding: Finding, texts: dict[str, str]) -> dict[str, list[Edit]]:
    resource = finding.resource
    document = resource.document
    assert document is not None
    if document.format == PLAN_FORMAT:
        raise CannotEdit("a plan is not edited: fix the configuration it was made from")
    if not document.path.endswith(".tf"):
        raise CannotEdit("only .tf files are edited, not .tf.json")
    if not (finding.fix or finding.policy.fixes):
        raise CannotEdit("the policy has no fix")
    chosen = ops_for(finding)
    if not chosen:
        raise CannotEdit(f"the policy's fix is for its other resource types, not {resource.type}")
    ops = plain_ops(chosen, resource)  # list steps made concrete on the values evaluated
    if isinstance(ops, str):
        raise CannotEdit(ops)
    if resource.id.startswith("module."):
        module = resource.id.rsplit(".", 2)[0]
        raise CannotEdit(
            f"written in the source of {module}, which every call of that module shares; "
            "it is left to the author"
        )
    changes: dict[tuple[str, str, str], list[Change]] = {}
    for op in ops:
        if op.kind != "set":
            raise CannotEdit(f"only `set` fixes are made in Terraform files, not `{op.kind}`")
        for path, value in _leaves(cast(Path, op.path), op.value):  # plain once concrete
            file, kind, name, change = _change(resource, path, value)
            changes.setdefault((file, kind, name), []).append(change)
    out: dict[str, list[Edit]] = {}
    for (file, kind, name), block_changes in changes.items():
        text = _text(file, texts, resource)
        from scanner.loaders.terraform.hcl import parse_file

        try:
            parsed = parse_file(file, text)
        except Exception as exc:  # an InputError: the file no longer parses
            raise CannotEdit(f"{file} does not parse: {exc}") from exc
        block = resource_block(parsed.body, kind, name)
        if block is None:
            raise CannotEdit(f"no resource {kind}.{name} in {file}")
        out.setdefault(file, []).extend(block_edits(Text(text), block, block_changes))
    return out


def _leaves(path: Path, value: Any) -> list[tuple[Path, Any]]:
    """A ``set`` of a mapping or list as one ``set`` per scalar in it, at its key or
    index (an explicit stack)."""
    out: list[tuple[Path, Any]] = []
    stack = [(path, value)]
    while stack:
        here, item = stack.pop(0)
        if type(item) is dict:
            stack[:0] = [((*here, k), v) for k, v in item.items()]
        elif type(item) is list:
            stack[:0] = [((*here, n), v) for n, v in enumerate(item)]
        else:
            out.append((here, item))
        if len(out) > 256:
            raise CannotEdit("the fix sets too many values")
    return out


def _change(resource: Resource, path: Path, value: Any) -> tuple[str, str, str, Change]:
    """The file and resource block that write ``path`` and the change to make there."""
    from scanner.loaders.terraform.arguments import NO_VALUE, argument, terraform_value
    from scanner.loaders.terraform.resource_types import FOLDS, TYPES

    assert resource.document is not None
    own_file = resource.document.path
    kind, name = str(resource.path[1]), str(resource.path[2])
    origin = resource.template
    written = origin.written_at if origin is not None else {}
    at = written.get(path)
    if at is not None:
        file, block, steps = _split(at, own_file)
    else:
        file, block, steps = _neighbour(written, path, own_file, (kind, name), resource.id)
    mapping = TYPES.get(block[0]) if block[0] == kind else FOLDS.get(block[0])
    found = argument(mapping, path) if mapping is not None else None
    if found is None:
        raise CannotEdit(
            f"no single argument of {block[0]} gives {path_text(path)}; it is left to the author"
        )
    if at is None:
        steps = found.steps
    literal = terraform_value(found.convert, value)
    if literal is NO_VALUE:
        raise CannotEdit(f"no value of the Terraform argument gives {path_text(path)} = {value!r}")
    return file, block[0], block[1], Change(tuple(steps), literal)


def _split(at: Path, own_file: str) -> tuple[str, tuple[str, str], Path]:
    """A document path as (file, (type, name) of its resource block, steps inside it)."""
    file = own_file
    if at[:1] == (FOLDED_AT,):
        file, at = str(at[1]), at[2:]
    if len(at) < 3 or at[0] != "resource":
        raise CannotEdit("the value is not written in a resource block")
    return file, (str(at[1]), str(at[2])), at[3:]


def _neighbour(
    written: Any, path: Path, own_file: str, own: tuple[str, str], address: str
) -> tuple[str, tuple[str, str], Path]:
    """Where a missing value goes: the block that writes the other values of its
    property (a split resource before the resource itself); refused when only a split
    resource could write it and there is none."""
    from scanner.loaders.terraform.arguments import argument
    from scanner.loaders.terraform.resource_types import FOLDS

    top = path[:2]
    blocks = {_split(v, own_file)[:2] for k, v in written.items() if k[:2] == top}
    split = sorted(b for b in blocks if b[1][0] != own[0])
    if len(split) > 1:
        raise CannotEdit(f"{path_text(top)} is set by several resources")
    if split:
        return split[0][0], split[0][1], ()
    if not blocks:
        names = sorted(
            t for t, fold in FOLDS.items() if fold.into == own[0] and argument(fold, path)
        )
        if names:
            raise CannotEdit(
                f"{path_text(top)} is set by a separate {names[0]} resource and {address} "
                "has none; add one (its name is left to the author)"
            )
    return own_file, own, ()


def _text(file: str, texts: dict[str, str], resource: Resource) -> str:
    """The file's text as scanned (read once; a file changed since is refused)."""
    if file in texts:
        return texts[file]
    try:
        text = read_bytes(file).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CannotEdit(f"cannot read {file}: {exc}") from exc
    if text.startswith("\ufeff"):
        raise CannotEdit(f"{file} starts with a byte order mark; it is not edited")
    document = resource.document
    if document is not None and document.path == file and document.text not in (None, text):
        raise CannotEdit("the file changed after it was scanned; run pacscan fix again")
    texts[file] = text
    return text


# -- verifying --------------------------------------------------------------------------------


def _fix_module(
    directory: str,
    paths: list[str],
    planned: _Edits,
    raw: Sequence[Finding],
    program: Any,
    options: LoadOptions,
    now: datetime,
) -> list[FileFix]:
    """Edit the files of one root module, verify them together, and say so per file."""
    owned = {p: list(planned.owned[p]) for p in paths}
    scope = os.path.realpath(directory)
    old = [f for f in raw if _scope(f) == scope]
    dropped: list[Refusal] = []
    for _ in range(MAX_ATTEMPTS):
        after = {p: _edited(planned.texts[p], owned[p]) for p in paths}
        outcomes = _outcomes(paths, planned.texts, after, owned)
        fixed = [f for p in paths for f, _ in owned[p]]
        problem, findings = _verify(directory, planned.texts, after, old, program, options, now)
        if problem is not None:
            for outcome in outcomes:
                outcome.leave(problem)
            break
        bad = {_key(f) for f in findings if f.status in _BAD}
        failing = [f for f in fixed if _key(f) in bad]
        if not failing:
            if outcomes:
                outcomes[0].findings = findings
            break
        dropped.extend(Refusal(f, "the fix does not make the finding pass") for f in failing)
        owned = {p: [(f, es) for f, es in owned[p] if f not in failing] for p in paths}
    else:
        for outcome in outcomes:
            outcome.leave("the edit was dropped: fixes that do not make their findings pass")
    if outcomes:
        outcomes[0].refused[:0] = dropped
    return outcomes


def _edited(text: str, owned: list[tuple[Finding, list[Edit]]]) -> str:
    return apply_edits(text, [edit for _, edits in owned for edit in edits])


def _outcomes(
    paths: list[str],
    before: dict[str, str],
    after: dict[str, str],
    owned: dict[str, list[tuple[Finding, list[Edit]]]],
) -> list[FileFix]:
    out = []
    counted: set[int] = set()
    for path in paths:
        findings = [f for f, _ in owned[path] if id(f) not in counted]
        counted.update(id(f) for f in findings)
        outcome = FileFix(path, before=before[path], requests=[Request(f, ()) for f in findings])
        outcome.fixed = findings
        outcome.findings = []
        if after[path] != before[path]:
            outcome.after = after[path]
        out.append(outcome)
    return out


def _verify(
    directory: str,
    before: dict[str, str],
    after: dict[str, str],
    old: list[Finding],
    program: Any,
    options: LoadOptions,
    now: datetime,
) -> tuple[str | None, list[Finding]]:
    """Why the edited module is refused, or None and its findings."""
    from scanner.engine.evaluate import evaluate
    from scanner.loaders.terraform.loading import evaluate_module, module_options

    settings = module_options(options)
    original = evaluate_module(directory, settings, given=before)
    edited = evaluate_module(directory, settings, given=after)
    known = {(d.code, d.message) for errors in original.errors.values() for d in errors}
    for errors in edited.errors.values():
        for error in errors:
            if error.severity == "error" and (error.code, error.message) not in known:
                return f"the edit was dropped: the module does not load ({error.message})", []
    resources = [r for group in edited.resources.values() for r in group]
    findings = list(evaluate(program, resources, now=now))
    before_bad = {_key(f) for f in old if f.status in _BAD}
    for finding in findings:
        if finding.status in _BAD and _key(finding) not in before_bad:
            return (
                f"the edit was dropped: {finding.policy.id} would newly fail on "
                f"{finding.resource.id}",
                [],
            )
    return None, findings


def _key(finding: Finding) -> tuple[str, str]:
    return finding.policy.id, finding.resource.id


def _scope(finding: Finding) -> str | None:
    origin = finding.resource.template
    return origin.scope if origin is not None else None


# -- SARIF ----------------------------------------------------------------------------------


def replay(fix: TemplateFix) -> tuple[Text, list[tuple[Piece, list[Finding]]]] | None:
    """The edits of a verified Terraform fix as pieces of the file's original text, each
    owned by the first finding that makes it (and the others it also fixes); None when
    they no longer give the verified text. Only a finding located in the edited file owns
    a piece (a SARIF result's fix edits the result's own file)."""
    planned = plan_edits(fix.findings)
    text = planned.texts.get(fix.path)
    owned = planned.owned.get(fix.path, [])
    if text is None or _edited(text, owned) != fix.text:
        return None
    pieces: list[tuple[Piece, list[Finding]]] = []
    for finding, edits in owned:
        location = finding.location
        if location is None or os.path.normpath(location.file) != os.path.normpath(fix.path):
            continue
        sharing = planned.shared.get(id(finding), [])
        pieces.extend((Piece(finding, e.start, e.end, e.new), sharing) for e in edits)
    return Text(text), pieces
