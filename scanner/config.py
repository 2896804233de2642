"""The config file, ``.pacscan.yaml``: defaults a repository keeps next to its templates.

Found by walking up from the working directory (``.pacscan.yaml`` or ``.pacscan.yml``),
or named with ``--config``. Validated against ``scanner/data/config.schema.json``; every
problem is reported at once, each with the file, line and column of the offending key or
value. Paths in the file (policy paths, baseline, report output) are relative to the
directory the file is in. A file found upward belongs to the scanned repository, so its
paths must stay inside that directory (no absolute path, no ``..`` out of it, no symbolic
link out of it: error C005); a file named with ``--config`` may name any path.
Command-line options win over the file.

```yaml
version: 1
policies:
  paths: [policies/]                 # replaces the built-in policies, like --policies
  extra: [more-policies/]            # added to them, like --extra-policies
  enable: [PAC-S3-014, PAC-IAM-013]  # run only these
  disable: [PAC-EC2-003]
  severity: {PAC-S3-014: high}       # severity overrides
  params: {maximum_access_key_age_days: 60}
suppressions:
  - policy: PAC-S3-014               # and/or resource:, file: (glob)
    reason: logs are write-once
    expires: 2025-06-30              # optional; past this day it stops applying
baseline: .pacscan/baseline.sarif
report: {format: sarif, output: pacscan.sarif, fail_on: high, category: pacscan/iac/}
```
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic, InputError, UsageError
from scanner.excerpt import source_excerpt
from scanner.loaders.source import Limits
from scanner.loaders.yaml_source import read_yaml
from scanner.model import Location, Path, Severity, Span, path_text
from scanner.package_files import package_dir
from scanner.records import record
from scanner.triage.suppress import Suppression

if TYPE_CHECKING:  # jsonschema is imported only when there is a config file to check
    import jsonschema

CONFIG_NAMES = (".pacscan.yaml", ".pacscan.yml")


@record
class Config:
    """The settings of a config file; ``None`` means "not set here"."""

    path: str | None = None
    policy_paths: tuple[str, ...] = ()
    extra_policy_paths: tuple[str, ...] = ()
    enable: frozenset[str] | None = None
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    baseline: str | None = None
    format: str | None = None
    output: str | None = None
    fail_on: Severity | None = None
    category: str | None = None
    include_passed: bool | None = None
    omit_suppressed: bool | None = None
    new_only: bool | None = None
    locations: Mapping[Path, Location] = field(default_factory=dict)
    # the file's lines as read (bounded, never opened again), to quote in messages
    lines: tuple[str, ...] = field(default=(), repr=False, compare=False)


class ConfigError(UsageError):
    """A config file that cannot be used; ``diagnostics`` holds every problem found."""

    code = "C001"

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        first = diagnostics[0]
        super().__init__(
            first.message,
            code=first.code,
            location=first.location,
            hint=first.hint,
            source_line=first.source_line,
        )
        self.diagnostics = list(diagnostics)


def find_config(start: str) -> str | None:
    """The nearest config file in ``start`` or one of its parents."""
    directory = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return _readable(candidate)
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _readable(path: str) -> str:
    """``path`` relative to the working directory when that is shorter (for messages)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return relative if len(relative) < len(path) else path


def load_config(path: str, *, confined: bool = True) -> Config:
    """Read and validate a config file; ``ConfigError`` lists every problem.

    ``confined`` (the default, for a file found by ``find_config``: it belongs to the
    scanned repository) allows only paths inside the file's directory; ``confined=False``
    is for a file the user named on the command line.
    """
    text = _read_config(path, confined)
    try:
        parsed = read_yaml(path, text, Limits())
    except InputError as exc:
        raise ConfigError([_yaml_diagnostic(exc, path, text)]) from exc
    if parsed.value is None:
        return Config(path=path, lines=tuple(text.splitlines()))
    positions = parsed.positions
    problems = [d for e in _errors(parsed.value) for d in _schema_diagnostics(e, positions, text)]
    if not problems and confined:
        problems = _escaping_paths(parsed.value, path, positions, text)
    if problems:
        raise ConfigError(sorted(problems, key=_position))
    return replace(_config(parsed.value, path, positions), lines=tuple(text.splitlines()))


