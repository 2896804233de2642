"""Policy files to a runnable ``Program``: the stage that uses both the language and the engine.

``scanner.lang`` parses and checks policy source and knows nothing of how it runs;
``scanner.engine`` turns checked expressions into closures and evaluates them. This package
sits above both: it reads policy files and their modules, checks them with ``lang``,
compiles them with ``engine`` and runs their examples. Neither ``lang`` nor ``engine``
imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic
from scanner.records import record

if TYPE_CHECKING:  # the compiler is imported when policies are compiled, not before
    from scanner.engine.program import Program


@record
class CompiledPolicies:
    """The compiled program and what compiling it said (errors and warnings)."""

    program: Program
    diagnostics: tuple[Diagnostic, ...]


def compile_policies(
    policy_paths: Sequence[str],
    params: Mapping[str, Any],
    only: frozenset[str] | None = None,
    extra: Sequence[str] = (),
) -> CompiledPolicies:
    """Compile the given policy files/directories (the built-ins when empty) and the
    ``extra`` ones after them; with ``only``, keep just those ids (``select_policies`` is the
    user's selection, with its checks). An extra policy whose id is taken is dropped with
    a duplicate-id error: the library it is added to keeps its own.

    Unused-import warnings are not looked for. A set compiled clean before is not compiled
    again: its policies are compiled per resource type when a scan first meets one
    (``scanner.policyset.deferred``)."""
    from scanner.lang.sources import builtin_policy_dir, find_policy_files
    from scanner.policyset.deferred import compile_found

    roots: list[Any] = list(policy_paths) or [builtin_policy_dir()]
    found = find_policy_files(roots)
    taken = {entry.path for entry in found}
    added = [e for e in find_policy_files(extra) if e.path not in taken] if extra else []
    program, compiled = compile_found(found + added, params)
    if only is not None:
        program = program.select(only, set())
    added_files = {s.path for s in added}
    diagnostics = [_clash_hint(d) if _clashes(d, added_files) else d for d in compiled]
    return CompiledPolicies(program, tuple(diagnostics))


def _clashes(diag: Diagnostic, added_files: set[str]) -> bool:
    """A duplicate id in an extra policy file: the id belongs to the library it is added to."""
    from scanner.lang.codes import DUPLICATE_POLICY_ID

    where = diag.location
    return diag.code == DUPLICATE_POLICY_ID and where is not None and where.file in added_files


def _clash_hint(diag: Diagnostic) -> Diagnostic:
    hint = "--extra-policies adds to the library, which keeps its own ids: give this policy an "
    return replace(diag, hint=hint + "id of its own (a prefix such as TEAM-)")
