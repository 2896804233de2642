"""Input loaders: files in, ``Document``s, ``Resource``s and ``Diagnostic``s out.

A loader is a module in this package with two functions::

    claims(path: str, head: bytes) -> bool       # head: the first 4 KiB of the file
    load(path: str, data: bytes, options: LoadOptions) -> LoadResult

registered by name in ``LOADERS``. The first loader that claims a file reads it; a file
no loader claims is skipped. ``load`` never raises for bad input: every problem is a
``Diagnostic`` in ``LoadResult.errors``.

``load_inputs`` reads every file once, in worker processes when there is enough to read
to pay for them, and returns the results in input order; ``iter_loaded`` hands them on
one file at a time, in the same order.
"""

from __future__ import annotations

import importlib
import os
import stat
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic
from scanner.gc_pause import paused_gc
from scanner.loaders import budget
from scanner.loaders.source import (
    FILE_TOO_LARGE,
    INTERNAL,
    NOT_REGULAR,
    UNREADABLE,
    file_kind,
)
from scanner.model import Document, Resource

if TYPE_CHECKING:
    from concurrent.futures import Future

# Most specific first: the first loader whose claims() is true reads the file.
LOADERS: list[str] = [
    "scanner.loaders.snapshot",
    "scanner.loaders.terraform",  # .tf and .tf.json files, plan JSON by its content
    "scanner.loaders.cloudformation",  # claims any YAML/JSON file: keep it last
]

HEAD_BYTES = 4096
MB = 1024 * 1024
# Worker processes pay off only for larger inputs on machines with CPUs to spare:
# reading costs about 0.6 CPU-seconds per MB in one process, and sending the results back
# costs the workers about 0.15 and this process about 0.15 CPU-seconds per MB more
# (benchmarks/bench_scan.py --parallel). On a 2-CPU machine two workers were slower at
# every size measured (1-8 MB), so automatic parallelism needs 4 CPUs and leaves one of
# them to this process, which unpickles the results as they arrive.
PARALLEL_MIN_BYTES = 4 * MB
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_CPUS = 4
READ_AHEAD = 2  # chunks per worker read before the scanning process asks for them


@dataclass(frozen=True)
class LoadOptions:
    """How to load inputs. ``parameters`` are template parameter values (and pseudo
    parameters such as ``AWS::Region``); ``jobs`` is the number of worker processes
    (None: decide from the amount of input; 1: read in this process).
    ``terraform_vars`` (``--var NAME=VALUE``, in order) and ``terraform_var_files``
    give Terraform variables their values; ``roots`` are the directories scanned: a
    Terraform module source outside them is not read."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    terraform_vars: tuple[tuple[str, str], ...] = ()
    terraform_var_files: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    jobs: int | None = None
    max_bytes: int = 20 * MB  # a template (hand-written; larger is a mistake or an attack)
    max_snapshot_bytes: int = 2048 * MB  # a snapshot (machine-written, may be large)
    max_depth: int = 500
    max_nodes: int = 2_000_000
    max_alias_nodes: int = 100_000
    max_variants: int = 8
    # resolving one template's intrinsic functions (see scanner.loaders.budget)
    max_intrinsic_steps: int = budget.MAX_STEPS
    max_intrinsic_bytes: int = budget.MAX_BYTES
    max_intrinsic_string: int = budget.MAX_STRING
    max_loop_iterations: int = budget.MAX_ITERATIONS


@dataclass(frozen=True)
class LoadResult:
    """What one loader made of one file."""

    documents: tuple[Document, ...] = ()
    resources: tuple[Resource, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    skipped: bool = False


@dataclass
class LoadedInputs:
    """Everything ``load_inputs`` read, in input order."""

    documents: list[Document] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    skipped: int = 0

    def add(self, result: LoadResult) -> None:
        self.documents.extend(result.documents)
        self.resources.extend(result.resources)
        self.errors.extend(result.errors)
        self.skipped += result.skipped


def loader_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in LOADERS]


def load_file(path: str, options: LoadOptions) -> LoadResult:
    """Read and load one file; never raises."""
    try:
        fd = _open(path)
    except OSError as exc:
        return _failure(path, UNREADABLE, f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)  # what the descriptor is, not what the name was
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return _not_regular(path, info.st_mode)
        with os.fdopen(fd, "rb") as handle:
            return _load_open(path, handle, info.st_size, options)
    except Exception as exc:  # a defect must not cost the rest of the scan
        message = f"internal error while loading this file: {type(exc).__name__}: {exc}"
        return _failure(path, INTERNAL, message)


def _open(path: str) -> int:
    """A descriptor for the file at ``path``, opened without waiting or following a link.

    ``O_NONBLOCK`` keeps opening a FIFO from waiting for a writer; ``O_NOFOLLOW`` refuses
    a symbolic link put in place of the file after discovery checked it (the real path
    is opened: discovery already checked where a link leads).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    return os.open(os.path.realpath(path), flags | getattr(os, "O_CLOEXEC", 0))


