"""The policies of an audit on a cluster: described by the client, compiled by each worker.

Compiled policies are closures and cannot travel. The client sends what it compiled them
from instead, a ``PolicySet``: the built-in library by name, or the text of each policy
file of ``--policies`` and ``--extra-policies`` and of the modules of their directories'
``lib/`` (read, bounded and checked by the client: the paths are the client's, and a
worker reads no policy file), the params, the ids of the policies the client selected,
and the diagnostics its own compile gave (the reports show these, as without a cluster).
Each worker process compiles a set once and keeps it for the run's other accounts
(``compiled_policies``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.engine.program import Program
from scanner.errors import Diagnostic, UsageError
from scanner.lang.modules import ModuleLibrary
from scanner.lang.sources import PolicySource, builtin_policy_dir, discover_policy_files
from scanner.pipeline import Run
from scanner.policyset import CompiledPolicies

MAX_SENT = 32 * 1024**2  # characters of policy text sent to the workers
SETS_KEPT = 2  # compiled sets a worker process keeps (least recently used go)
LINK_OUT = "it is a symbolic link out of the policy directory; not followed"


@dataclass(frozen=True, slots=True)
class SentFile:
    """A policy file or module as the client read it (``error``: why it has no text)."""

    path: str
    text: str
    error: str | None
    root: str  # its policy directory, as the client names it
    module: str | None = None  # for lib/NAME.policy: NAME


@dataclass(frozen=True, slots=True)
class PolicySet:
    """What a worker compiles the client's selection of policies from."""

    version: str  # the client's pacscan
    builtin: bool  # the built-in library (no --policies)
    files: tuple[SentFile, ...]  # --policies (none with the built-in library)
    extra: tuple[SentFile, ...]  # --extra-policies
    modules: tuple[SentFile, ...]  # lib/NAME.policy of the directories of those files
    params: Mapping[str, Any]
    selected: tuple[str, ...]  # policy ids, in program order
    diagnostics: tuple[Diagnostic, ...]  # what the client's compile and selection said

    def key(self) -> str:
        """What the compiled set depends on, hashed (the cache key of ``compiled_policies``)."""
        digest = hashlib.sha256(f"{self.version}\0{self.builtin}\0".encode())
        digest.update(repr(sorted((n, repr(v)) for n, v in self.params.items())).encode())
        for group in (self.files, self.extra, self.modules):
            digest.update(f"\0{len(group)}".encode())
            for sent in group:
                head = (sent.path, sent.error, sent.root, sent.module, len(sent.text))
                digest.update("\0".join(map(str, head)).encode("utf-8", "surrogatepass"))
                digest.update(sent.text.encode("utf-8", "surrogatepass"))
        digest.update("\0".join(self.selected).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def describe_policies(run: Run, compiled: CompiledPolicies) -> PolicySet:
    """The set a worker compiles to ``compiled``, read from the files ``run`` names.

    A usage error when the texts are over ``MAX_SENT`` characters in all.
    """
    files = _sent(discover_policy_files(run.policy_paths)) if run.policy_paths else ()
    extra = _sent(discover_policy_files(run.extra_policy_paths))
    roots = dict.fromkeys(f.root for f in (*files, *extra))
    modules = tuple(m for root in roots for m in _modules(root))
    size = sum(len(f.text) for f in (*files, *extra, *modules))
    if size > MAX_SENT:
        raise UsageError(
            f"--cluster sends the policy files' text to the workers: {size:,} characters, "
            f"over the limit of {MAX_SENT:,}",
            hint="pass only the policy directories the audit needs",
        )
    return PolicySet(
        version=__version__,
        builtin=not run.policy_paths,
        files=files,
        extra=extra,
        modules=modules,
        params=dict(run.policy_params),
        selected=tuple(p.info.id for p in compiled.program.policies),
        diagnostics=tuple(compiled.diagnostics),
    )


def _sent(sources: Sequence[PolicySource]) -> tuple[SentFile, ...]:
    return tuple(SentFile(s.path, s.text, s.error, str(s.root), s.module) for s in sources)


def _modules(root: str) -> Iterator[SentFile]:
    """Every module of the policy directory ``root`` (read as ``ModuleLibrary`` reads it)."""
    from scanner.lang.sources import read_source

    library = ModuleLibrary(root)
    real_root = os.path.realpath(root)
    for name in library.own():
        path = library.path_of(name)
        real = os.path.realpath(path)
        if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            yield SentFile(path, "", LINK_OUT, root, name)
            continue
        source = read_source(path, Path(path))
        yield SentFile(path, source.text, source.error, root, name)


_lock = threading.Lock()
_compiled: OrderedDict[str, CompiledPolicies] = OrderedDict()


def compiled_policies(policies: PolicySet) -> CompiledPolicies:
    """``policies`` compiled in this process, once per set (kept for the next accounts).

    The program holds the client's selection, in its order; the diagnostics are the
    client's. A worker of another pacscan version, or one that does not compile a
    selected policy, raises ``RuntimeError``: its findings would not be the client's.
    """
    if policies.version != __version__:
        raise RuntimeError(
            f"this worker runs pacscan {__version__} and the client {policies.version}: "
            "install the same version on every worker"
        )
    key = policies.key()
    with _lock:
        found = _compiled.get(key)
        if found is None:
            found = _compiled[key] = _compile(policies)
        _compiled.move_to_end(key)
        while len(_compiled) > SETS_KEPT:
            _compiled.popitem(last=False)
    return found


def _compile(policies: PolicySet) -> CompiledPolicies:
    from scanner.policyset.deferred import compile_deferred

    directories = _directories(policies.modules)
    sent = [_source(f, directories) for f in policies.files]
    sources = discover_policy_files([builtin_policy_dir()]) if policies.builtin else sent
    taken = {s.path for s in sources}
    added = [_source(f, directories) for f in policies.extra if f.path not in taken]
    program, _ = compile_deferred(sources + added, policies.params)
    by_id = {p.info.id: p for p in program.policies}
    missing = [i for i in policies.selected if i not in by_id]
    if missing:
        raise RuntimeError(
            f"this worker does not compile the selected policies {', '.join(missing[:5])}"
            " as the client did"
        )
    chosen = Program.of(by_id[i] for i in policies.selected)
    return CompiledPolicies(chosen, policies.diagnostics)


def _source(sent: SentFile, directories: Mapping[str, SentTree]) -> PolicySource:
    root = directories.get(sent.root) or SentTree.directory(sent.root, {})
    return PolicySource(sent.path, sent.text, sent.error, root=root, module=sent.module)


def _directories(modules: Sequence[SentFile]) -> dict[str, SentTree]:
    by_root: dict[str, dict[str, SentFile]] = {}
    for module in modules:
        by_root.setdefault(module.root, {})[f"{module.module}.policy"] = module
    return {root: SentTree.directory(root, files) for root, files in by_root.items()}


class SentTree:
    """A policy directory of the client as a worker knows it: the modules in its ``lib/``.

    ``ModuleLibrary`` reads a policy directory that is not a path as an importlib
    ``Traversable``; this is one, over the texts the client sent: a directory
    (``children``), a file (``sent``) or a name that is neither. It is named as the client
    names the directory, so that module paths (in the names a module's definitions are
    given) are the client's.
    """

    def __init__(
        self,
        path: str,
        name: str,
        children: Mapping[str, SentTree] | None = None,
        sent: SentFile | None = None,
    ) -> None:
        self.path = path
        self.name = name
        self.children = children
        self.sent = sent

    @classmethod
    def directory(cls, root: str, modules: Mapping[str, SentFile]) -> SentTree:
        """The policy directory ``root`` with ``modules`` (by file name) in its lib/."""
        root = str(Path(root))  # as ModuleLibrary writes a path: no trailing "/"
        files = {name: cls(f"{root}/lib/{name}", name, sent=m) for name, m in modules.items()}
        return cls(root, Path(root).name, {"lib": cls(f"{root}/lib", "lib", files)})

    def __str__(self) -> str:
        return self.path

    def is_dir(self) -> bool:
        return self.children is not None

    def is_file(self) -> bool:
        return self.sent is not None

    def iterdir(self) -> Iterator[SentTree]:
        children = self.children or {}
        return iter([children[name] for name in sorted(children)])

    def joinpath(self, *names: str) -> SentTree:
        entry = self
        for name in names:
            found = (entry.children or {}).get(name)
            entry = found if found is not None else SentTree(f"{entry.path}/{name}", name)
        return entry

    __truediv__ = joinpath

    def read_bytes(self) -> bytes:
        if self.sent is None:
            raise FileNotFoundError(self.path)
        if self.sent.error is not None:
            raise OSError(self.sent.error)
        return self.sent.text.encode("utf-8", "surrogatepass")

    def read_text(self, encoding: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8")
