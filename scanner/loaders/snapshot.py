"""Snapshots written by ``pacscan collect``: JSON, optionally gzip-compressed.

A snapshot is validated against ``scanner/data/snapshot.schema.json``. A malformed file
or envelope is one error and loads nothing; a malformed resource is one error and the
other resources still load. Every API call the collection recorded as failed becomes
a ``Diagnostic`` (code ``AWS-<ERRORCODE>``), so it reaches the report and the exit code.

Resources come out as CloudFormation-shaped bodies (``{"Type", "Properties"}``) with
``id`` = ARN and a ``LiveOrigin`` (ARN, account, region, name, tags).
The marker ``{"$unknown": reason}`` becomes an ``Unknown`` whose cause quotes the reason.

A failed call that lost resources (its error names their ``types``) is a *gap*: one
resource per (account, region, type) stands for everything that was not listed, with
``Properties`` unknown and its origin's ``gap`` saying which call failed and why. After
evaluation ``settle_gaps`` makes every finding on it ``unknown`` with that reason, so
each policy over the type reports one unknown finding there instead of nothing.

This module must not import boto3: ``pacscan scan`` reads snapshots without it.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from scanner.errors import Diagnostic
from scanner.loaders import LoadOptions, LoadResult
from scanner.model import (
    UNKNOWN,
    Document,
    Finding,
    LiveOrigin,
    Location,
    Resource,
    Status,
    Unknown,
)

SNAPSHOT_FORMAT = "pacscan-snapshot"
SNAPSHOT_VERSION = 1
UNKNOWN_KEY = "$unknown"
MAX_REASON = 200  # characters of a marker's reason quoted in messages
FORMAT_NAME = "snapshot"

# Error codes (documented in docs/aws.md)
SNAPSHOT_JSON = "I020"
SNAPSHOT_SCHEMA = "I021"
SNAPSHOT_RESOURCE = "I022"
SNAPSHOT_TOO_LARGE = "I023"

GZIP_MAGIC = b"\x1f\x8b"
GZIP_SUFFIX = ".gz"
# Limits of one snapshot (documented in docs/security.md and docs/aws.md); each ends in
# one SNAPSHOT_TOO_LARGE error before the data is parsed or its resources are built.
MAX_DECOMPRESSED = 2 * 1024**3  # bytes of JSON, after gzip decompression
MAX_RATIO = 200  # decompressed / compressed bytes, checked once past RATIO_FLOOR
RATIO_FLOOR = 64 * 1024**2
MAX_VALUES = 10_000_000  # JSON values, or one per VALUE_BYTES bytes in larger snapshots
VALUE_BYTES = 16
MAX_RESOURCES = 1_000_000
INFLATE_CHUNK = 1024**2
MAX_RESOURCE_ERRORS = 20
HEAD_BYTES = 4096
LARGE_INPUT = True  # the loader registry applies LoadOptions.max_snapshot_bytes, not max_bytes
_CODE_CHARS = re.compile(r"[^A-Z0-9]+")


@dataclass(slots=True)
class SnapshotLoad:
    """What one snapshot file gave: its document, resources and errors."""

    document: Document
    resources: list[Resource] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    foreign: bool = False  # intact compressed JSON that is not a snapshot: skipped


def claims(path: str, head: bytes) -> bool:
    """A snapshot names its format in its first bytes.

    Every gzip file (by its magic bytes or its ``.gz`` name) is claimed: snapshots are the
    only compressed input, so a corrupt one is an error, never skipped. Intact compressed
    JSON that does not declare the snapshot format is skipped like any other non-template.
    """
    if head.startswith(GZIP_MAGIC) or path.endswith(GZIP_SUFFIX):
        return True
    return b'"format"' in head[:HEAD_BYTES] and f'"{SNAPSHOT_FORMAT}"'.encode() in head[:HEAD_BYTES]


def load(path: str, data: bytes, options: LoadOptions) -> LoadResult:
    """The loader entry point (see ``scanner.loaders``); never raises for bad input."""
    loaded = read_snapshot(path, data)
    if loaded.foreign:
        return LoadResult(skipped=True)
    return LoadResult(
        documents=(loaded.document,),
        resources=tuple(loaded.resources),
        errors=tuple(loaded.errors),
    )


def read_snapshot(path: str, data: bytes) -> SnapshotLoad:
    """Parse, validate and convert one snapshot file."""
    result = SnapshotLoad(Document(path=path, format=FORMAT_NAME))
    try:
        snapshot = parse_json(path, data)
    except SnapshotError as exc:
        result.errors.append(exc.diagnostic)
        return result
    if not _declares_snapshot(snapshot):
        # compressed JSON of some other kind, like an uncompressed non-template: not ours
        result.foreign = True
        return result
    too_many = _too_many_resources(path, snapshot)
    if too_many is not None:
        result.errors.append(too_many)
        return result
    bad = _schema_problems(path, snapshot, result.errors)
    if bad is None:
        return result
    for index, item in enumerate(snapshot["resources"]):
        if index not in bad:
            result.resources.append(to_resource(item, index, result.document))
    result.resources.extend(gap_resources(snapshot["errors"], result.document))
    result.errors.extend(collection_errors(path, snapshot["errors"]))
    return result


def _declares_snapshot(parsed: Any) -> bool:
    return isinstance(parsed, dict) and parsed.get("format") == SNAPSHOT_FORMAT


def _too_many_resources(path: str, snapshot: Any) -> Diagnostic | None:
    resources = snapshot.get("resources") if isinstance(snapshot, dict) else None
    if not isinstance(resources, list) or len(resources) <= MAX_RESOURCES:
        return None
    message = (
        f"snapshot holds {len(resources):,} resources, over the limit of "
        f"{MAX_RESOURCES:,}; split the collection (one snapshot per account or region)"
    )
    return _file_error(path, SNAPSHOT_TOO_LARGE, message)


class SnapshotError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def parse_json(path: str, data: bytes | bytearray) -> Any:
    """The snapshot's JSON value, with unknown markers already turned into ``Unknown``."""
    if data.startswith(GZIP_MAGIC) or path.endswith(GZIP_SUFFIX):
        data = gunzip(path, data)
    _check_values(path, data)
    try:
        if UNKNOWN_KEY.encode() in data:
            return json.loads(data, object_hook=_unknown_marker)
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise SnapshotError(_file_error(path, SNAPSHOT_JSON, f"not UTF-8 text: {exc}")) from exc
    except json.JSONDecodeError as exc:
        location = Location(path, exc.lineno, exc.colno)
        diag = Diagnostic(SNAPSHOT_JSON, f"snapshot is not valid JSON: {exc.msg}", location)
        raise SnapshotError(diag) from exc
    except RecursionError as exc:
        raise SnapshotError(
            _file_error(path, SNAPSHOT_JSON, "snapshot is nested too deeply")
        ) from exc


