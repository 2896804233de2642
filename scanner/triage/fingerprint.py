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
from scanner.triage.locations import finding_file, live_identity, ordered

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
    identity = live_identity(finding.resource)
    if identity is not None:
        return fingerprint_base(finding.policy.id, arn=identity.arn)
    return fingerprint_base(
        finding.policy.id,
        file=finding_file(finding, root),
        resource_id=finding.resource.id,
        path=finding.path,
    )


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
    many findings need not hold a fingerprint for each)."""
    keep = None if wanted is None else {id(f) for f in wanted}
    seen: dict[str, int] = {}
    prints: dict[int, str] = {}
    for finding in ordered(findings, root):
        base = finding_fingerprint_base(finding, root)
        seen[base] = seen.get(base, 0) + 1
        if keep is None or id(finding) in keep:
            prints[id(finding)] = f"{base}:{seen[base]}"
    return prints
