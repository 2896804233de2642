"""CloudFront: distributions with their full configuration (a global collector).

``GetDistributionConfig`` answers the configuration CloudFormation's ``DistributionConfig``
holds, with two differences undone here: the API wraps lists as ``{Quantity, Items}``
(CloudFormation keeps that wrapping only for ``OriginGroups``), and a few names are
spelled differently (``ACMCertificateArn`` → ``AcmCertificateArn``,
``OriginSslProtocols`` → ``OriginSSLProtocols``…). Settings the API answers as empty
strings when off (``WebACLId``, ``DefaultRootObject``, a disabled ``Logging``) are absent,
as in a template that does not set them.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import GLOBAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::CloudFront::Distribution",)
CERTIFICATE_NAMES = {
    "ACMCertificateArn": "AcmCertificateArn",
    "IAMCertificateId": "IamCertificateId",
    "SSLSupportMethod": "SslSupportMethod",
    "MinimumProtocolVersion": "MinimumProtocolVersion",
    "CloudFrontDefaultCertificate": "CloudFrontDefaultCertificate",
}
PLAIN_FIELDS = ("Comment", "Enabled", "HttpVersion", "PriceClass", "Staging")
TEXT_FIELDS = ("DefaultRootObject", "WebACLId", "ContinuousDeploymentPolicyId")


def collect(ctx: CollectContext) -> None:
    pages = ctx.raw_pages("ListDistributions", lists=TYPES)
    for page in pages.items():
        for summary in (page.get("DistributionList") or {}).get("Items") or []:
            _collect_distribution(ctx, summary)


def _collect_distribution(ctx: CollectContext, summary: dict[str, Any]) -> None:
    distribution_id = summary["Id"]
    answer = ctx.call("GetDistributionConfig", Id=distribution_id, lists=TYPES)
    if answer.failed:
        return
    config = (answer.data or {}).get("DistributionConfig") or {}
    tagging = ctx.call("ListTagsForResource", Resource=summary["ARN"])
    tags = {} if tagging.failed else tag_map(((tagging.data or {}).get("Tags") or {}).get("Items"))
    props = with_tags({"DistributionConfig": distribution_config(config)}, tags)
    ctx.add(TYPES[0], summary["ARN"], distribution_id, props, tags=tags)


def items(wrapped: Any) -> list[Any]:
    """``{"Quantity": n, "Items": [...]}`` → the list (empty when absent)."""
    return list((wrapped or {}).get("Items") or []) if isinstance(wrapped, dict) else []


def distribution_config(config: dict[str, Any]) -> dict[str, Any]:
    """A ``DistributionConfig`` answer in CloudFormation's ``DistributionConfig`` shape."""
    shaped: dict[str, Any] = {k: config[k] for k in PLAIN_FIELDS if config.get(k) is not None}
    shaped.update({k: config[k] for k in TEXT_FIELDS if config.get(k)})
    if config.get("IsIPV6Enabled") is not None:
        shaped["IPV6Enabled"] = config["IsIPV6Enabled"]
    shaped["Aliases"] = items(config.get("Aliases"))
    shaped["Origins"] = [_origin(o) for o in items(config.get("Origins"))]
    groups = items(config.get("OriginGroups"))
    if groups:
        shaped["OriginGroups"] = {"Quantity": len(groups), "Items": groups}
    shaped["DefaultCacheBehavior"] = _behavior(config.get("DefaultCacheBehavior") or {})
    behaviors = [_behavior(b) for b in items(config.get("CacheBehaviors"))]
    if behaviors:
        shaped["CacheBehaviors"] = behaviors
    logging = config.get("Logging") or {}
    if logging.get("Enabled") and logging.get("Bucket"):
        shaped["Logging"] = drop_none(
            {
                "Bucket": logging["Bucket"],
                "Prefix": logging.get("Prefix") or None,
                "IncludeCookies": logging.get("IncludeCookies"),
            }
        )
    certificate = config.get("ViewerCertificate") or {}
    shaped["ViewerCertificate"] = {
        cfn: certificate[api] for api, cfn in CERTIFICATE_NAMES.items() if certificate.get(api)
    }
    return shaped


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = drop_none(
        {
            "Id": origin.get("Id"),
            "DomainName": origin.get("DomainName"),
            "OriginPath": origin.get("OriginPath") or None,
            "OriginAccessControlId": origin.get("OriginAccessControlId") or None,
            "ConnectionAttempts": origin.get("ConnectionAttempts"),
            "ConnectionTimeout": origin.get("ConnectionTimeout"),
        }
    )
    if origin.get("S3OriginConfig") is not None:
        identity = origin["S3OriginConfig"].get("OriginAccessIdentity")
        shaped["S3OriginConfig"] = {"OriginAccessIdentity": identity} if identity else {}
    custom = origin.get("CustomOriginConfig")
    if custom:
        shaped["CustomOriginConfig"] = drop_none(
            {
                "HTTPPort": custom.get("HTTPPort"),
                "HTTPSPort": custom.get("HTTPSPort"),
                "OriginProtocolPolicy": custom.get("OriginProtocolPolicy"),
                "OriginSSLProtocols": items(custom.get("OriginSslProtocols")) or None,
                "OriginReadTimeout": custom.get("OriginReadTimeout"),
                "OriginKeepaliveTimeout": custom.get("OriginKeepaliveTimeout"),
            }
        )
    return shaped


def _behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    return drop_none(
        {
            "PathPattern": behavior.get("PathPattern"),
            "TargetOriginId": behavior.get("TargetOriginId"),
            "ViewerProtocolPolicy": behavior.get("ViewerProtocolPolicy"),
            "CachePolicyId": behavior.get("CachePolicyId"),
            "OriginRequestPolicyId": behavior.get("OriginRequestPolicyId"),
            "ResponseHeadersPolicyId": behavior.get("ResponseHeadersPolicyId"),
            "Compress": behavior.get("Compress"),
            "AllowedMethods": items(behavior.get("AllowedMethods")) or None,
            "FieldLevelEncryptionId": behavior.get("FieldLevelEncryptionId") or None,
        }
    )


COLLECTORS = (Collector("cloudfront.distributions", "cloudfront", GLOBAL, collect, TYPES),)