def gunzip(path: str, data: bytes | bytearray) -> bytearray:
    """``data`` decompressed a chunk at a time, stopped as soon as it exceeds a limit.

    A gzip bomb (a few MB that inflate to gigabytes) stops after ``RATIO_FLOOR`` bytes at
    most, when it inflates more than ``MAX_RATIO`` times what it consumed so far.
    """
    if not data.startswith(GZIP_MAGIC):
        raise SnapshotError(_file_error(path, SNAPSHOT_JSON, "not gzip data (a .gz name)"))
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    view = memoryview(data)
    pending: bytes | memoryview = b""
    read = 0
    try:
        while not inflater.eof:
            if not pending and read < len(view):
                pending = view[read : read + INFLATE_CHUNK]
                read += len(pending)
            piece = inflater.decompress(pending, INFLATE_CHUNK)  # b"": what zlib still holds
            if not piece and not pending and read >= len(view):
                break  # all input read and nothing more comes out: truncated
            out += piece
            pending = inflater.unconsumed_tail
            _check_inflation(path, len(out), read - len(pending))
    except zlib.error as exc:
        raise SnapshotError(_file_error(path, SNAPSHOT_JSON, f"corrupt gzip data: {exc}")) from exc
    if not inflater.eof:
        raise SnapshotError(_file_error(path, SNAPSHOT_JSON, "corrupt gzip data: truncated"))
    return out


def _check_inflation(path: str, size: int, consumed: int) -> None:
    if size > MAX_DECOMPRESSED:
        message = f"snapshot decompresses to more than {MAX_DECOMPRESSED // 1024**3} GiB"
        raise SnapshotError(_file_error(path, SNAPSHOT_TOO_LARGE, message))
    if size > RATIO_FLOOR and size > MAX_RATIO * max(consumed, 1):
        message = (
            f"snapshot inflates more than {MAX_RATIO} times its compressed size "
            f"({consumed:,} bytes gave {size:,}); not read further"
        )
        raise SnapshotError(_file_error(path, SNAPSHOT_TOO_LARGE, message))


