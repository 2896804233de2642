"""Live writers, beside the collectors they invert: a new writer module is one line here.

Each module holds ``WRITERS`` (``PropertyWriter``: one top-level property of one
resource type, to API calls), ``REMEDIES`` (the live change of a policy that has no
``fix`` clause) and ``READERS`` (reading one resource again through its collector's own
per-item code: cheaper than running the whole collector). They live in their own
package rather than in the collector modules so that reading an account
(``scanner.aws.<service>``) and changing it stay apart: a collection never imports
code that can write.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from scanner.aws.writers.base import PropertyWriter, Reader, Remedy

MODULES = (
    "scanner.aws.writers.s3",
    "scanner.aws.writers.kms",
    "scanner.aws.writers.cloudtrail",
    "scanner.aws.writers.ec2",
    "scanner.aws.writers.security_groups",
    "scanner.aws.writers.dynamodb",
    "scanner.aws.writers.rds",
    "scanner.aws.writers.ecr",
    "scanner.aws.writers.sqs",
    "scanner.aws.writers.iam",
    "scanner.aws.writers.guardduty",
    "scanner.aws.writers.sns",
    "scanner.aws.writers.redshift",
    "scanner.aws.writers.elb",
    "scanner.aws.writers.elbv2",
    "scanner.aws.writers.opensearch",
    "scanner.aws.writers.eks",
)


@dataclass(frozen=True, slots=True)
class _Tables:
    writers: dict[tuple[str, str], PropertyWriter]
    remedies: dict[str, Remedy]
    readers: dict[str, Reader]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    tables = _Tables({}, {}, {})
    for name in MODULES:
        module = importlib.import_module(name)
        for writer in module.WRITERS:
            tables.writers[(writer.type, writer.key)] = writer
        for remedy in getattr(module, "REMEDIES", ()):
            tables.remedies[remedy.applies_to] = remedy
        tables.readers.update(getattr(module, "READERS", {}))
    return tables


def writer_for(type_: str, key: str) -> PropertyWriter | None:
    return _tables().writers.get((type_, key))


def reader_for(type_: str) -> Reader | None:
    """How to read one resource of ``type_`` again (None: run its whole collector)."""
    return _tables().readers.get(type_)


def remedy_for(policy_id: str, resource_type: str) -> Remedy | None:
    """The remedy of this policy, else the one of every policy of the resource type."""
    remedies = _tables().remedies
    return remedies.get(policy_id) or remedies.get(resource_type)


def all_writers() -> list[PropertyWriter]:
    return list(_tables().writers.values())


def all_remedies() -> list[Remedy]:
    return list(_tables().remedies.values())
