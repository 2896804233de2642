"""Small conversions every collector needs: tags, ARNs, JSON policy documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote


def tag_map(
    tags: Iterable[Mapping[str, Any]] | None, key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` (any key/value field names) → ``{k: v}``."""
    return {str(t[key]): str(t.get(value, "")) for t in tags or () if key in t}


def cfn_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{k: v}`` → the CloudFormation ``Tags`` list, sorted by key."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def with_tags(props: dict[str, Any], tags: Mapping[str, str]) -> dict[str, Any]:
    if tags:
        props["Tags"] = cfn_tags(tags)
    return props


def arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def policy_document(value: Any) -> Any:
    """A policy document as a map: JSON text (URL-encoded or not) is parsed.

    Text that is not JSON is kept as it is, so a policy sees it and can say so.
    """
    if not isinstance(value, str):
        return value
    for text in (value, unquote(value)):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return value


def drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The entries whose value is not ``None`` (absent API fields stay absent)."""
    return {k: v for k, v in mapping.items() if v is not None}
