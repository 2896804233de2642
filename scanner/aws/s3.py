"""S3: buckets and bucket policies per region, the account's public access block.

Buckets are listed per region (``ListBuckets`` with ``BucketRegion``), so a bucket is
collected by the task of the region it lives in. The buckets of a region are read
concurrently (``CollectContext.each``), one bucket's calls one after another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.aws.context import GLOBAL, REGIONAL, Answer, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
)


BUCKET_TYPES = ("AWS::S3::Bucket", "AWS::S3::BucketPolicy")


def collect_buckets(ctx: CollectContext) -> None:
    listing = ctx.pages("ListBuckets", "Buckets", BucketRegion=ctx.region, lists=BUCKET_TYPES)
    ctx.each(
        listing.items(), lambda bucket_ctx, bucket: _collect_bucket(bucket_ctx, bucket["Name"])
    )


def _collect_bucket(ctx: CollectContext, name: str) -> None:
    bucket_arn = f"arn:{ctx.partition}:s3:::{name}"
    props: dict[str, Any] = {"BucketName": name}
    for key, operation, absent, shape in BUCKET_SETTINGS:
        fill(props, key, _get(ctx, operation, name, *absent), shape)
    _object_lock(
        props, _get(ctx, "GetObjectLockConfiguration", name, "ObjectLockConfigurationNotFoundError")
    )
    tagging = _get(ctx, "GetBucketTagging", name, "NoSuchTagSet")
    tags = {} if tagging.failed else tag_map((tagging.data or {}).get("TagSet"))
    ctx.add("AWS::S3::Bucket", bucket_arn, name, with_tags(props, tags), tags=tags)
    _collect_policy(ctx, name, bucket_arn)


def _get(ctx: CollectContext, operation: str, bucket: str, *absent: str) -> Answer:
    return ctx.call(operation, Bucket=bucket, absent=absent)


def _collect_policy(ctx: CollectContext, name: str, bucket_arn: str) -> None:
    answer = _get(ctx, "GetBucketPolicy", name, "NoSuchBucketPolicy")
    if not answer.failed and answer.data is None:
        return
    props: dict[str, Any] = {"Bucket": name}
    fill(props, "PolicyDocument", answer, lambda data: policy_document(data.get("Policy")))
    ctx.add("AWS::S3::BucketPolicy", f"{bucket_arn}#policy", name, props)


def _encryption(data: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in (data.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []:
        shaped: dict[str, Any] = {}
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default:
            shaped["ServerSideEncryptionByDefault"] = dict(default)
        if "BucketKeyEnabled" in rule:
            shaped["BucketKeyEnabled"] = rule["BucketKeyEnabled"]
        rules.append(shaped)
    return {"ServerSideEncryptionConfiguration": rules}


def _versioning(data: dict[str, Any]) -> dict[str, Any] | None:
    status = data.get("Status")
    return {"Status": status} if status else None


def _public_access_block(data: dict[str, Any]) -> dict[str, Any]:
    config = data.get("PublicAccessBlockConfiguration") or {}
    return {flag: bool(config.get(flag, False)) for flag in PUBLIC_ACCESS_BLOCK_FLAGS}


def _logging(data: dict[str, Any]) -> dict[str, Any] | None:
    enabled = data.get("LoggingEnabled")
    if not enabled:
        return None
    shaped = {"DestinationBucketName": enabled.get("TargetBucket")}
    if enabled.get("TargetPrefix"):
        shaped["LogFilePrefix"] = enabled["TargetPrefix"]
    return shaped


def _ownership(data: dict[str, Any]) -> dict[str, Any]:
    rules = (data.get("OwnershipControls") or {}).get("Rules") or []
    return {"Rules": [{"ObjectOwnership": r.get("ObjectOwnership")} for r in rules]}


def _object_lock(props: dict[str, Any], answer: Answer) -> None:
    if answer.failed:
        props["ObjectLockEnabled"] = answer.unknown()
        return
    config = (answer.data or {}).get("ObjectLockConfiguration") or {}
    enabled = config.get("ObjectLockEnabled") == "Enabled"
    props["ObjectLockEnabled"] = enabled
    if enabled:
        shaped: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
        if config.get("Rule"):
            shaped["Rule"] = config["Rule"]
        props["ObjectLockConfiguration"] = shaped


def _website(data: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    if data.get("IndexDocument"):
        shaped["IndexDocument"] = data["IndexDocument"].get("Suffix")
    if data.get("ErrorDocument"):
        shaped["ErrorDocument"] = data["ErrorDocument"].get("Key")
    if data.get("RedirectAllRequestsTo"):
        shaped["RedirectAllRequestsTo"] = data["RedirectAllRequestsTo"]
    return shaped


def lifecycle(data: dict[str, Any]) -> dict[str, Any]:
    """``GetBucketLifecycleConfiguration`` rules in the CloudFormation ``Rule`` shape."""
    return {"Rules": [_lifecycle_rule(rule) for rule in data.get("Rules") or []]}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    found = rule.get("Filter") or {}
    both = found.get("And") or {}
    expiration = rule.get("Expiration") or {}
    tags = both.get("Tags") or ([found["Tag"]] if found.get("Tag") else [])
    shaped = drop_none(
        {
            "Id": rule.get("ID"),
            "Status": rule.get("Status"),
            "Prefix": found.get("Prefix", both.get("Prefix", rule.get("Prefix"))),
            "TagFilters": tags or None,
            "ExpirationInDays": expiration.get("Days"),
            "ExpirationDate": expiration.get("Date"),
            "ExpiredObjectDeleteMarker": expiration.get("ExpiredObjectDeleteMarker"),
            "NoncurrentVersionExpiration": rule.get("NoncurrentVersionExpiration"),
            "AbortIncompleteMultipartUpload": rule.get("AbortIncompleteMultipartUpload"),
        }
    )
    transitions = [
        drop_none(
            {
                "StorageClass": t.get("StorageClass"),
                "TransitionInDays": t.get("Days"),
                "TransitionDate": t.get("Date"),
            }
        )
        for t in rule.get("Transitions") or []
    ]
    if transitions:
        shaped["Transitions"] = transitions
    noncurrent = [
        drop_none(
            {
                "StorageClass": t.get("StorageClass"),
                "TransitionInDays": t.get("NoncurrentDays"),
                "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions"),
            }
        )
        for t in rule.get("NoncurrentVersionTransitions") or []
    ]
    if noncurrent:
        shaped["NoncurrentVersionTransitions"] = noncurrent
    return shaped


def canned_acl(data: dict[str, Any]) -> str | None:
    """The CloudFormation ``AccessControl`` canned ACL the bucket's grants amount to.

    The most permissive match wins: ``PublicReadWrite``, ``PublicRead``,
    ``AuthenticatedRead``, ``LogDeliveryWrite``; only owner grants is ``Private``.
    Grants to other accounts have no canned equivalent: the property stays absent.
    """
    owner = (data.get("Owner") or {}).get("ID")
    granted: set[tuple[str, str]] = set()
    other = False
    for grant in data.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        permission = grant.get("Permission", "")
        perms = {"READ", "WRITE"} if permission == "FULL_CONTROL" else {permission}
        if grantee.get("URI"):
            granted.update((grantee["URI"], p) for p in perms)
        elif grantee.get("ID") != owner:
            other = True
    for uri, permission, canned in (
        (ALL_USERS, "WRITE", "PublicReadWrite"),
        (ALL_USERS, "READ", "PublicRead"),
        (AUTHENTICATED_USERS, "READ", "AuthenticatedRead"),
        (LOG_DELIVERY, "WRITE", "LogDeliveryWrite"),
    ):
        if (uri, permission) in granted:
            return canned
    return None if other else "Private"


# property, GetBucket* operation, error codes meaning "not configured", answer -> property
BUCKET_SETTINGS: tuple[tuple[str, str, tuple[str, ...], Callable[[Any], Any]], ...] = (
    ("BucketEncryption", "GetBucketEncryption",
     ("ServerSideEncryptionConfigurationNotFoundError",), _encryption),
    ("VersioningConfiguration", "GetBucketVersioning", (), _versioning),
    ("PublicAccessBlockConfiguration", "GetPublicAccessBlock",
     ("NoSuchPublicAccessBlockConfiguration",), _public_access_block),
    ("LoggingConfiguration", "GetBucketLogging", (), _logging),
    ("OwnershipControls", "GetBucketOwnershipControls", ("OwnershipControlsNotFoundError",),
     _ownership),
    ("AccessControl", "GetBucketAcl", (), canned_acl),
    ("WebsiteConfiguration", "GetBucketWebsite", ("NoSuchWebsiteConfiguration",), _website),
    ("LifecycleConfiguration", "GetBucketLifecycleConfiguration",
     ("NoSuchLifecycleConfiguration",), lifecycle),
)  # fmt: skip


def collect_account_public_access_block(ctx: CollectContext) -> None:
    answer = ctx.call(
        "GetPublicAccessBlock",
        service="s3control",
        AccountId=ctx.account,
        absent=("NoSuchPublicAccessBlockConfiguration",),
    )
    props: dict[str, Any] = {}
    if answer.failed:
        props = {flag: answer.unknown() for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
    elif answer.data is not None:
        props = _public_access_block(answer.data)
    pseudo_arn = f"arn:{ctx.partition}:s3::{ctx.account}:account-public-access-block"
    ctx.add("Pacscan::S3::AccountPublicAccessBlock", pseudo_arn, ctx.account, props)


COLLECTORS = (
    Collector("s3.buckets", "s3", REGIONAL, collect_buckets, BUCKET_TYPES),
    Collector(
        "s3.account",
        "s3",
        GLOBAL,
        collect_account_public_access_block,
        ("Pacscan::S3::AccountPublicAccessBlock",),
    ),
)
