"""The journal of a remediation: JSON Lines, appended and flushed line by line.

Every record has ``record`` (its kind), ``run`` (the run that wrote it: several runs may
append to one journal) and ``time``. Records, in the order things happen:

- ``begin``: a change is about to be made: ``change`` (its number in the run),
  ``policy_id``, ``resource`` (type, id, name), ``account``, ``region``, ``edits``
  (each edit's resource, property, ``before`` and intended ``after``) and the ``calls``.
- ``call``: one call that was made: ``change``, ``edit`` (the edit it serves), the
  call, and ``response`` or ``error`` (``code``, ``message``).
- ``end``: the change is over: ``status`` (``applied``, ``failed``, ``skipped``), the
  ``before`` and ``after`` states read from AWS (by property name; ``read_back``: the
  after-state of each edit, in the order of ``edits``), ``verified`` (the policy passes
  on the resource read back), and ``reason`` for a skipped or failed change.
- ``undo``: one change played backwards by ``--undo``: ``change``, ``status``
  (``restored``, ``approximated``, ``not restored``, ``nothing to undo``, ``skipped``,
  ``failed``) and ``reason``.
- ``interrupted``: the run was stopped (Ctrl-C) after the records above.

A run that is killed leaves every line it wrote complete: a ``begin`` without ``end``
means the change was under way, and its ``call`` records say which calls AWS accepted.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO, Any

from scanner.errors import InputError, UsageError
from scanner.escape import printable
from scanner.model import Location

MAX_JOURNAL_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 4 * 1024 * 1024


class Journal:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.run = uuid.uuid4().hex[:16]  # tells this run's records from others appended
        self._stream: IO[str] | None = None
        if path is not None:
            try:
                self._stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            except OSError as exc:
                raise UsageError(
                    f"cannot write the journal {printable(path)}: {exc.strerror or exc}"
                ) from exc

    def write(self, record: str, **fields: Any) -> None:
        if self._stream is None:
            return
        line = {"record": record, "run": self.run, "time": _now(), **fields}
        try:
            self._stream.write(json.dumps(line, sort_keys=False, default=str) + "\n")
            self._stream.flush()
            os.fsync(self._stream.fileno())
        except OSError as exc:  # the run stops: a change it cannot journal is not made
            raise UsageError(
                f"cannot write the journal {printable(self.path or '')}: {exc.strerror or exc}"
            ) from exc

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_journal(path: str) -> list[dict[str, Any]]:
    """Every record of a journal; a line that is not a JSON object is an error naming it."""
    try:
        size = os.path.getsize(path)
        if size > MAX_JOURNAL_BYTES:
            raise InputError(f"{printable(path)}: journal larger than {MAX_JOURNAL_BYTES} bytes")
        with open(path, encoding="utf-8") as stream:
            return list(_records(path, stream))
    except OSError as exc:
        raise InputError(f"cannot read the journal {printable(path)}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{printable(path)}: the journal is not UTF-8 text") from exc


def _records(path: str, stream: IO[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            raise InputError("journal line too long", location=Location(path, number, 1))
        try:
            record = json.loads(line)
        except ValueError as exc:
            column = getattr(exc, "colno", 1)
            raise InputError(
                f"not a journal record: {exc}", location=Location(path, number, column)
            ) from exc
        if type(record) is not dict or type(record.get("record")) is not str:
            raise InputError("not a journal record", location=Location(path, number, 1))
        yield record
