"""A scan's policy set: stand-ins from the stored index, compiled per file on first use.

``compile_deferred`` looks the policy files up in the index (``scanner.policyset.index``).
On a hit, each policy is a stand-in ``CompiledPolicy`` holding its stored ``PolicyInfo``;
``Program.by_type`` compiles the stand-ins of a resource type the first time the evaluator
asks for them, one policy file at a time, exactly as a full compile would (the index is
only written for a set that compiled without a diagnostic, and its key covers every input
of the compile). A scan of one S3 template then compiles the S3 policies, not all of them.
On a miss the whole set is compiled, and stored when it compiled clean.

``compile_found`` does the same for policy files found on disk and not read yet: the index
key, computed from their texts, is remembered by the files' stamp (``scanner.stamps``), so
a scan that finds its set indexed reads only the files of the types it meets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from scanner.engine.context import Ctx, Node
from scanner.engine.program import CompiledCondition, CompiledPolicy, Program
from scanner.errors import Diagnostic
from scanner.lang.sources import PolicyEntry, PolicySource
from scanner.model import Each, Location, PolicyInfo
from scanner.policyset.index import code_salt, index_key, load_index, params_text, store_index
from scanner.stamps import remembered, stamp
from scanner.values import EvaluationError

Compiled = tuple[Program, tuple[Diagnostic, ...]]


def compile_deferred(sources: Sequence[PolicySource], params: Mapping[str, Any]) -> Compiled:
    """The program of ``sources`` and what compiling it said; stand-ins when indexed."""
    from scanner.cache import enabled

    key = set_key(sources, params) if enabled() else None
    by_path = {s.path: s for s in sources}
    return _program(key, lambda: sources, by_path.get, params, _in_library(sources))


def compile_found(entries: Sequence[PolicyEntry], params: Mapping[str, Any]) -> Compiled:
    """``compile_deferred`` of the files ``entries`` name, each read when it is compiled."""
    from scanner.cache import enabled

    read_all = functools.cache(lambda: [entry.read() for entry in entries])
    key = None
    if enabled():
        key = remembered("policy-set", _stamp(entries, params), lambda: set_key(read_all(), params))
    by_path = {entry.path: entry for entry in entries}

    def read(path: str) -> PolicySource | None:
        entry = by_path.get(path)
        return entry.read() if entry is not None else None

    return _program(key, read_all, read, params, _in_library(entries))


def _in_library(found: Sequence[PolicySource | PolicyEntry]) -> bool:
    """Whether every file of a set was found in the built-in library."""
    from scanner.lang.seed import library_dir

    library = library_dir()
    return library is not None and bool(found) and all(str(f.root) == library for f in found)


def _stamp(entries: Sequence[PolicyEntry], params: Mapping[str, Any]) -> str | None:
    """The stamp of the files of a set, with everything else its index key covers: the
    code, the params, each file's policy directory and module name."""
    found = [*entries, *_fallback_entries(entries)]
    places = (f"{e.path}\0{e.root}\0{e.module}" for e in found)
    salt = "\0".join([code_salt(), params_text(params), *places])
    return stamp((e.file_path() for e in found), salt)


def _program(
    key: str | None,
    sources: Callable[[], Sequence[PolicySource]],
    source: Callable[[str], PolicySource | None],
    params: Mapping[str, Any],
    library: bool,
) -> Compiled:
    """Stand-ins for the policies the index holds under ``key``, compiled from ``source``
    when first met; else every policy of ``sources``, compiled now (and indexed).
    ``library``: the set is the built-in library's files, whose index may be seeded."""
    stored = load_index(key) if key is not None else None
    if stored is None and library:
        from scanner.policyset.seed import seeded_index  # the library's index, built with the wheel

        stored = seeded_index(sources(), params)
        if stored is not None and key is not None:
            store_index(key, stored)
    if stored is not None:
        files = _Files(source, params)
        return Program.of(files.stand_in(path, info) for path, info in stored), ()
    from scanner.policyset.compiler import compile_sources

    compiled = compile_sources(sources(), params, warn=False)
    infos = [p.info for p in compiled.program.policies]
    if key is not None and not compiled.diagnostics and all(i.source for i in infos):
        store_index(key, ((i.source.file, i) for i in infos if i.source))
    return compiled.program, tuple(compiled.diagnostics)


def set_key(sources: Sequence[PolicySource], params: Mapping[str, Any]) -> str:
    """The index key of a policy set: its files, and the built-in modules it may use."""
    return index_key([*sources, *_fallback_modules(sources)], params)


def _fallback_modules(sources: Sequence[PolicySource]) -> list[PolicySource]:
    """The built-in modules a set outside the built-in library may ``use`` (its key
    covers them: what they define can change what its policies compile to)."""
    return [entry.read() for entry in _fallback_entries(sources)]


def _fallback_entries(sources: Sequence[PolicySource | PolicyEntry]) -> list[PolicyEntry]:
    from scanner.lang.sources import builtin_policy_dir, find_policy_files

    builtin = builtin_policy_dir()
    modules = builtin.joinpath("lib")
    if any(str(s.root) == str(builtin) for s in sources) or not modules.is_dir():
        return []
    return find_policy_files([modules])


class _Files:
    """The policy files of an indexed set, each compiled once, when first needed."""

    def __init__(
        self, source: Callable[[str], PolicySource | None], params: Mapping[str, Any]
    ) -> None:
        self.source = source
        self.params = params
        self.compiled: dict[str, dict[str, CompiledPolicy]] = {}
        self.libraries: Any = None

    def stand_in(self, path: str, info: PolicyInfo) -> CompiledPolicy:
        built: list[CompiledPolicy] = []

        def deferred() -> CompiledPolicy:
            if not built:
                built.append(self.policy(path, info))
            return built[0]

        return CompiledPolicy(info=info, whens=(), assertions=(), deferred=deferred)

    def policy(self, path: str, info: PolicyInfo) -> CompiledPolicy:
        found = self.file(path).get(info.name)
        if found is None or found.info != info:
            return _broken(info, f"{path} no longer compiles to the policy the index holds")
        if any(type(step) is Each for op in info.fixes for step in op.path):
            return found  # its fix filters are compiled; the index holds only their text
        return replace(found, info=info)  # the stand-in's info: findings share one object

    def file(self, path: str) -> dict[str, CompiledPolicy]:
        if path not in self.compiled:
            self.compiled[path] = self._compile(path)
        return self.compiled[path]

    def _compile(self, path: str) -> dict[str, CompiledPolicy]:
        from scanner.policyset.compiler import FileUnit, Libraries

        source = self.source(path)
        if source is None or source.error is not None:
            return {}
        if self.libraries is None:
            self.libraries = Libraries()
        unit = FileUnit(source, self.params, self.libraries.of(source.root), warn=False)
        policies, errors, _ = unit.compile()
        return {} if errors else {p.info.name: p for p in policies}


def _broken(info: PolicyInfo, why: str) -> CompiledPolicy:
    """A policy that could not be rebuilt: an error finding on each resource it meets."""

    def fail(ctx: Ctx) -> Any:
        raise EvaluationError(why)

    where = info.source or Location(info.id, 1, 1)
    condition = CompiledCondition(Node(fail, cond=True), "", where)
    return CompiledPolicy(info=info, whens=(), assertions=(condition,))
