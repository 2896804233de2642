"""Loading Terraform files: the module evaluated once, split by file (see the package)."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic, InputError
from scanner.loaders.cfn_values import declared_names
from scanner.loaders.source import EMPTY_FILE, decode
from scanner.loaders.terraform import FORMAT, SUFFIXES
from scanner.loaders.terraform.canonical import map_instances
from scanner.loaders.terraform.files import ModuleOptions, module_files, read_sources
from scanner.loaders.terraform.hcl import SourceFile, parse_file
from scanner.loaders.terraform.module import Evaluated, evaluate_root
from scanner.loaders.terraform.resource_types import FOLDS, TYPES
from scanner.model import Document, Path, Resource, Span, TemplateOrigin

if TYPE_CHECKING:
    from scanner.loaders import LoadOptions, LoadResult

_CACHED_MODULES = 16  # evaluated root modules kept per process (a directory's files
# are read together, but its subdirectories' files may sort between them)
_cache: OrderedDict[tuple[str, ModuleOptions, tuple[Any, ...]], _Module] = OrderedDict()


class _Module:
    """A root module evaluated, split by file."""

    def __init__(self) -> None:
        self.documents: dict[str, list[Document]] = {}
        self.resources: dict[str, list[Resource]] = {}
        self.errors: dict[str, list[Diagnostic]] = {}


def load(path: str, data: bytes, options: LoadOptions) -> LoadResult:
    from scanner.loaders import LoadResult

    try:
        text = decode(path, data)
    except InputError as exc:
        if exc.code != EMPTY_FILE or not path.lower().endswith(SUFFIXES):
            return LoadResult(errors=(replace(exc.diagnostic(), file=path),))
        text = ""  # an empty .tf file is a valid, empty part of its module
    if not path.lower().endswith(SUFFIXES):
        from scanner.loaders.terraform.plan import load_plan

        return load_plan(path, text, options)
    module = _module(path, text, module_options(options))
    key = os.path.normpath(path)
    return LoadResult(
        documents=tuple(module.documents.get(key, ())),
        resources=tuple(module.resources.get(key, ())),
        errors=tuple(module.errors.get(key, ())),
    )


def module_options(options: LoadOptions) -> ModuleOptions:
    return ModuleOptions(
        variables=tuple(options.terraform_vars),
        var_files=tuple(options.terraform_var_files),
        roots=tuple(os.path.realpath(r) for r in options.roots),
        max_bytes=options.max_bytes,
    )


def _module(path: str, text: str, options: ModuleOptions) -> _Module:
    directory = os.path.dirname(os.path.normpath(path)) or "."
    # the module's files are keyed by the path as given: the same directory reached by
    # another spelling (relative, absolute) is evaluated again for its own keys
    key = (f"{directory}\0{os.path.realpath(directory)}", options, _stamps(directory))
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    module = evaluate_module(directory, options, given={os.path.normpath(path): text})
    _cache[key] = module
    while len(_cache) > _CACHED_MODULES:
        _cache.popitem(last=False)
    return module


def _stamps(directory: str) -> tuple[Any, ...]:
    """What the directory holds now (names, sizes, modification times): a module whose
    files changed since it was evaluated is evaluated again."""
    try:
        with os.scandir(directory) as entries:
            found = []
            for entry in entries:
                if entry.name.endswith((".tf", ".tf.json", ".tfvars")):
                    info = entry.stat()
                    found.append((entry.name, info.st_size, info.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(found))


def evaluate_module(
    directory: str, options: ModuleOptions, given: Mapping[str, str] | None = None
) -> _Module:
    """Evaluate the root module in ``directory`` and split what it gives by file;
    ``given`` holds the texts of files already read (or edited, to verify a fix)."""
    errors: list[Diagnostic] = []
    roots = options.roots or (os.path.realpath(directory),)
    paths = [os.path.normpath(p) for p in module_files(directory, roots)]
    texts = {os.path.normpath(p): t for p, t in (given or {}).items()}
    sources: list[SourceFile] = []
    for file in paths:
        if file in texts:
            sources.extend(_parse_given(file, texts[file], errors))
        else:
            sources.extend(read_sources([file], options.max_bytes, errors))
    evaluated = evaluate_root(directory, sources, options, errors)
    return _split(evaluated, paths[0] if paths else directory, os.path.realpath(directory))


def _parse_given(path: str, text: str, errors: list[Diagnostic]) -> list[SourceFile]:
    try:
        return [parse_file(path, text)]
    except InputError as exc:
        errors.append(replace(exc.diagnostic(), file=path))
        return []


def _split(evaluated: Evaluated, first: str, scope: str) -> _Module:
    out = _Module()
    documents: dict[str, Document] = {}
    positions: dict[str, dict[Path, Span]] = {}
    owner: dict[str, str] = {}  # a child module's file -> the root file that calls it
    for source in evaluated.files:
        positions[source.path] = {}
        owner[source.path] = source.path
    for caller, files in evaluated.child_files.items():
        for source in files:
            positions.setdefault(source.path, {})
            owner.setdefault(source.path, owner.get(caller, caller))
    texts = {s.path: s.text for s in evaluated.files}
    for files in evaluated.child_files.values():
        texts.update({s.path: s.text for s in files})
    for instance in evaluated.instances:
        table = positions.setdefault(instance.file.path, {})
        table[instance.doc_path] = Span(instance.header, instance.whole)
        for path, span in instance.positions.items():
            table[instance.doc_path + path] = span
    mapped = list(map_instances(evaluated.instances, TYPES, FOLDS))
    for instance, _, _, _, extra in mapped:
        positions[instance.file.path].update(extra)
    for file, table in positions.items():
        documents[file] = Document(path=file, format=FORMAT, positions=table, text=texts.get(file))
        out.documents.setdefault(owner.get(file, file), []).append(documents[file])
    for instance, cfn, properties, written_at, _ in mapped:
        body = {"Type": cfn, "Properties": properties}
        names, nameable = declared_names(cfn, body)
        origin = TemplateOrigin(written_at=written_at, names=names, nameable=nameable, scope=scope)
        resource = Resource(
            cfn, instance.address, body, documents[instance.file.path], instance.doc_path, origin
        )
        out.resources.setdefault(owner.get(instance.file.path, instance.file.path), []).append(
            resource
        )
    for error in evaluated.errors:
        where = error.location.file if error.location is not None else error.file
        out.errors.setdefault(owner.get(where or first, first), []).append(error)
    return out
