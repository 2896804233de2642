"""Policy sources to a runnable ``Program``: parse, check, compile, file by file.

``compile_sources`` never raises for a policy mistake. A syntax error or a problem in a
file's shared ``let``/``def``/``param`` drops that file; a problem inside one policy drops
only that policy. Every problem is returned as a ``Diagnostic`` with its source line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from scanner.engine.closures import ExprCompiler
from scanner.engine.program import CompiledPolicy, Program
from scanner.errors import Diagnostic, PolicyError
from scanner.excerpt import source_excerpt
from scanner.lang import ast, codes
from scanner.lang.ast_cache import cached_parse, checked_clean, remember_clean
from scanner.lang.constants import constant_value
from scanner.lang.limits import MAX_POLICY_FILE
from scanner.lang.modules import NO_IMPORTS, Imports, ModuleLibrary
from scanner.lang.scope import VALUE, did_you_mean
from scanner.lang.sources import PolicySource
from scanner.model import Location
from scanner.policyset.build import build_policy
from scanner.records import record


@record
class CompileResult:
    program: Program
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)  # unused imports

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def compile_sources(
    sources: Iterable[PolicySource], params: Mapping[str, Any] | None = None, *, warn: bool = True
) -> CompileResult:
    """Every policy of ``sources``; ``warn=False`` skips looking for unused imports (a scan
    does not show those warnings)."""
    overrides = dict(params or {})
    diagnostics: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    compiled: list[CompiledPolicy] = []
    declared: set[str] = set()
    libraries = Libraries()
    for source in sources:
        library = libraries.of(source.root)
        if source.error is not None:
            diagnostics.append(
                Diagnostic(code=codes.UNREADABLE, message=source.error, file=source.path)
            )
        elif source.module is not None:
            library.load(source.module, ())
        else:
            unit = FileUnit(source, overrides, library, warn=warn)
            policies, errors, names = unit.compile()
            declared |= names
            compiled.extend(policies)
            diagnostics.extend(unit.diagnostic(e) for e in errors)
            warnings.extend(unit.diagnostic(w, "warning") for w in unit.warnings)
        diagnostics.extend(library.drain())
    compiled = _drop_duplicate_ids(compiled, diagnostics)
    for name in sorted(set(overrides) - declared):
        hint = did_you_mean(name, declared)
        diagnostics.append(
            Diagnostic(
                code=codes.UNKNOWN_PARAM,
                message=f"--param {name}: no policy file declares a param `{name}`{hint}",
            )
        )
    return CompileResult(Program.of(compiled), diagnostics, warnings)


class Libraries:
    """The modules of each policy directory of a run; each falls back on the built-in
    library, whose modules every policy file may use."""

    def __init__(self) -> None:
        from scanner.lang.sources import builtin_policy_dir

        self.builtin = ModuleLibrary(builtin_policy_dir())
        self.by_root: dict[str, ModuleLibrary] = {str(self.builtin.root): self.builtin}

    def of(self, root: Any) -> ModuleLibrary:
        key = str(root) if root is not None else ""
        if key not in self.by_root:
            self.by_root[key] = ModuleLibrary(root, fallback=self.builtin)
        return self.by_root[key]


class FileUnit:
    """One policy file being compiled, with the modules of its policy directory."""

    def __init__(
        self,
        source: PolicySource,
        overrides: Mapping[str, Any],
        library: ModuleLibrary,
        *,
        warn: bool = True,
    ) -> None:
        self.source = source
        self.overrides = overrides
        self.library = library
        self.warn = warn
        self.warnings: list[PolicyError] = []

    def compile(self) -> tuple[list[CompiledPolicy], list[PolicyError], set[str]]:
        source = self.source
        if len(source.text) > MAX_POLICY_FILE:
            message = (
                f"policy file is {len(source.text):,} characters; the limit is "
                f"{MAX_POLICY_FILE:,} (split it into several files)"
            )
            error = PolicyError(message, code=codes.LIMIT, location=Location(source.path, 1, 1))
            return [], [error], set()
        try:
            return self._compile_text()
        except PolicyError as exc:
            return [], [exc], set()
        except RecursionError:
            where = Location(source.path, 1, 1)
            error = PolicyError("policy is nested too deeply", code=codes.SYNTAX, location=where)
            return [], [error], set()

    def _compile_text(self) -> tuple[list[CompiledPolicy], list[PolicyError], set[str]]:
        source, overrides = self.source, self.overrides
        pf = cached_parse(source.path, source.text)
        names = {p.name for p in pf.params}
        imports, errors = self.library.resolve(pf)
        if errors:
            return [], errors, names
        if self.warn:
            self.warnings = self.library.usage(pf, imports)
        context = imports.fingerprint
        if not checked_clean(source.path, source.text, overrides, context):
            from scanner.lang.checks import check_file  # a file checked before is not

            errors = check_file(pf, overrides, imports, self.library.hint(imports))
            if not errors:
                remember_clean(source.path, source.text, overrides, context)
        bad = _bad_policies(pf, errors)
        if bad is None:
            return [], errors, names
        compile_errors: list[PolicyError] = []
        policies = compile_file(pf, source.text, overrides, bad, compile_errors, imports)
        later_bad = _bad_policies(pf, compile_errors) or set()
        policies = [p for p in policies if p.info.name not in later_bad]
        return policies, errors + compile_errors, names

    def diagnostic(self, error: PolicyError, severity: str = "error") -> Diagnostic:
        text = self.source.text
        where = error.location
        if where is not None and where.file != self.source.path:
            text = self.library.text_of(where.file)
        return Diagnostic(
            code=error.code,
            message=error.message,
            location=where,
            hint=error.hint,
            source_line=source_excerpt(text, where),
            severity=severity,
        )


def compile_file(
    pf: ast.PolicyFile,
    text: str,
    overrides: Mapping[str, Any],
    skip: set[str],
    errors: list[PolicyError],
    imports: Imports = NO_IMPORTS,
) -> list[CompiledPolicy]:
    """Compile the checked policies of one file (except those named in ``skip``); the
    definitions its ``use`` lines brought in are compiled as if written in it."""
    values: dict[str, Any] = {}
    defs = {d.name: d for d in imports.defs}
    defs.update((name, defs[renamed]) for name, renamed in imports.names.items() if renamed in defs)
    defs.update((d.name, d) for d in pf.defs)
    compiler = ExprCompiler(defs, values, errors)
    scope = compiler.file_scope
    for let in imports.lets:
        compiler.bind_let(scope, let)
    for name, renamed in imports.names.items():
        binding = scope.names.get(renamed)
        if binding is not None:
            scope.alias(name, binding)
    for param in pf.params:
        if param.name in overrides:
            values[param.name] = overrides[param.name]
        else:
            values[param.name] = constant_value(param.default, scope, values)
        scope.bind(param.name, "param", VALUE, param)
    for item in pf.order:
        if isinstance(item, ast.Let):
            compiler.bind_let(scope, item)
    lines = text.splitlines()
    return [
        build_policy(policy, compiler, values, lines)
        for policy in pf.policies
        if policy.name not in skip
    ]


def _bad_policies(pf: ast.PolicyFile, errors: list[PolicyError]) -> set[str] | None:
    """Names of policies holding an error; None when an error is outside every policy."""
    bad: set[str] = set()
    for error in errors:
        owner = _owner(pf, error.location)
        if owner is None:
            return None
        bad.add(owner)
    return bad


def _owner(pf: ast.PolicyFile, where: Location | None) -> str | None:
    if where is None or where.file != pf.path:
        return None
    for policy in pf.policies:
        start, end = policy.loc.line, policy.loc.end_line or policy.loc.line
        if start <= where.line <= end:
            return policy.name
    return None


def _drop_duplicate_ids(
    policies: list[CompiledPolicy], diagnostics: list[Diagnostic]
) -> list[CompiledPolicy]:
    first: dict[str, CompiledPolicy] = {}
    kept = []
    for policy in policies:
        seen = first.get(policy.info.id)
        if seen is None:
            first[policy.info.id] = policy
            kept.append(policy)
            continue
        diagnostics.append(
            Diagnostic(
                code=codes.DUPLICATE_POLICY_ID,
                message=f"policy id {policy.info.id} is already used by {seen.info.name} "
                f"({seen.info.source})",
                location=policy.id_loc or policy.info.source,
                source_line=policy.id_line,
            )
        )
    return kept