def _check_values(path: str, data: bytes | bytearray) -> None:
    """Refuse, before parsing, JSON with more values than memory should be spent on.

    Every value but the last of an array or object is followed by a comma, so commas
    bound the number of values from above (commas inside strings only overcount).
    Parsed, a tiny value (``{}``, ``"ab"``) costs some 60 bytes: the cap keeps a file of
    millions of them from costing gigabytes.
    """
    values = data.count(b",") + 1
    allowed = max(MAX_VALUES, len(data) // VALUE_BYTES)
    if values > allowed:
        message = f"snapshot holds more than {allowed:,} JSON values ({values:,} found); not parsed"
        raise SnapshotError(_file_error(path, SNAPSHOT_TOO_LARGE, message))


def _unknown_marker(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and UNKNOWN_KEY in obj:
        reason = obj[UNKNOWN_KEY]
        if type(reason) is not str or not reason.strip():
            return UNKNOWN
        shown = " ".join(reason.split())[:MAX_REASON]  # one line, bounded: it is quoted
        return Unknown(f"the collector could not read it ({shown})")
    return obj


def _schema_problems(path: str, snapshot: Any, errors: list[Diagnostic]) -> set[int] | None:
    """Indexes of invalid resources, or ``None`` when the envelope itself is invalid.

    The envelope goes through jsonschema. Resources, which can be hundreds of
    thousands, go through ``ResourceCheck`` (the schema's resource rule as plain
    Python); only the ones it rejects are handed to jsonschema for a precise message.
    """
    envelope, resources = _without_resources(snapshot)
    problems = sorted(
        (str(list(p.absolute_path)), _describe(p, list(p.absolute_path)))
        for p in schema_validator().iter_errors(envelope)
    )
    if problems:
        message = "not a valid pacscan snapshot: " + problems[0][1]
        errors.append(_file_error(path, SNAPSHOT_SCHEMA, message))
        return None
    check = resource_check()
    bad = [index for index, item in enumerate(resources) if not check.ok(item)]
    for index in bad[:MAX_RESOURCE_ERRORS]:
        errors.append(_file_error(path, SNAPSHOT_RESOURCE, _resource_problem(resources, index)))
    if len(bad) > MAX_RESOURCE_ERRORS:
        more = len(bad) - MAX_RESOURCE_ERRORS
        errors.append(
            _file_error(path, SNAPSHOT_RESOURCE, f"{more} more invalid resources skipped")
        )
    return set(bad)


def _without_resources(snapshot: Any) -> tuple[Any, list[Any]]:
    if isinstance(snapshot, dict) and isinstance(snapshot.get("resources"), list):
        return {**snapshot, "resources": []}, snapshot["resources"]
    return snapshot, []


def _resource_problem(resources: list[Any], index: int) -> str:
    found = list(resource_validator().iter_errors(resources[index]))
    where = ["resources", index]
    if not found:  # the fast check and the schema disagree: say so rather than guess
        return f"resource skipped: resources[{index}] is not a valid snapshot resource"
    problem = min(found, key=lambda p: str(list(p.absolute_path)))
    return "resource skipped: " + _describe(problem, where + list(problem.absolute_path))


class ResourceCheck:
    """The schema's ``resource`` rule as plain Python: fast enough for 100,000 items.

    Names and patterns are read from the schema, so the two cannot drift apart on
    them; tests/aws/test_snapshot_loader.py checks the two agree on generated input.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        defs = schema["$defs"]
        rule = defs["resource"]
        self.required = frozenset(rule["required"])
        self.allowed = frozenset(rule["properties"])
        self.type_pattern = re.compile(rule["properties"]["type"]["pattern"])
        self.account_pattern = re.compile(defs["account"]["pattern"])
        self.region_pattern = re.compile(defs["region"]["pattern"])

    def ok(self, item: Any) -> bool:
        if type(item) is not dict or not self.required <= item.keys() <= self.allowed:
            return False
        kind, arn, name = item["type"], item["id"], item.get("name")
        account, region, tags = item["account"], item["region"], item.get("tags", {})
        return (
            type(kind) is str
            and self.type_pattern.search(kind) is not None
            and type(arn) is str
            and arn != ""
            and (name is None or type(name) is str)
            and type(account) is str
            and self.account_pattern.search(account) is not None
            and type(region) is str
            and self.region_pattern.search(region) is not None
            and type(item["properties"]) is dict
            and type(tags) is dict
            and all(type(v) is str for v in tags.values())
        )


def _describe(problem: Any, where: list[Any]) -> str:
    pointer = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    return f"{pointer or 'top level'}: {problem.message}"


@lru_cache(maxsize=1)
def snapshot_schema() -> dict[str, Any]:
    from importlib import resources as package_files  # only when a snapshot is read

    text = package_files.files("scanner.data").joinpath("snapshot.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def schema_validator() -> Any:
    """jsonschema's validator for the whole snapshot."""
    from jsonschema import Draft202012Validator

    schema = snapshot_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def resource_validator() -> Any:
    """jsonschema's validator for one resource (the schema's ``$defs/resource``)."""
    from jsonschema import Draft202012Validator

    defs = snapshot_schema()["$defs"]
    return Draft202012Validator({"$ref": "#/$defs/resource", "$defs": defs})


@lru_cache(maxsize=1)
def resource_check() -> ResourceCheck:
    return ResourceCheck(snapshot_schema())


def to_resource(item: dict[str, Any], index: int, document: Document) -> Resource:
    origin = LiveOrigin(
        arn=item["id"],
        account=item["account"],
        region=item["region"],
        name=item.get("name"),
        tags=item.get("tags") or {},
    )
    body = {"Type": item["type"], "Properties": item["properties"]}
    return Resource(item["type"], item["id"], body, document, ("resources", index), origin)


GAP_NAME = "*"  # the name a gap goes by in reports: every resource of its type there
MAX_GAP_REASONS = 3


def gap_resources(errors: Sequence[dict[str, Any]], document: Document) -> list[Resource]:
    """One resource per (account, region, type) that a failed call left unlisted."""
    reasons: dict[tuple[str, str, str], list[str]] = {}
    first: dict[tuple[str, str, str], int] = {}
    for index, error in enumerate(errors):
        for type_ in error.get("types") or ():
            key = (error["account"], error["region"], type_)
            first.setdefault(key, index)
            reasons.setdefault(key, []).append(failure_text(error))
    return [_gap(key, _join_reasons(reasons[key]), first[key], document) for key in sorted(reasons)]


def _gap(key: tuple[str, str, str], reason: str, index: int, document: Document) -> Resource:
    account, region, type_ = key
    gap_id = f"pacscan:unlisted:{account}:{region}:{type_}"
    where = "any region" if region == "global" else region
    gap = f"the {type_} resources of account {account} in {where} were not listed ({reason})"
    origin = LiveOrigin(arn=gap_id, account=account, region=region, name=GAP_NAME, gap=gap)
    body = {"Type": type_, "Properties": Unknown(gap)}
    return Resource(type_, gap_id, body, document, ("errors", index), origin)


def _join_reasons(reasons: list[str]) -> str:
    unique = list(dict.fromkeys(reasons))
    shown = "; ".join(unique[:MAX_GAP_REASONS])
    more = len(unique) - MAX_GAP_REASONS
    return f"{shown}; and {more} more failures" if more > 0 else shown


def failure_text(error: dict[str, Any]) -> str:
    return f"{error['service']}:{error['operation']} failed: {error['code']}: {error['message']}"


def is_gap(resource: Resource) -> bool:
    live = resource.live
    return live is not None and live.gap is not None


def settle_gaps(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding on a gap resource made ``unknown``, naming the call that failed.

    A policy's own verdict on a gap means nothing (its properties are all unknown, and
    a policy that reads no property would pass or fail it); the gap's reason is the
    one true answer.
    """
    return [_settled(f) if is_gap(f.resource) else f for f in findings]


def _settled(finding: Finding) -> Finding:
    live = finding.resource.live
    message = f"cannot tell: {live.gap if live is not None else ''}"
    return replace(finding, status=Status.UNKNOWN, message=message, path=(), location=None, fix=())


def collection_errors(path: str, errors: list[dict[str, Any]]) -> list[Diagnostic]:
    """The snapshot's failed API calls as diagnostics (``AWS-ACCESSDENIED`` …)."""
    return [
        Diagnostic(
            code="AWS-" + (_CODE_CHARS.sub("", e["code"].upper()) or "ERROR"),
            message=(
                f"{e['service']}:{e['operation']} failed in account {e['account']} "
                f"({e['region']}): {e['code']}: {e['message']}" + _lost(e)
            ),
            file=path,
        )
        for e in errors
    ]


def _lost(error: dict[str, Any]) -> str:
    types = error.get("types")
    return f"; not listed: {', '.join(types)}" if types else ""


def _file_error(path: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(code=code, message=message, file=path)