def _not_regular(path: str, mode: int) -> LoadResult:
    if stat.S_ISDIR(mode):
        return _failure(path, UNREADABLE, "cannot read file: it is a directory")
    message = f"not a regular file ({file_kind(mode)}); only regular files are read"
    return _failure(path, NOT_REGULAR, message)


def _load_open(path: str, handle: Any, size: int, options: LoadOptions) -> LoadResult:
    head = _read(path, handle, HEAD_BYTES, options.max_snapshot_bytes, size)
    if isinstance(head, LoadResult):
        return head
    for loader in loader_modules():
        if loader.claims(path, head):
            rest = _read(path, handle, None, _limit(loader, options), size, len(head))
            if isinstance(rest, LoadResult):
                return rest
            result: LoadResult = loader.load(path, head + rest if rest else head, options)
            return result
    return LoadResult(skipped=True)


def _limit(loader: ModuleType, options: LoadOptions) -> int:
    """The size limit for what ``loader`` reads: snapshots may be far larger than templates."""
    return (
        options.max_snapshot_bytes if getattr(loader, "LARGE_INPUT", False) else options.max_bytes
    )


def _read(
    path: str, handle: Any, count: int | None, limit: int, size: int, done: int = 0
) -> bytes | LoadResult:
    """The next ``count`` bytes of the open file (the rest when None), ``done`` bytes of
    its ``size`` having been read; an error when the file is over ``limit`` bytes."""
    try:
        if size <= limit:
            # read(n) reserves n bytes up front: ask for what the file holds, not the limit
            data = handle.read(size + 1 - done if count is None else count)
            if count is None:
                size = done + len(data)
    except OSError as exc:
        return _failure(path, UNREADABLE, f"cannot read file: {exc.strerror or exc}")
    if size > limit:
        message = f"file is {_size(size)}, over the {_size(limit)} size limit"
        return _failure(path, FILE_TOO_LARGE, message)
    return data


def _size(count: int) -> str:
    if count % MB == 0:
        return f"{count // MB} MB"
    return f"{count / MB:.1f} MB" if count >= MB else f"{count} bytes"


def _failure(path: str, code: str, message: str) -> LoadResult:
    return LoadResult(errors=(Diagnostic(code=code, message=message, file=path),))


def load_inputs(files: Sequence[str], options: LoadOptions | None = None) -> LoadedInputs:
    """Load every file; results (and errors) come back in the order of ``files``."""
    loaded = LoadedInputs()
    for result in iter_loaded(files, options):
        loaded.add(result)
    return loaded


def iter_loaded(files: Sequence[str], options: LoadOptions | None = None) -> Iterator[LoadResult]:
    """Each file's ``LoadResult`` in the order of ``files``, as soon as it is read.

    A caller that is done with one result before asking for the next holds one file's
    documents at a time (plus the few chunks worker processes have read ahead).
    """
    options = options or LoadOptions()
    jobs = worker_count(files, options)
    if jobs <= 1:
        for path in files:
            with paused_gc():  # loading builds acyclic trees only: reference counting frees them
                result = load_file(path, options)
            yield result
        return
    yield from _load_in_workers(list(files), options, jobs)


def worker_count(files: Sequence[str], options: LoadOptions) -> int:
    """How many processes to read ``files`` with."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if options.jobs is not None:
        return max(1, min(options.jobs, len(files)))
    cpus = cpus or 1
    if len(files) < PARALLEL_MIN_FILES or cpus < PARALLEL_MIN_CPUS:
        return 1
    total = 0
    for path in files:
        try:
            total += os.path.getsize(path)
        except OSError:
            continue
        if total >= PARALLEL_MIN_BYTES:
            return min(cpus - 1, len(files), 16)
    return 1


def _load_in_workers(files: list[str], options: LoadOptions, jobs: int) -> Iterator[LoadResult]:
    from concurrent.futures import ProcessPoolExecutor  # only parallel scans pay the import

    per_chunk = max(1, min(64, len(files) // (jobs * 4)))
    chunks = [files[i : i + per_chunk] for i in range(0, len(files), per_chunk)]
    ahead = jobs * READ_AHEAD  # chunks submitted and not yet handed on: bounds what waits
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context()) as pool:
        pending: deque[tuple[list[str], Future[list[LoadResult]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(_load_chunk, chunk, options)))
            if len(pending) >= ahead:
                yield from _chunk_results(*pending.popleft())
        while pending:
            yield from _chunk_results(*pending.popleft())


def _load_chunk(paths: list[str], options: LoadOptions) -> list[LoadResult]:
    with paused_gc():
        return [load_file(path, options) for path in paths]


def _chunk_results(paths: list[str], future: Future[list[LoadResult]]) -> list[LoadResult]:
    try:
        return future.result()
    except Exception as exc:  # the worker died (killed, out of memory)
        message = f"the process reading this file stopped: {type(exc).__name__}: {exc}"
        return [_failure(path, INTERNAL, message) for path in paths]


def _context() -> Any:
    """``fork`` is cheapest, but only safe while this process runs a single thread."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
