"""Modules: definitions a policy file shares with others through ``use NAME``.

A module is the file ``lib/NAME.policy`` under the policy directory being loaded (the
built-in library's are in ``policies/lib/``). It holds ``use``, ``def`` and ``let`` only.
``use NAME`` imports every ``def``/``let`` of the module, ``use NAME (a, b)`` those
listed. The definitions evaluate as if written in the using file, renamed apart
(``scanner.lang.qualify``): the file sees only what it imports, and the module's other
names (and those of the modules it uses) can neither clash with the file's nor be called
from it.

A module is named, never a path: the name is a bare identifier, the file must lie inside
the policy directory (a symbolic link out of it is not followed), modules may use each
other ``MAX_IMPORT_DEPTH`` deep and never in a cycle. Each module is read, parsed and
checked once per ``ModuleLibrary`` (one per policy directory per run), however many files
use it; its own errors are reported once, at the module, and a file that uses a broken
module gets one error at its ``use``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from scanner.errors import Diagnostic, PolicyError
from scanner.excerpt import source_excerpt
from scanner.lang import ast, codes
from scanner.lang.ast_cache import cached_parse
from scanner.lang.limits import MAX_IMPORT_DEPTH
from scanner.lang.qualify import qualified, rename_def, rename_let
from scanner.lang.references import file_references
from scanner.lang.scope import did_you_mean
from scanner.model import Location
from scanner.records import record

MODULE_DIR = "lib"
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@record
class Imports:
    """What a file's ``use`` lines bring in: every definition of the modules, renamed
    apart (``scanner.lang.qualify``), dependencies first, and the names the file imports."""

    lets: tuple[ast.Let, ...] = ()
    defs: tuple[ast.Def, ...] = ()
    shapes: dict[str, str] = field(default_factory=dict)  # value/collection, by renamed name
    names: dict[str, str] = field(default_factory=dict)  # imported name -> renamed name
    unlisted: dict[str, str] = field(default_factory=dict)  # not in a `use` list -> module
    modules: tuple[Any, ...] = ()  # every ``Module`` brought in, dependencies first
    fingerprint: str = ""  # of the path and text of each of them


NO_IMPORTS = Imports()


@record(frozen=False)
class Module:
    name: str
    path: str
    text: str
    problem: str | None = None  # why the module cannot be used
    imports: Imports = NO_IMPORTS  # what its own `use` lines bring in
    exports: dict[str, str] = field(default_factory=dict)  # its def/let names -> renamed
    lets: tuple[ast.Let, ...] = ()  # renamed
    defs: tuple[ast.Def, ...] = ()  # renamed
    shapes: dict[str, str] = field(default_factory=dict)  # by renamed name


@record(frozen=False)
class ModuleLibrary:
    """The modules of one policy directory (``root``: a directory path or a Traversable)."""

    root: Any
    fallback: ModuleLibrary | None = None  # the built-in library, for names ``root`` lacks
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _modules: dict[str, Module | None] = field(default_factory=dict)
    _loading: set[str] = field(default_factory=set)

    # ------------------------------------------------------------ use sites

    def resolve(
        self, pf: ast.PolicyFile, stack: tuple[str, ...] = ()
    ) -> tuple[Imports, list[PolicyError]]:
        """The definitions ``pf``'s ``use`` lines bring in, and every problem with them."""
        errors: list[PolicyError] = []
        if not pf.uses:
            return NO_IMPORTS, errors
        names: dict[str, str] = {}
        unlisted: dict[str, str] = {}
        taken: dict[str, Module] = {}  # by path: two libraries may each have a `network`
        owners: dict[str, tuple[str, int]] = {}  # imported name -> module, line of its `use`
        for use in pf.uses:
            module = self._use_site(use, stack, errors)
            if module is None:
                continue
            own = module.exports
            listed = use.names or tuple((n, use.module_loc) for n in own)
            for name, loc in listed:
                if name not in own:
                    hint = did_you_mean(name, own)
                    message = f"module `{module.name}` has no def or let `{name}`{hint}"
                    errors.append(PolicyError(message, code=codes.NOT_IN_MODULE, location=loc))
                elif names.setdefault(name, own[name]) != own[name]:
                    first = owners[name][0]
                    errors.append(_collision_between(name, first, module.name, use))
                else:
                    owners.setdefault(name, (module.name, use.loc.line))
            unlisted.update((n, module.name) for n in own if n not in names)
            for part in self._closure(module):
                taken.setdefault(part.path, part)
        for name in names:
            unlisted.pop(name, None)
        errors.extend(_local_collisions(pf, owners))
        return _imports(list(taken.values()), names, unlisted), errors

    def usage(self, pf: ast.PolicyFile, imports: Imports) -> list[PolicyError]:
        """A warning per unused import: a listed name the file never uses, or a module none
        of whose names it uses."""
        used = {name for name, _ in file_references(pf) if name in imports.names}
        warnings: list[PolicyError] = []
        for use in pf.uses:
            module = self._modules.get(use.module)
            if module is None or module.problem is not None:
                continue
            if use.names:
                for name, loc in use.names:
                    if name not in used and name in module.exports:
                        message = f"`{name}` is imported from module `{use.module}` but never used"
                        warnings.append(
                            PolicyError(message, code=codes.UNUSED_IMPORT, location=loc)
                        )
            elif not used.intersection(module.exports):
                message = f"module `{use.module}` is used but none of its names is"
                warnings.append(PolicyError(message, code=codes.UNUSED_IMPORT, location=use.loc))
        return warnings

    def hint(self, imports: Imports) -> Callable[[str], str | None]:
        """For a name the file does not know: which module defines it and the `use` that
        would bring it in (None when no module of the directory defines it)."""

        def missing(name: str) -> str | None:
            module = imports.unlisted.get(name)
            if module is not None:
                return f"module `{module}` defines it, but its `use` does not list it"
            module = self.defining(name)
            if module is None:
                return None
            return f"module `{module}` defines it: add `use {module}`"

        return missing

    def defining(self, name: str) -> str | None:
        """The module of this directory that defines ``name`` (for a missing ``use``)."""
        for module_name in self.available():
            module = self.load(module_name, ())
            if module is not None and name in module.exports:
                return module_name
        return None

    # ------------------------------------------------------------ loading

    def load(self, name: str, stack: tuple[str, ...]) -> Module | None:
        """The module ``name`` of this directory, else of the fallback library (None when
        neither has it)."""
        if name in self._modules:
            return self._modules[name]
        found = self._read(name)
        if found is None and self.fallback is not None:
            found = self.fallback.load(name, stack)
            self._modules[name] = found
            return found
        self._modules[name] = found
        if found is None or found.problem is not None:
            return found
        self._loading.add(name)
        try:
            self._compile(found, (*stack, name))
        finally:
            self._loading.discard(name)
        return found

    def text_of(self, path: str) -> str:
        """The text of the module read from ``path`` ("" when none was)."""
        for module in self._modules.values():
            if module is not None and module.path == path:
                return module.text
        return self.fallback.text_of(path) if self.fallback is not None else ""

    def drain(self) -> list[Diagnostic]:
        """The errors of modules loaded since the last call (each reported once)."""
        found = [*self.diagnostics, *(self.fallback.drain() if self.fallback else [])]
        self.diagnostics.clear()
        return found

    def available(self) -> list[str]:
        """The module names of this directory and of the fallback library."""
        found = set(self.fallback.available()) if self.fallback is not None else set()
        return sorted(found | set(self.own()))

    def own(self) -> list[str]:
        """The module names of this directory's lib/ folder."""
        directory = self._lib()
        if directory is None:
            return []
        try:
            names = [entry.name for entry in directory.iterdir()]
        except OSError:
            return []
        stems = (n[: -len(".policy")] for n in names if n.endswith(".policy"))
        return sorted(s for s in stems if _MODULE_NAME.match(s))

    def path_of(self, name: str) -> str:
        """The file name of module ``name``, written as discovery writes it."""
        if isinstance(self.root, (str, os.PathLike)):
            return str(Path(self.root, MODULE_DIR, f"{name}.policy"))
        return f"{self.root}/{MODULE_DIR}/{name}.policy"

    def _lib(self) -> Any:
        if self.root is None:
            return None
        directory = (
            Path(self.root, MODULE_DIR)
            if isinstance(self.root, (str, os.PathLike))
            else self.root.joinpath(MODULE_DIR)
        )
        return directory if directory.is_dir() else None

    def _read(self, name: str) -> Module | None:
        from scanner.lang.sources import read_source

        directory = self._lib()
        if directory is None or not _MODULE_NAME.match(name):
            return None
        entry = directory.joinpath(f"{name}.policy")
        path = self.path_of(name)
        if isinstance(self.root, (str, os.PathLike)):
            if not os.path.lexists(entry):
                return None
            if not _inside(os.path.realpath(entry), os.path.realpath(self.root)):
                return Module(
                    name,
                    path,
                    "",
                    problem="it is a symbolic link out of the policy directory; not followed",
                )
        elif not entry.is_file():
            return None
        source = read_source(path, entry)
        if source.error is not None:
            return Module(name, path, "", problem=source.error)
        return Module(name, path, source.text)

    def _compile(self, module: Module, stack: tuple[str, ...]) -> None:
        from scanner.lang.checks import check_module

        try:
            tree = cached_parse(module.path, module.text)
        except PolicyError as exc:
            self._report(module, [exc])
            return
        except RecursionError:
            where = Location(module.path, 1, 1)
            error = PolicyError("policy is nested too deeply", code=codes.SYNTAX, location=where)
            self._report(module, [error])
            return
        errors = _not_module_items(tree)
        imports, use_errors = self.resolve(tree, stack)
        shapes: dict[str, str] = {}
        if use_errors:
            errors.extend(use_errors)
        else:
            shapes, check_errors = check_module(tree, imports, self.hint(imports))
            errors.extend(check_errors)
        if errors:
            self._report(module, errors)
            return
        module.imports = imports
        module.exports = {n: qualified(module.path, n) for n in _names(tree)}
        renames = {**imports.names, **module.exports}
        module.lets = tuple(rename_let(i, renames) for i in tree.lets)
        module.defs = tuple(rename_def(d, renames) for d in tree.defs)
        module.shapes = {
            module.exports[n]: shape for n, shape in shapes.items() if n in module.exports
        }

    def _report(self, module: Module, errors: list[PolicyError]) -> None:
        count = len(errors)
        module.problem = (
            f"it does not compile ({count} error{'s' if count != 1 else ''} in {module.path})"
        )
        for error in errors:
            self.diagnostics.append(
                Diagnostic(
                    code=error.code,
                    message=error.message,
                    location=error.location,
                    hint=error.hint,
                    source_line=source_excerpt(module.text, error.location),
                )
            )

    def _use_site(
        self, use: ast.Use, stack: tuple[str, ...], errors: list[PolicyError]
    ) -> Module | None:
        def fail(code: str, message: str) -> None:
            errors.append(PolicyError(message, code=code, location=use.module_loc))

        if use.module in stack or use.module in self._loading:
            chain = [*stack[stack.index(use.module) :]] if use.module in stack else [*stack]
            fail(
                codes.IMPORT_CYCLE,
                "modules use each other in a cycle: " + " -> ".join([*chain, use.module]),
            )
            return None
        if len(stack) >= MAX_IMPORT_DEPTH:
            fail(
                codes.LIMIT,
                f"modules nest more than {MAX_IMPORT_DEPTH} deep: "
                + " -> ".join([*stack, use.module]),
            )
            return None
        module = self.load(use.module, stack)
        if module is None:
            hint = did_you_mean(use.module, self.available())
            places = [f"{self.root}/{MODULE_DIR}"] if self.root is not None else []
            places += ["the built-in library"] if self.fallback is not None else []
            where = " or ".join(places) or "no policy directory"
            fail(
                codes.UNKNOWN_MODULE,
                f"no module `{use.module}` (looked for {use.module}.policy in {where}){hint}",
            )
            return None
        if module.problem is not None:
            fail(codes.BAD_MODULE, f"module `{use.module}` cannot be used: {module.problem}")
            return None
        return module

    def _closure(self, module: Module) -> list[Module]:
        """``module`` and every module it uses, dependencies first."""
        return [*module.imports.modules, module]


