"""The ``aws_iam_policy_document`` data source: IAM policy JSON written as HCL blocks.

Terraform builds the document from its arguments without reading AWS, so its ``json``
is known before apply: the statements are converted here and handed on as the document
they encode (a ``JsonText``), which a policy property reads as structured data. A
document that merges others (``source_policy_documents``, ``override_policy_documents``)
is not evaluated.
"""

from __future__ import annotations

from typing import Any

from scanner.loaders.terraform.expressions import JsonText
from scanner.model import Unknown, is_opaque

_LISTS = (("actions", "Action"), ("not_actions", "NotAction"))
_RESOURCES = (("resources", "Resource"), ("not_resources", "NotResource"))
_MERGED = ("source_policy_documents", "override_policy_documents", "source_json", "override_json")


def policy_document(config: dict[str, Any]) -> Any:
    """The document an ``aws_iam_policy_document``'s evaluated arguments describe."""
    if any(config.get(name) for name in _MERGED):
        return Unknown("an aws_iam_policy_document that merges other documents is not evaluated")
    statements = config.get("statement")
    if is_opaque(statements):
        return statements
    document: dict[str, Any] = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        document["Id"] = config["policy_id"]
    document["Statement"] = [
        _statement(s) for s in (statements if type(statements) is list else []) if type(s) is dict
    ]
    return JsonText(document)


def _statement(block: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if block.get("sid"):
        out["Sid"] = block["sid"]
    out["Effect"] = block.get("effect") or "Allow"
    for argument, key in (*_LISTS, *_RESOURCES):
        if block.get(argument) is not None:
            out[key] = block[argument]
    for argument, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if block.get(argument) is not None:
            out[key] = _principals(block[argument])
    if block.get("condition") is not None:
        out["Condition"] = _conditions(block["condition"])
    return out


def _principals(blocks: Any) -> Any:
    if type(blocks) is not list:
        return blocks
    out: dict[str, Any] = {}
    for block in blocks:
        if type(block) is not dict:
            continue
        kind, identifiers = block.get("type"), block.get("identifiers")
        if kind == "*" and identifiers == ["*"]:
            return "*"
        if isinstance(kind, str):
            out.setdefault(kind, [])
            out[kind] += identifiers if type(identifiers) is list else [identifiers]
    return out


def _conditions(blocks: Any) -> Any:
    if type(blocks) is not list:
        return blocks
    out: dict[str, Any] = {}
    for block in blocks:
        if type(block) is not dict:
            continue
        test, variable = block.get("test"), block.get("variable")
        if isinstance(test, str) and isinstance(variable, str):
            out.setdefault(test, {})[variable] = block.get("values")
    return out
