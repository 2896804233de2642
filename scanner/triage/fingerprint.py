"""Stable identities for findings, shared by SARIF output and baselines.

A fingerprint must survive edits that do not change the finding (lines inserted above a
resource, reformatting) and change when the finding is about something else. So it is a
hash of the policy id, the file (relative to the scan root), the resource id and the
failing path — never a line number. Live resources have no file: their fingerprint is the
policy id and the ARN.

The value has GitHub's ``primaryLocationLineHash`` shape, ``<hash>:<occurrence>``: two
findings with the same inputs (the two ``Fn::If`` branches of one resource, say) are told
apart by the order in which they are reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from scanner.model import Finding, PathKey
from scanner.triage.locations import finding_file, ordered

FINGERPRINT_KEY = "primaryLocationLineHash"


def fingerprint_base(
    policy_id: str,
    *,
    file: str | None = None,
    resource_id: str = "",
    path: Sequence[PathKey] = (),
    arn: str | None = None,
) -> str:
    """The hash part of a fingerprint (32 hex digits)."""
    if arn:
        parts: list[str] = ["live", policy_id, arn]
    else:
        parts = ["file", policy_id, file or "", resource_id, json.dumps(list(path))]
    text = "\x1f".join(parts)  # a file name that is not UTF-8 holds lone surrogates
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def finding_fingerprint_base(finding: Finding, root: str) -> str:
    """``fingerprint_base`` of a finding, its file taken relative to ``root``."""
    return _hashed(_base_key(finding, root))


_Key = tuple[str, str] | tuple[str, str | None, str, tuple[PathKey, ...]]


def _base_key(finding: Finding, root: str) -> _Key:
    """What ``fingerprint_base`` hashes for ``finding``, before it is hashed (a live
    resource is named by its ARN, as ``live_identity`` names it)."""
    live = finding.resource.live
    if live is not None and live.arn:
        return (finding.policy.id, live.arn)
    file = finding_file(finding, root)
    return (finding.policy.id, file, finding.resource.id, tuple(finding.path))


def _hashed(key: _Key) -> str:
    if len(key) == 2:
        return fingerprint_base(key[0], arn=key[1])
    return fingerprint_base(key[0], file=key[1], resource_id=key[2], path=key[3])


def number_occurrences(bases: Iterable[str]) -> list[str]:
    """``base:n`` for each base, ``n`` counting earlier equal bases from 1."""
    seen: dict[str, int] = {}
    numbered = []
    for base in bases:
        seen[base] = seen.get(base, 0) + 1
        numbered.append(f"{base}:{seen[base]}")
    return numbered


def fingerprints(
    findings: Iterable[Finding], root: str, wanted: Iterable[Finding] | None = None
) -> dict[int, str]:
    """``id(finding)`` -> fingerprint, occurrences numbered in report order (among all
    of ``findings``); only those of ``wanted`` when given (a report that lists a few of
    many findings need not hold a fingerprint for each).

    Only findings with equal bases number each other, so each group is put in report
    order on its own, and only the bases of ``wanted`` are hashed: a report of the
    failures of a scan whose findings are mostly passes neither sorts nor hashes those.
    """
    findings = list(findings)
    keep = None if wanted is None else {id(f) for f in wanted}
    keys = [_base_key(f, root) for f in findings]
    asked = (
        set(keys)
        if keep is None
        else {k for f, k in zip(findings, keys, strict=True) if id(f) in keep}
    )
    groups: dict[_Key, list[Finding]] = {}
    for finding, key in zip(findings, keys, strict=True):
        if key in asked:
            groups.setdefault(key, []).append(finding)
    prints: dict[int, str] = {}
    for key, group in groups.items():
        base = _hashed(key)
        for n, finding in enumerate(ordered(group, root) if len(group) > 1 else group, 1):
            if keep is None or id(finding) in keep:
                prints[id(finding)] = f"{base}:{n}"
    return prints
