"""Policy files to a runnable ``Program``: the stage that uses both the language and the engine.

``scanner.lang`` parses and checks policy source and knows nothing of how it runs;
``scanner.engine`` turns checked expressions into closures and evaluates them. This package
sits above both: it reads policy files and their modules, checks them with ``lang``,
compiles them with ``engine`` and runs their examples. Neither ``lang`` nor ``engine``
imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic

if TYPE_CHECKING:  # the compiler is imported when policies are compiled, not before
    from scanner.engine.program import Program


@dataclass(frozen=True, slots=True)
class CompiledPolicies:
    """The compiled program and what compiling it said (errors and warnings)."""

    program: Program
    diagnostics: tuple[Diagnostic, ...]


def compile_policies(
    policy_paths: Sequence[str], params: Mapping[str, Any], only: frozenset[str] | None = None
) -> CompiledPolicies:
    """Compile the given policy files/directories (the built-ins when empty); with ``only``,
    keep just those ids (``select_policies`` is the user's selection, with its checks).

    Unused-import warnings are not looked for. A set compiled clean before is not compiled
    again: its policies are compiled per resource type when a scan first meets one
    (``scanner.policyset.deferred``)."""
    from scanner.lang.sources import builtin_policy_dir, discover_policy_files
    from scanner.policyset.deferred import compile_deferred

    roots: list[Any] = list(policy_paths) or [builtin_policy_dir()]
    program, diagnostics = compile_deferred(discover_policy_files(roots), params)
    if only is not None:
        program = program.select(only, set())
    return CompiledPolicies(program, diagnostics)
