"""Modules: definitions a policy file shares with others through ``use NAME``.

A module is the file ``lib/NAME.policy`` under the policy directory being loaded (the
built-in library's are in ``policies/lib/``). It holds ``use``, ``def`` and ``let`` only.
``use NAME`` makes every ``def``/``let`` of the module usable in the file; ``use NAME (a,
b)`` only those listed. The definitions evaluate exactly as if they were written in the
using file: the module's own ``use``s come along, and none of their names may be defined
again by the using file (or by two modules it uses).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import Diagnostic, PolicyError
from scanner.excerpt import source_excerpt
from scanner.lang import ast, codes
from scanner.lang.ast_cache import cached_parse
from scanner.lang.limits import MAX_IMPORT_DEPTH
from scanner.lang.references import file_references
from scanner.lang.scope import did_you_mean
from scanner.model import Location

MODULE_DIR = "lib"
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Imports:
    """What a file's ``use`` lines bring in, dependencies first."""

    lets: tuple[ast.Let, ...] = ()
    defs: tuple[ast.Def, ...] = ()
    shapes: dict[str, str] = field(default_factory=dict)  # value/collection of each name
    origin: dict[str, str] = field(default_factory=dict)  # every name brought in -> module
    visible: dict[str, str] = field(default_factory=dict)  # names the file may use -> module
    modules: tuple[str, ...] = ()  # every module brought in, dependencies first
    fingerprint: str = ""  # of the path and text of each of them


NO_IMPORTS = Imports()


@dataclass(slots=True)
class Module:
    name: str
    path: str
    text: str
    tree: ast.PolicyFile | None = None
    imports: Imports = NO_IMPORTS
    shapes: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why the module cannot be used


@dataclass(slots=True)
class ModuleLibrary:
    """The modules of one policy directory (``root``: a directory path or a Traversable)."""

    root: Any
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
        lets: list[ast.Let] = []
        defs: list[ast.Def] = []
        shapes: dict[str, str] = {}
        origin: dict[str, str] = {}
        visible: dict[str, str] = {}
        prints: list[str] = []
        taken: dict[str, int] = {}  # module -> line of the `use` that brings it
        for use in pf.uses:
            module = self._use_site(use, stack, errors)
            if module is None or module.tree is None:
                continue
            own = _names(module.tree)
            for name, loc in use.names or [(n, use.module_loc) for n in own]:
                if name in own:
                    visible[name] = module.name
                else:
                    hint = did_you_mean(name, own)
                    errors.append(
                        PolicyError(
                            f"module `{module.name}` has no def or let `{name}`{hint}",
                            code=codes.NOT_IN_MODULE,
                            location=loc,
                        )
                    )
            for part in self._closure(module):
                if part.name in taken or part.tree is None:
                    continue
                taken[part.name] = use.loc.line
                prints.append(f"{part.path}\0{part.text}")
                shapes.update(part.shapes)
                for item in part.tree.order:
                    if not isinstance(item, (ast.Let, ast.Def)):
                        continue
                    first = origin.setdefault(item.name, part.name)
                    if first != part.name:
                        errors.append(_collision_between(item.name, first, part.name, use))
                    elif isinstance(item, ast.Let):
                        lets.append(item)
                    else:
                        defs.append(item)
        errors.extend(_local_collisions(pf, origin, taken))
        fingerprint = hashlib.sha256("\0\0".join(prints).encode()).hexdigest()
        imports = Imports(
            tuple(lets), tuple(defs), shapes, origin, visible, tuple(taken), fingerprint
        )
        return imports, errors

    def usage(
        self, pf: ast.PolicyFile, imports: Imports
    ) -> tuple[list[PolicyError], list[PolicyError]]:
        """Errors for names of modules the file does not import, and a warning per unused
        import (a listed name never used, or a module none of whose names is used)."""
        errors: list[PolicyError] = []
        used: set[str] = set()
        for name, loc in file_references(pf):
            module = imports.origin.get(name)
            if module is None:
                continue
            if name in imports.visible:
                used.add(name)
                continue
            errors.append(_not_imported(pf, name, module, loc))
        warnings: list[PolicyError] = []
        for use in pf.uses:
            if use.names:
                for name, loc in use.names:
                    if name not in used and imports.visible.get(name) == use.module:
                        warnings.append(
                            PolicyError(
                                f"`{name}` is imported from module `{use.module}` but never used",
                                code=codes.UNUSED_IMPORT,
                                location=loc,
                            )
                        )
                continue
            names = [n for n, m in imports.visible.items() if m == use.module]
            if names and not used.intersection(names):
                warnings.append(
                    PolicyError(
                        f"module `{use.module}` is used but none of its names is",
                        code=codes.UNUSED_IMPORT,
                        location=use.loc,
                    )
                )
        return errors, warnings

    def defining(self, name: str) -> str | None:
        """The module of this directory that defines ``name`` (for a missing ``use``)."""
        for module_name in self.available():
            module = self.load(module_name, ())
            if module is not None and module.tree is not None and name in _names(module.tree):
                return module_name
        return None

    # ------------------------------------------------------------ loading

    def load(self, name: str, stack: tuple[str, ...]) -> Module | None:
        """The module ``name`` (None when the directory has none by that name)."""
        if name in self._modules:
            return self._modules[name]
        found = self._read(name)
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
        return ""

    def available(self) -> list[str]:
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

        errors: list[PolicyError] = []
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
        errors.extend(_not_module_items(tree))
        imports, use_errors = self.resolve(tree, stack)
        errors.extend(use_errors)
        if not use_errors:
            more, _ = self.usage(tree, imports)
            errors.extend(more)
        if errors:
            self._report(module, errors)
            return
        shapes, check_errors = check_module(tree, imports, self.defining)
        if check_errors:
            self._report(module, check_errors)
            return
        module.tree, module.imports, module.shapes = tree, imports, shapes

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
            where = f"{self.root}/{MODULE_DIR}" if self.root is not None else "no policy directory"
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
        """``module`` and every module it uses, dependencies first, each once."""
        deps = [self._modules.get(name) for name in module.imports.modules]
        return [*(d for d in deps if d is not None), module]


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


def _local_collisions(
    pf: ast.PolicyFile, origin: dict[str, str], taken: dict[str, int]
) -> list[PolicyError]:
    errors = []
    for item in pf.order:
        module = origin.get(item.name)
        if module is None:
            continue
        loc = item.name_loc if isinstance(item, ast.Policy) else item.loc
        line = taken[module]
        errors.append(
            PolicyError(
                f"`{item.name}` is already defined by module `{module}` (used on line {line})",
                code=codes.NAME_COLLISION,
                location=loc,
            )
        )
    return errors


def _not_imported(pf: ast.PolicyFile, name: str, module: str, loc: Location) -> PolicyError:
    direct = [u for u in pf.uses if u.module == module]
    if direct:
        fix = f"add it to `use {module} (...)`"
    else:
        fix = f"add `use {module}`"
    return PolicyError(
        f"`{name}` is defined by module `{module}`, which this file does not import; {fix}",
        code=codes.NOT_IMPORTED,
        location=loc,
    )
