"""Live writers, beside the collectors they invert: a new writer module is one line here.

Each module holds ``WRITERS`` (``PropertyWriter``: one top-level property of one
resource type, to API calls) and ``REMEDIES`` (the live change of a policy that has no
``fix`` clause). They live in their own package rather than in the collector modules
so that reading (``scanner.aws.<service>``) and changing an account stay apart: a
collection never imports code that can write.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from scanner.aws.writers.base import PropertyWriter, Remedy

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
)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[tuple[str, str], PropertyWriter], dict[str, Remedy]]:
    writers: dict[tuple[str, str], PropertyWriter] = {}
    remedies: dict[str, Remedy] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for writer in module.WRITERS:
            writers[(writer.type, writer.key)] = writer
        for remedy in getattr(module, "REMEDIES", ()):
            remedies[remedy.applies_to] = remedy
    return writers, remedies


def writer_for(type_: str, key: str) -> PropertyWriter | None:
    return _tables()[0].get((type_, key))


def remedy_for(policy_id: str, resource_type: str) -> Remedy | None:
    """The remedy of this policy, else the one of every policy of the resource type."""
    remedies = _tables()[1]
    return remedies.get(policy_id) or remedies.get(resource_type)


def all_writers() -> list[PropertyWriter]:
    return list(_tables()[0].values())


def all_remedies() -> list[Remedy]:
    return list(_tables()[1].values())
