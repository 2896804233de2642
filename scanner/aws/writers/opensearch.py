"""OpenSearch writers: HTTPS and TLS, encryption at rest, node-to-node encryption of a
domain (``scanner.aws.opensearch``), each through ``UpdateDomainConfig``."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import PropertyWriter, Target, setting

DOMAIN = "AWS::OpenSearchService::Domain"
PERMISSIONS = ("es:DescribeDomains", "es:UpdateDomainConfig")
ONE_WAY = "AWS does not turn this encryption off again: undo leaves it on"


def _block(key: str) -> Any:
    def parameters(target: Target, new: Any) -> dict[str, Any]:
        return {"DomainName": target.name, key: dict(new or {})}

    return parameters


def _writer(key: str, note: str = "") -> PropertyWriter:
    return setting(DOMAIN, key, "opensearch", "UpdateDomainConfig", _block(key), PERMISSIONS,
                   note, reversible=not note)  # fmt: skip


WRITERS = (
    _writer("DomainEndpointOptions"),
    _writer("EncryptionAtRestOptions", ONE_WAY),
    _writer("NodeToNodeEncryptionOptions", ONE_WAY),
)