MAX_CONFIG = 1 << 20  # bytes of a config file


def _read_config(path: str, confined: bool) -> str:
    """The text of a config file: a regular file, UTF-8, at most ``MAX_CONFIG`` bytes and,
    when ``confined``, not a symbolic link out of its directory (C005: never read)."""
    if confined:
        base = os.path.dirname(os.path.abspath(path))
        if not _inside(os.path.realpath(path), os.path.realpath(base)):
            message = "not followed: the config file is a symbolic link out of its directory"
            raise ConfigError([Diagnostic("C005", message, hint=_OUTSIDE_HINT, file=path)])
    try:
        return _read_text(path)
    except _ReadProblem as exc:
        diag = Diagnostic("C001", f"cannot read config file: {exc}", file=path)
        raise ConfigError([diag]) from exc


class _ReadProblem(Exception):
    """Why a config file cannot be read, in words."""


def _read_text(path: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _ReadProblem("it is not a regular file")
            data = handle.read(MAX_CONFIG + 1)
    except OSError as exc:
        raise _ReadProblem(exc.strerror or str(exc)) from exc
    if len(data) > MAX_CONFIG:
        raise _ReadProblem(f"it is larger than {MAX_CONFIG:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _ReadProblem("it is not UTF-8 text") from exc


# The path-valued settings: (key path, what it is), for a list also each item.
_PATH_SETTINGS: tuple[tuple[Path, str], ...] = (
    (("policies", "paths"), "policy path"),
    (("policies", "extra"), "extra policy path"),
    (("baseline",), "baseline"),
    (("report", "output"), "report output"),
)


def _escaping_paths(
    data: Any, path: str, positions: Mapping[Path, Span], text: str
) -> list[Diagnostic]:
    """C005 for each path setting that leads out of the config file's directory: an
    absolute path, a ``..`` that climbs out, or a symbolic link that points out."""
    if not isinstance(data, Mapping):
        return []
    base = os.path.dirname(os.path.abspath(path))
    problems = []
    for key, what in _PATH_SETTINGS:
        value: Any = data
        for part in key:
            value = value.get(part) if isinstance(value, Mapping) else None
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if not isinstance(item, str):
                continue
            where: Path = key if index is None else (*key, index)
            reason = _escape_reason(base, item)
            if reason is not None:
                span = positions.get(where)
                location = span.value if span is not None else None
                problems.append(
                    Diagnostic(
                        "C005",
                        f"{path_text(where)}: {what} {_shown(item)!r} {reason}",
                        location=location,
                        hint=_OUTSIDE_HINT,
                        source_line=source_excerpt(text, location),
                        file=path,
                    )
                )
    return problems


def _shown(value: str) -> str:
    """A path from the file as a message shows it: at most 200 characters (and ``!r``
    escapes its control characters)."""
    return value if len(value) <= 200 else value[:200] + "..."


_OUTSIDE_HINT = (
    "a config file found in the scanned directory may only name paths inside its own "
    "directory; pass other paths on the command line, or name the file with --config"
)


def _escape_reason(base: str, value: str) -> str | None:
    """Why ``value`` (relative to ``base``) is not a path inside ``base``, or None."""
    if "\0" in value:
        return "holds a NUL character"
    if os.path.isabs(value) or os.path.splitdrive(value)[0]:
        return "is absolute"
    joined = os.path.normpath(os.path.join(base, value))
    if not _inside(joined, base):
        return "leads out of the config file's directory"
    if not _inside(os.path.realpath(joined), os.path.realpath(base)):
        return "leads out of the config file's directory through a symbolic link"
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    schema_file = package_dir("scanner.data").joinpath("config.schema.json")
    schema = json.loads(schema_file.read_text("utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(data: Any) -> list[jsonschema.ValidationError]:
    return list(_validator().iter_errors(data))


def _yaml_diagnostic(exc: InputError, path: str, text: str) -> Diagnostic:
    """The YAML reader's error (syntax, duplicate key, too deep) as a config problem."""
    return Diagnostic(
        "C001",
        f"config file: {exc.message}",
        location=exc.location,
        source_line=source_excerpt(text, exc.location),
        file=path,
    )


def _schema_diagnostics(
    error: jsonschema.ValidationError, positions: Mapping[Path, Span], text: str
) -> list[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    where = path_text(path)
    return [
        Diagnostic(
            "C002",
            f"{where}: {message}" if where else message,
            location=location,
            hint=hint,
            source_line=source_excerpt(text, location),
        )
        for message, location, hint in _explain(error, path, positions)
    ]


Explanation = tuple[str, Location | None, str | None]


def _explain(
    error: jsonschema.ValidationError, path: Path, positions: Mapping[Path, Span]
) -> list[Explanation]:
    span = positions.get(path)
    here = span.value if span is not None else None
    if error.validator == "additionalProperties":
        return _unknown_keys(error, path, positions)
    if "propertyNames" in error.absolute_schema_path:  # the key itself is wrong
        key_span = positions.get((*path, error.instance))
        message = error.schema.get("x-message") or error.message
        return [(f"key '{error.instance}': {message}", key_span.key if key_span else here, None)]
    if "x-message" in error.schema:
        return [(str(error.schema["x-message"]), here, None)]
    if error.validator == "enum":
        choices = ", ".join(json.dumps(c) for c in error.validator_value)
        return [(f"must be one of {choices}, not {json.dumps(error.instance)}", here, None)]
    if error.validator == "type":
        expected = _article(error.validator_value)
        return [(f"must be {expected}, not {_kind(error.instance)}", here, None)]
    return [(error.message, here, None)]


def _unknown_keys(
    error: jsonschema.ValidationError, path: Path, positions: Mapping[Path, Span]
) -> list[Explanation]:
    from difflib import get_close_matches

    allowed = sorted(error.schema.get("properties", {}))
    found: list[Explanation] = []
    for extra in sorted(set(error.instance) - set(allowed), key=str):
        key_span = positions.get((*path, extra))
        close = get_close_matches(str(extra), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
        location = key_span.key if key_span is not None else None
        found.append((f"unknown key '{extra}'", location, hint))
    return found


def _config(data: Mapping[str, Any], path: str, positions: Mapping[Path, Span]) -> Config:
    base = os.path.dirname(os.path.abspath(path))
    policies = data.get("policies") or {}
    report = data.get("report") or {}
    enable = policies.get("enable")
    return Config(
        path=path,
        policy_paths=tuple(os.path.join(base, p) for p in policies.get("paths") or ()),
        extra_policy_paths=tuple(os.path.join(base, p) for p in policies.get("extra") or ()),
        enable=frozenset(enable) if enable is not None else None,
        disable=frozenset(policies.get("disable") or ()),
        severity={k: Severity(v) for k, v in (policies.get("severity") or {}).items()},
        params=dict(policies.get("params") or {}),
        suppressions=_suppressions(data.get("suppressions") or [], positions),
        baseline=os.path.join(base, data["baseline"]) if data.get("baseline") else None,
        format=report.get("format"),
        output=os.path.join(base, report["output"]) if report.get("output") else None,
        fail_on=Severity(report["fail_on"]) if report.get("fail_on") else None,
        category=report.get("category"),
        include_passed=report.get("include_passed"),
        omit_suppressed=report.get("omit_suppressed"),
        new_only=report.get("new_only"),
        locations={p: (s.key or s.value) for p, s in positions.items()},
    )


def _suppressions(
    entries: list[dict[str, Any]], positions: Mapping[Path, Span]
) -> tuple[Suppression, ...]:
    rules = []
    for index, entry in enumerate(entries):
        span = positions.get(("suppressions", index))
        rules.append(
            Suppression(
                "config",
                policy=entry.get("policy"),
                resource=entry.get("resource"),
                file=entry.get("file"),
                reason=(entry.get("reason") or "").strip() or None,
                expires=date.fromisoformat(entry["expires"]) if entry.get("expires") else None,
                location=span.value if span is not None else None,
            )
        )
    return tuple(rules)


def _article(expected: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "boolean": "true or false",
    }
    kinds = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(k, f"a {k}") for k in kinds)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    return f"the number {value}"


def _position(diag: Diagnostic) -> tuple[int, int]:
    loc = diag.location
    return (loc.line, loc.column) if loc is not None else (0, 0)
