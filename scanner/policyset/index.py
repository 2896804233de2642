"""The metadata of a compiled policy set, kept between runs, so that a scan compiles only
the policies of the resource types it meets.

A run knows every policy it selects (reports, ``--policy``, frameworks and SARIF rules
need each one's ``PolicyInfo``) but evaluates only those whose types occur in its inputs.
When a set of policy files compiled without a single diagnostic, the ``PolicyInfo`` of
each of its policies is stored in the user's cache directory (``scanner.cache``) under a
key that covers everything the result depends on: the path, directory and text of every
policy file, the ``--param`` overrides, and the code that parses, checks and compiles
(``scanner.lang``, ``scanner.engine``, ``scanner.policyset``, ``scanner.model``). The next
run with the same key builds stand-ins from it (``scanner.policyset.deferred``).

An entry is JSON, never anything that can run code: a header line ``{"format", "key"}``
and a body line, the list of ``[path, info]`` in program order. ``info`` writes a
``PolicyInfo``, ``FixOp``, ``Location`` or ``Severity`` of class NAME as the one-key object
``{NAME: [field, ...]}`` (a severity: ``{NAME: [value]}``), a tuple as ``{"()": [...]}``, a
dict as ``{"{}": [[key, value], ...]}`` and UNKNOWN as ``{"?": []}``. The decoder looks
NAME up in a closed table of those classes, never an attribute by name, and checks that
each entry decodes to a ``PolicyInfo``; an entry that fails any check is ignored and the
policies are compiled in full.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from scanner.cache import enabled, read_entry, write_entry
from scanner.lang.sources import PolicySource
from scanner.model import UNKNOWN, Each, FixOp, Keyed, Location, PolicyInfo, Severity
from scanner.package_files import package_dir, package_modules
from scanner.stamps import contents_digest

FORMAT = 1
SUBDIR = "index"

_RECORDS: dict[str, type] = {cls.__name__: cls for cls in (PolicyInfo, FixOp, Keyed, Location)}
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _RECORDS.values()
}


class IndexFormatError(ValueError):
    """An entry that does not decode to policy metadata."""


def index_key(sources: Sequence[PolicySource], overrides: Mapping[str, Any]) -> str:
    """What a compiled set of ``sources`` depends on, hashed."""
    digest = hashlib.sha256(code_salt().encode())
    digest.update(f"\0{params_text(overrides)}\0{len(sources)}".encode())
    for source in sources:
        head = (source.path, source.root, source.module, source.error, len(source.text))
        digest.update("\0".join(map(str, head)).encode())
        digest.update(source.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


Move = Callable[[str], str]  # a file's path as written -> as read (``scanner.policyset.seed``)


def load_index(key: str) -> list[tuple[str, PolicyInfo]] | None:
    """The ``(path, info)`` of each policy stored under ``key``, or None when there is no
    such entry, it is not what this version wrote, or caching is off."""
    if not enabled():
        return None
    return decode_index(read_entry(SUBDIR, index_name(key)), key)


def store_index(key: str, policies: Iterable[tuple[str, PolicyInfo]]) -> None:
    if not enabled():
        return
    data = encode_index(key, policies)
    if data is not None:  # else a value JSON cannot hold: compiled in full next time
        write_entry(SUBDIR, index_name(key), data)


def index_name(key: str) -> str:
    return key[:40] + ".index"


def encode_index(
    key: str, policies: Iterable[tuple[str, PolicyInfo]], move: Move | None = None
) -> bytes | None:
    """An entry; ``move`` rewrites each file path (the policies' own and their locations')."""
    move = move or _same
    try:
        body = [[move(path), _encode(info, move)] for path, info in policies]
        head = json.dumps({"format": FORMAT, "key": key}, separators=(",", ":"))
        text = head + "\n" + json.dumps(body, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return text.encode()


def _same(path: str) -> str:
    return path


def params_text(overrides: Mapping[str, Any]) -> str:
    """The ``--param`` overrides as the key says them."""
    return repr(sorted((name, repr(value)) for name, value in overrides.items()))


@functools.lru_cache(maxsize=1)
def code_salt() -> str:
    """The version, the grammar and the sources of the code a compiled policy set depends on."""
    from scanner.lang.ast_cache import language_salt

    files = [*package_modules("scanner.engine"), *package_modules("scanner.policyset")]
    files.append(package_dir("scanner").joinpath("model.py"))
    return f"{language_salt()}\0{FORMAT}\0" + contents_digest("engine-code", files)


# ---------------------------------------------------------------- encoding


def _encode(value: Any, move: Move) -> Any:
    cls = type(value)
    if cls is Location:
        value = dataclasses.replace(value, file=move(value.file))
    if cls in _FIELDS:
        return {cls.__name__: [_encode(getattr(value, f), move) for f in _FIELDS[cls]]}
    if cls is Severity:
        return {"Severity": [value.value]}
    if cls is Each:
        return {"Each": [value.text]}
    if cls is tuple:
        return {"()": [_encode(v, move) for v in value]}
    if cls is list:
        return [_encode(v, move) for v in value]
    if cls is dict:
        return {"{}": [[_encode(k, move), _encode(v, move)] for k, v in value.items()]}
    if value is UNKNOWN:
        return {"?": []}
    if value is None or cls in (str, int, float, bool):
        return value
    raise TypeError(f"{cls.__name__} is not part of policy metadata")


def decode_index(
    data: bytes | None, key: str, move: Move | None = None
) -> list[tuple[str, PolicyInfo]] | None:
    """The policies of an entry written for ``key``; ``move`` rewrites each file path."""
    if data is None:
        return None
    try:
        first, _, rest = data.partition(b"\n")
        head = json.loads(first)
        if type(head) is not dict or head.get("format") != FORMAT or head.get("key") != key:
            return None
        hook = _object if move is None else functools.partial(_object, move=move)
        body = json.loads(rest, object_pairs_hook=hook)
        if type(body) is not list:
            return None
        out = []
        for path, info in body:
            if type(path) is not str or type(info) is not PolicyInfo:
                return None
            out.append((path if move is None else move(path), info))
        return out
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None  # not JSON, or not what this version wrote: compile in full


def _not_compiled(ctx: Any, element: Any) -> Any:
    """The test of an ``Each`` step read back from the index: the compiled policy's own
    step replaces it (``deferred.policy``), so reaching this is a bug, not a verdict."""
    raise RuntimeError(
        "a fix filter read from the policy index was used before its policy compiled"
    )


def _object(pairs: list[tuple[str, Any]], move: Move | None = None) -> Any:
    """``object_pairs_hook``: rebuild each object ``_encode`` wrote, inner ones first."""
    if len(pairs) != 1:
        raise IndexFormatError("an object of the index has one key")
    tag, args = pairs[0]
    if type(args) is not list:
        raise IndexFormatError(f"{tag!r} without a list in the index")
    if tag == "()":
        return tuple(args)
    if tag == "{}":
        return {k: v for k, v in args}
    if tag == "?" and not args:
        return UNKNOWN
    if tag == "Severity":
        return Severity(*args)
    if tag == "Each" and len(args) == 1 and type(args[0]) is str:
        return Each(args[0], _not_compiled)
    if tag == "Location" and move is not None and args and type(args[0]) is str:
        args[0] = move(args[0])
    return _RECORDS[tag](*args)  # KeyError: not a class of the index