def _imports(modules: list[Module], names: dict[str, str], unlisted: dict[str, str]) -> Imports:
    prints = "\0\0".join(f"{m.path}\0{m.text}" for m in modules)
    shapes: dict[str, str] = {}
    for m in modules:
        shapes.update(m.shapes)
    return Imports(
        lets=tuple(let for m in modules for let in m.lets),
        defs=tuple(d for m in modules for d in m.defs),
        shapes=shapes,
        names=names,
        unlisted=unlisted,
        modules=tuple(modules),
        fingerprint=hashlib.sha256(prints.encode()).hexdigest(),
    )


def _names(tree: ast.PolicyFile) -> dict[str, Location]:
    return {i.name: i.loc for i in tree.order if isinstance(i, (ast.Let, ast.Def))}


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _not_module_items(tree: ast.PolicyFile) -> list[PolicyError]:
    errors = []
    for item in tree.order:
        if isinstance(item, ast.Policy):
            errors.append(
                PolicyError(
                    f"a module holds only `use`, `def` and `let`; policy {item.name} belongs in "
                    "a policy file outside lib/",
                    code=codes.BAD_MODULE,
                    location=item.name_loc,
                )
            )
        elif isinstance(item, ast.Param):
            errors.append(
                PolicyError(
                    f"a module cannot declare a param (`{item.name}`): declare it in the policy "
                    "file and pass it to the def as an argument",
                    code=codes.BAD_MODULE,
                    location=item.loc,
                )
            )
    return errors


def _collision_between(name: str, first: str, second: str, use: ast.Use) -> PolicyError:
    return PolicyError(
        f"`{name}` is defined by module `{first}` and by module `{second}`",
        code=codes.NAME_COLLISION,
        location=use.loc,
    )


def _local_collisions(pf: ast.PolicyFile, owners: dict[str, tuple[str, int]]) -> list[PolicyError]:
    errors = []
    for item in pf.order:
        if item.name not in owners:
            continue
        module, line = owners[item.name]
        loc = item.name_loc if isinstance(item, ast.Policy) else item.loc
        errors.append(
            PolicyError(
                f"`{item.name}` is already imported from module `{module}` (line {line})",
                code=codes.NAME_COLLISION,
                location=loc,
            )
        )
    return errors
