"""S3 writers: the inverse of ``scanner.aws.s3``.

Bucket versioning, bucket Block Public Access, default encryption and the bucket
policy; the account's Block Public Access. Remedies for two policies without a ``fix``
clause: the account's Block Public Access (all four settings on) and the SSL-only
statement, added to the bucket's existing policy (every other statement kept).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.aws.context import CollectContext
from scanner.aws.s3 import PUBLIC_ACCESS_BLOCK_FLAGS
from scanner.aws.s3 import _collect_bucket as collect_bucket
from scanner.aws.writers.base import (
    Call,
    Edit,
    Judge,
    PropertyWriter,
    Remedy,
    Target,
    target_of,
)
from scanner.model import Resource, Unknown

SSL_ONLY_SID = "DenyInsecureTransport"
ACCOUNT_BLOCK_TYPE = "Pacscan::S3::AccountPublicAccessBlock"
WHOLE = ""  # the key of an edit of every property at once


def _bucket(target: Target) -> str:
    return str(target.name or target.properties.get("BucketName") or target.id.split(":::", 1)[1])


def _versioning(target: Target, old: Any, new: Any) -> list[Call]:
    # a bucket that never kept versions cannot go back to that: "Suspended" is the nearest
    status = (new or {}).get("Status") or "Suspended"
    return [
        Call("s3", "PutBucketVersioning", {"Bucket": _bucket(target),
             "VersioningConfiguration": {"Status": status}})
    ]  # fmt: skip


def _block(target: Target, old: Any, new: Any) -> list[Call]:
    if new is None:
        return [Call("s3", "DeletePublicAccessBlock", {"Bucket": _bucket(target)})]
    config = {flag: bool(new.get(flag, False)) for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
    return [
        Call("s3", "PutPublicAccessBlock",
             {"Bucket": _bucket(target), "PublicAccessBlockConfiguration": config})
    ]  # fmt: skip


def _encryption(target: Target, old: Any, new: Any) -> list[Call]:
    if new is None:
        return [Call("s3", "DeleteBucketEncryption", {"Bucket": _bucket(target)})]
    rules = []
    for rule in new.get("ServerSideEncryptionConfiguration") or []:
        api: dict[str, Any] = {}
        if rule.get("ServerSideEncryptionByDefault"):
            api["ApplyServerSideEncryptionByDefault"] = dict(rule["ServerSideEncryptionByDefault"])
        if "BucketKeyEnabled" in rule:
            api["BucketKeyEnabled"] = bool(rule["BucketKeyEnabled"])
        rules.append(api)
    return [
        Call("s3", "PutBucketEncryption",
             {"Bucket": _bucket(target), "ServerSideEncryptionConfiguration": {"Rules": rules}})
    ]  # fmt: skip


def _bucket_policy(target: Target, old: Any, new: Any) -> list[Call]:
    bucket = str(target.name or target.properties.get("Bucket"))
    if new is None:
        return [Call("s3", "DeleteBucketPolicy", {"Bucket": bucket})]
    return [Call("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": json.dumps(new)})]


def _account_block(target: Target, old: Any, new: Any) -> list[Call]:
    if not new:
        return [Call("s3control", "DeletePublicAccessBlock", {"AccountId": target.account})]
    config = {flag: bool(new.get(flag, False)) for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
    return [
        Call("s3control", "PutPublicAccessBlock",
             {"AccountId": target.account, "PublicAccessBlockConfiguration": config})
    ]  # fmt: skip


def account_block_on(resource: Resource, _: Mapping[str, Resource], __: Judge) -> list[Edit] | str:
    before = dict(resource.properties)
    after = {flag: True for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
    return [Edit(target_of(resource), WHOLE, before or None, after)]


def ssl_only_statement(
    resource: Resource, resources: Mapping[str, Resource], _: Judge
) -> list[Edit] | str:
    """The bucket's policy with a statement that denies requests without TLS, added."""
    bucket = resource.live.name if resource.live else None
    if not bucket:
        return "the bucket's name is not in the snapshot"
    policy_id = f"{resource.id}#policy"
    existing = resources.get(policy_id)
    document = existing.properties.get("PolicyDocument") if existing is not None else None
    if isinstance(document, Unknown) or (document is not None and type(document) is not dict):
        return "the bucket's current policy could not be read, so it is not replaced"
    found = (document or {}).get("Statement") or []
    if type(found) not in (dict, list):
        return "the bucket's current policy has no statement list, so it is not replaced"
    statements = [found] if type(found) is dict else list(found)
    sids = {s.get("Sid") for s in statements if type(s) is dict}
    sid = SSL_ONLY_SID
    number = 1
    while sid in sids and number < 100:
        number += 1
        sid = f"{SSL_ONLY_SID}{number}"
    arn = resource.id
    statements.append(
        {
            "Sid": sid,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    after = {"Version": "2012-10-17", **(document or {}), "Statement": statements}
    live = resource.live
    assert live is not None
    target = Target("AWS::S3::BucketPolicy", policy_id, bucket, live.account, live.region,
                    {"Bucket": bucket})  # fmt: skip
    return [Edit(target, "PolicyDocument", document, after)]


def _read_bucket(ctx: CollectContext, target: Target) -> None:
    """One bucket and its policy, by the collector's own per-bucket code."""
    collect_bucket(ctx, str(target.name))


READERS = {"AWS::S3::Bucket": _read_bucket, "AWS::S3::BucketPolicy": _read_bucket}

WRITERS = (
    PropertyWriter("AWS::S3::Bucket", "VersioningConfiguration", _versioning,
                   ("s3:GetBucketVersioning", "s3:PutBucketVersioning"),
                   "a bucket that never had versioning goes back to Suspended, not to unset; "
                   "object versions written meanwhile are kept", approximate_undo=True),
    PropertyWriter("AWS::S3::Bucket", "PublicAccessBlockConfiguration", _block,
                   ("s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock")),
    PropertyWriter("AWS::S3::Bucket", "BucketEncryption", _encryption,
                   ("s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
                   "objects written meanwhile stay encrypted with the KMS key"),
    PropertyWriter("AWS::S3::BucketPolicy", "PolicyDocument", _bucket_policy,
                   ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy")),
    PropertyWriter(ACCOUNT_BLOCK_TYPE, WHOLE, _account_block,
                   ("s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock")),
)  # fmt: skip

REMEDIES = (
    Remedy(ACCOUNT_BLOCK_TYPE, account_block_on,
           "turns on all four settings of the account's S3 Block Public Access"),
    Remedy("PAC-S3-006", ssl_only_statement,
           f"adds a statement {SSL_ONLY_SID!r} denying requests without TLS to the bucket "
           "policy; the other statements are kept as they are"),
)  # fmt: skip
