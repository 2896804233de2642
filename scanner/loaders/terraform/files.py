"""Reading a Terraform module's files: which files, their text within the size limit,
parsed, and problems as diagnostics located in them.

Only regular files are read (a FIFO named ``.tf`` would block), and with ``roots`` only
files whose real path is inside the scanned directories (a link out is not followed).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from scanner.errors import Diagnostic, InputError
from scanner.loaders.source import NOT_REGULAR, UNREADABLE, file_kind, source_line
from scanner.loaders.terraform.hcl import SourceFile, parse_file
from scanner.model import Location

HCL_EVAL = "I018"  # an expression Terraform would reject
MAX_FILES = 1000  # .tf files read from one directory


@dataclass(frozen=True)
class ModuleOptions:
    """Values given on the command line and the directories a module may be read from."""

    variables: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in order
    var_files: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()  # real paths; empty: the root module's directory
    max_bytes: int = 20 * 1024 * 1024


def module_files(directory: str, roots: tuple[str, ...] = ()) -> list[str]:
    """The Terraform files of ``directory``, sorted (at most ``MAX_FILES``); with
    ``roots``, only those whose real path is inside one of them (a link out is not read)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = [os.path.join(directory, n) for n in names if n.endswith((".tf", ".tf.json"))]
    if roots:
        found = [f for f in found if inside(os.path.realpath(f), roots)]
    return found[:MAX_FILES]


def inside(real: str, roots: tuple[str, ...]) -> bool:
    """Whether the real path ``real`` is one of ``roots`` or below one."""
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def read_sources(paths: list[str], max_bytes: int, errors: list[Diagnostic]) -> list[SourceFile]:
    out = []
    for path in paths:
        text = read_text(path, max_bytes, errors)
        if text is not None:
            parsed = parse_source(path, text, errors)
            if parsed is not None:
                out.append(parsed)
    return out


def read_text(path: str, max_bytes: int, errors: list[Diagnostic]) -> str | None:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            message = f"not a regular file ({file_kind(info.st_mode)}); only regular files are read"
            errors.append(Diagnostic(NOT_REGULAR, message, file=path))
            return None
        if info.st_size > max_bytes:
            errors.append(
                Diagnostic(UNREADABLE, f"over the {max_bytes} bytes size limit", file=path)
            )
            return None
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1).decode("utf-8", errors="replace")
    except OSError as exc:
        errors.append(Diagnostic(UNREADABLE, f"cannot read file: {exc.strerror or exc}", file=path))
        return None


def parse_source(path: str, text: str, errors: list[Diagnostic]) -> SourceFile | None:
    try:
        return parse_file(path, text)
    except InputError as exc:
        errors.append(
            Diagnostic(
                exc.code, exc.message, location=exc.location, source_line=exc.source_line, file=path
            )
        )
        return None


def located(code: str, message: str, location: Location, text: str) -> Diagnostic:
    return Diagnostic(
        code, message, location=location, source_line=source_line(text, location.line)
    )
