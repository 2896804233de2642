"""Where a finding is, as every report format names it.

Template findings live in a file (a path relative to the scan root, always with ``/``).
Findings on live resources have no file: they are named by the snapshot they came from
and by the resource's ARN, account and region (a live resource's origin), and SARIF gives
them a stable pseudo-path (``aws/<account>/<region>/<type>/<name>``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import PurePath
from urllib.parse import quote

from scanner.model import Finding, Resource

# Left as they are in a pseudo-path segment: RFC 3986 unreserved characters. Everything
# else (``:`` of ``AWS::S3::Bucket``, ``/`` in IAM paths and log group names) is encoded.
_SEGMENT_SAFE = "-._~"
# Left as they are in a file path: unreserved characters, ``/`` and the sub-delimiters.
# ``:`` is encoded so that ``c:x.yaml`` can never read as a URI scheme.
_PATH_SAFE = "/-._~!$&'()*+,;=@"


@dataclass(frozen=True, slots=True)
class LiveIdentity:
    """How a live (snapshot) resource is named in reports."""

    arn: str
    account: str
    region: str
    name: str


@lru_cache(maxsize=4096)
def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes (unchanged if on another drive)."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # Windows: a different drive has no relative path
        return PurePath(path).as_posix()
    return PurePath(rel).as_posix()


def file_uri(path: str) -> str:
    """A relative path as a URI reference (``my stacks/a.yaml`` -> ``my%20stacks/a.yaml``).

    A file name that is not UTF-8 keeps its bytes (``caf\xe9.yaml`` -> ``caf%E9.yaml``).
    """
    return quote(path, safe=_PATH_SAFE, errors="surrogateescape")


def live_identity(resource: Resource) -> LiveIdentity | None:
    """The ARN, account, region and name of a live resource; None for template resources."""
    live = resource.live
    if live is None or not live.arn:
        return None
    arn = live.arn
    return LiveIdentity(
        arn=arn,
        account=str(live.account or _arn_part(arn, 4) or "unknown"),
        region=str(live.region or _arn_part(arn, 3) or "global"),
        name=str(live.name or arn.rsplit(":", 1)[-1] or resource.id),
    )


def result_message(finding: Finding) -> str:
    """The result text: the finding message as a sentence, naming the ARN of a live resource."""
    text = (finding.message or finding.policy.title).strip()
    identity = live_identity(finding.resource)
    if identity is not None and identity.arn not in text:
        text = f"{text.rstrip('.')} ({identity.arn})"
    return text if text.endswith((".", "!", "?")) else text + "."


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":", 5)
    return parts[index] if len(parts) > index else ""


def pseudo_path(resource: Resource, identity: LiveIdentity) -> str:
    """The stable relative path that stands for a live resource in SARIF."""
    return pseudo_segments("aws", identity.account, identity.region, resource.type, identity.name)


def pseudo_segments(*segments: str) -> str:
    """Segments joined with ``/``, each percent-encoded (a ``/`` inside one included)."""
    return "/".join(map(_segment, segments))


@lru_cache(maxsize=4096)  # accounts, regions and types recur in every pseudo-path
def _segment(segment: str) -> str:
    return quote(segment, safe=_SEGMENT_SAFE)


def finding_file(finding: Finding, root: str) -> str | None:
    """The file a finding is reported against, relative to ``root``.

    The location's file when there is one, else the resource's document (a snapshot for
    live resources); None when the resource came from nowhere on disk.
    """
    if finding.location is not None:
        return relative_path(finding.location.file, root)
    document = finding.resource.document
    if document is not None:
        return relative_path(document.path, root)
    return None


def ordered(findings: Iterable[Finding], root: str) -> list[Finding]:
    """Findings in report order: by file, position, policy id, resource id.

    Filter before ordering: a scan's findings are mostly passes that no report lists.
    """

    # Findings of one place (a position, or a whole snapshot) are sorted by two stable
    # passes on C key functions, then the places in order: a key tuple per finding, most
    # of them equal in their first three items, made sorting 200,000 findings of a
    # snapshot cost 4 us each
    places: dict[tuple[str, int, int], list[Finding]] = {}
    for finding in findings:
        loc = finding.location
        file = finding_file(finding, root) or ""
        place = (file, loc.line, loc.column) if loc is not None else (file, 0, 0)
        group = places.get(place)
        if group is None:
            places[place] = [finding]
        else:
            group.append(finding)
    out: list[Finding] = []
    for place in sorted(places):
        group = places[place]
        if len(group) > 1:
            group.sort(key=_RESOURCE_ID)
            group.sort(key=_POLICY_ID)
        out += group
    return out


_RESOURCE_ID = attrgetter("resource.id")
_POLICY_ID = attrgetter("policy.id")
