"""One large evaluation shared with a forked process, when there are cores for it.

A live snapshot of 100,000 resources is one input: its 800,000 (policy, resource) pairs
take a single core about six seconds. ``evaluate_split`` forks a child that evaluates the
last resources (nearly half of the pairs) while this process evaluates the first; the child
writes its findings back through a pipe as JSON (the indexes of their policy and
resource, their status, message, path, location and whether they carry fixes, never an
object of its own), and this process rebuilds them around its own policy and resource
objects, in resource order after its own.

It is used only where a fork is safe and pays: on Linux, in a process running no other
thread (a fork copies one thread: a lock another thread held would stay held in the
child), for at least ``MIN_PAIRS`` pairs (below that, forking and decoding cost more
than they save). Everything the child would find is what this process would find: it
runs the same code on the same data, copied by the fork. If the child fails in any way
(killed, out of memory, a finding it cannot describe), this process evaluates its half
itself. The one difference a split can make is in the step budget's give-up rule
(``GIVE_UP_AFTER``): a policy that uses up its budget is given up after that many
resources in each half, not in all.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from scanner.model import Finding, Location, PolicyInfo, Resource, Status

MIN_PAIRS = 50_000  # pairs of one evaluation below which it is not split
CHILD_SHARE = 0.46  # of the pairs (measured on a 100,000-resource snapshot)
_STATUSES = tuple(Status)
_STATUS_INDEX = {status: n for n, status in enumerate(_STATUSES)}

Run = Callable[[Sequence[Resource], dict[Any, int]], list[Finding]]


def can_split(pairs: int, jobs: int) -> bool:
    """Whether an evaluation of ``pairs`` pairs is split, given ``jobs`` processes."""
    return (
        jobs > 1
        and pairs >= MIN_PAIRS
        and sys.platform == "linux"
        and hasattr(os, "fork")
        and threading.active_count() == 1
    )


def cut_at(pairs: Sequence[int]) -> int:
    """Where to cut resources holding ``pairs`` pairs each so that both processes finish
    together: the child, which also encodes its findings (about a fifth of the time it
    evaluates them), takes ``CHILD_SHARE`` of the pairs."""
    mine = sum(pairs) * (1 - CHILD_SHARE)
    seen = 0
    for index, count in enumerate(pairs):
        if seen >= mine:
            return index
        seen += count
    return len(pairs)


def evaluate_split(
    run: Run,
    resources: Sequence[Resource],
    cut: int,
    infos: Sequence[PolicyInfo],
    spent: dict[Any, int],
    policies: Sequence[Any],
) -> list[Finding]:
    """``run(resources)``, the part from ``cut`` on evaluated by a forked child.

    ``infos`` are the policies findings may name, ``policies`` the compiled policies that
    ``spent`` counts (the child's counts are added to it).
    """
    mine, theirs = resources[:cut], resources[cut:]
    if not theirs:
        return run(resources, spent)
    reader, writer = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return run(resources, spent)
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(reader)
        _child(run, theirs, cut, infos, policies, writer)
    os.close(writer)
    try:
        found = run(mine, spent)
        data = _read_all(reader)
    finally:
        os.close(reader)
        _, status = os.waitpid(child, 0)
    rest = _decode(data, resources, infos, policies, spent) if status == 0 else None
    if rest is None:  # the child failed: evaluate its part here
        rest = run(theirs, spent)
    found.extend(rest)
    return found


def _child(
    run: Run,
    part: Sequence[Resource],
    offset: int,
    infos: Sequence[PolicyInfo],
    policies: Sequence[Any],
    writer: int,
) -> None:  # pragma: no cover - measured through its parent's tests
    # os._exit: no atexit handlers, no flush of buffers the parent also holds
    try:
        spent: dict[Any, int] = {}
        found = run(part, spent)
        data = _encode(found, part, offset, infos, policies, spent)
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:  # anything at all: the parent evaluates this part itself
        os._exit(1)
    os._exit(0)


def _encode(
    found: list[Finding],
    part: Sequence[Resource],
    offset: int,
    infos: Sequence[PolicyInfo],
    policies: Sequence[Any],
    spent: dict[Any, int],
) -> bytes:
    policy_index = {id(info): n for n, info in enumerate(infos)}
    resource_index = {id(resource): offset + n for n, resource in enumerate(part)}
    rows = []
    for finding in found:
        info = finding.policy
        if finding.fix and finding.fix is not info.fixes:
            raise ValueError("a finding with fixes of its own")
        message: str | int = 0 if finding.message == info.title else finding.message
        loc = finding.location
        where = None
        if loc is not None:
            where = [loc.file, loc.line, loc.column, loc.end_line, loc.end_column]
        rows.append(
            [
                policy_index[id(info)],  # KeyError: a policy the parent does not know
                resource_index[id(finding.resource)],
                _STATUS_INDEX[finding.status],
                message,
                finding.path,
                where,
                1 if finding.fix else 0,
            ]
        )
    counts = {str(n): spent[policy] for n, policy in enumerate(policies) if policy in spent}
    return json.dumps([rows, counts], separators=(",", ":"), allow_nan=False).encode()


def _read_all(reader: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(reader, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _decode(
    data: bytes,
    resources: Sequence[Resource],
    infos: Sequence[PolicyInfo],
    policies: Sequence[Any],
    spent: dict[Any, int],
) -> list[Finding] | None:
    try:
        rows, counts = json.loads(data)
        out: list[Finding] = []
        append = out.append
        for policy, resource, status, message, path, where, fix in rows:
            info = infos[policy]
            location = None if where is None else Location(*where)
            text = info.title if message == 0 else message
            fixes = info.fixes if fix else ()
            append(
                Finding(
                    info, resources[resource], _STATUSES[status], text, tuple(path), location, fixes
                )
            )
        for n, count in counts.items():
            policy = policies[int(n)]
            spent[policy] = spent.get(policy, 0) + count
        return out
    except (ValueError, TypeError, IndexError, KeyError):
        return None
