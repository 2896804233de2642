"""Which policies scan, audit and fix run: ``--policy``, ``--skip``, ``--framework`` and the
config file's ``policies.enable`` / ``policies.disable``.

An entry names policies by id (``PAC-S3-014``), by policy name (``S3_BUCKET_VERSIONING``)
or by a shell pattern (``PAC-S3-*``). An entry that names no policy is a typo that would
silently run (or skip) nothing, so it is an error with the closest id: the other policies
still run and the exit code is 2. An unknown framework is a usage error before anything
runs. A param given with ``--param`` or the config's ``policies.params`` that no selected
policy's file declares is error P042 (it would change nothing), with the closest name.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING

import click

from scanner.config import Config
from scanner.engine.program import Program
from scanner.errors import Diagnostic
from scanner.lang.codes import UNKNOWN_PARAM
from scanner.lang.scope import did_you_mean
from scanner.model import Location, line_at
from scanner.records import record

if TYPE_CHECKING:
    from scanner.policyset import CompiledPolicies

UNKNOWN_IN_CONFIG = "C004"
UNKNOWN_ON_COMMAND_LINE = "USAGE"


@record
class Selection:
    """What the user asked to run; the config's lists apply unless options replace them."""

    only: tuple[str, ...] = ()  # --policy
    skip: tuple[str, ...] = ()  # --skip
    framework: str | None = None
    config: Config = field(default_factory=Config)
    params: tuple[str, ...] = ()  # names given with --param


def apply_selection(compiled: CompiledPolicies, selection: Selection) -> CompiledPolicies:
    """``compiled`` narrowed to the selection, with a diagnostic for each entry naming nothing."""
    program: Program = compiled.program
    config = selection.config
    enable = None if selection.only else config.enable
    problems = [
        *_unknown_options(program, "--policy", selection.only),
        *_unknown_options(program, "--skip", selection.skip),
        *_unknown_in_config(program, "enable", enable or (), config),
        *_unknown_in_config(program, "disable", config.disable, config),
    ]
    include = frozenset(selection.only) if selection.only else enable
    chosen = program.select(include, {*selection.skip, *config.disable})
    if selection.framework is not None:
        chosen = chosen.select(framework_policy_ids(selection.framework), ())
    problems += _undeclared_params(chosen, program, selection)
    kept = [d for d in compiled.diagnostics if d.code != UNKNOWN_PARAM]  # rechecked above
    return replace(compiled, program=chosen, diagnostics=(*kept, *problems))


def framework_policy_ids(name: str) -> frozenset[str]:
    """The ids of framework ``name``; an unknown name is a usage error with a suggestion."""
    from scanner.catalogue import framework_names
    from scanner.catalogue import framework_policy_ids as ids_of

    known = framework_names()
    if name not in known:
        raise click.BadParameter(
            f"unknown framework {name!r}{did_you_mean(name, known)} (known: {', '.join(known)})",
            param_hint="--framework",
        )
    return ids_of(name)


def _unknown_options(program: Program, option: str, entries: tuple[str, ...]) -> list[Diagnostic]:
    return [
        Diagnostic(UNKNOWN_ON_COMMAND_LINE, f"{option} {entry}: {_names_nothing(entry)}", hint=hint)
        for entry in program.unmatched(entries)
        for hint in [_hint(program, entry)]
    ]


def _unknown_in_config(
    program: Program, key: str, entries: frozenset[str] | tuple[str, ...], config: Config
) -> list[Diagnostic]:
    missing = program.unmatched(sorted(entries))
    if not missing:
        return []
    where = _entry_locations(config, key)
    found = []
    for entry in missing:
        location, line = where.get(entry, (None, None))
        found.append(
            Diagnostic(
                UNKNOWN_IN_CONFIG,
                f"policies.{key}: {entry}: {_names_nothing(entry)}",
                location=location,
                hint=_hint(program, entry),
                source_line=line,
                file=None if location is not None else config.path,
            )
        )
    return found


def _undeclared_params(chosen: Program, every: Program, selection: Selection) -> list[Diagnostic]:
    config = selection.config
    given = [*selection.params, *(n for n in config.params if n not in selection.params)]
    declared = _declared_params(chosen) if given else None
    if declared is None:
        return []
    found = []
    for name in sorted(set(given) - declared):
        hint = did_you_mean(name, declared)
        if not hint and name in (_declared_params(every) or ()):
            hint = " (only policies that are not selected declare it)"
        message = f"no selected policy declares a param `{name}`{hint}"
        if name in selection.params:
            found.append(Diagnostic(UNKNOWN_PARAM, f"--param {name}: {message}"))
            continue
        location = config.locations.get(("policies", "params", name))
        line = line_at(config.lines, location.line) if location else None
        found.append(
            Diagnostic(
                UNKNOWN_PARAM,
                f"policies.params: {message}",
                location=location,
                source_line=line,
                file=None if location is not None else config.path,
            )
        )
    return found


def _declared_params(program: Program) -> set[str] | None:
    """Params declared by the files of ``program``'s policies; None when one is unreadable."""
    from scanner.errors import PacscanError
    from scanner.lang.ast_cache import cached_parse

    files = {p.info.source.file for p in program.policies if p.info.source is not None}
    declared: set[str] = set()
    for path in sorted(files):
        try:
            with open(path, encoding="utf-8") as handle:
                tree = cached_parse(path, handle.read())
        except (OSError, UnicodeDecodeError, PacscanError):
            return None
        declared |= {param.name for param in tree.params}
    return declared


def _names_nothing(entry: str) -> str:
    if any(ch in entry for ch in "*?["):
        return "the pattern matches no policy"
    return "no policy has this id or name"


def _hint(program: Program, entry: str) -> str | None:
    close = program.closest(entry)
    return f"did you mean {close}?" if close else None


def _entry_locations(config: Config, key: str) -> dict[str, tuple[Location, str]]:
    """Each ``policies.<key>`` entry's location and source line, as the file was read."""
    found: dict[str, tuple[Location, str]] = {}
    for path, location in config.locations.items():
        if len(path) != 3 or path[:2] != ("policies", key) or not isinstance(path[2], int):
            continue
        line = line_at(config.lines, location.line)
        if line is None:
            continue
        end = location.end_column if location.end_line == location.line else None
        written = line[location.column - 1 : (end - 1) if end else None].strip().strip("'\"")
        found.setdefault(written, (location, line))
    return found
