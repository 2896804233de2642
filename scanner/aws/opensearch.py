"""OpenSearch Service domains (Elasticsearch engine versions too).

A domain is one resource whichever CloudFormation type made it (``AWS::Elasticsearch::Domain``
is the older name of the same service); live, every domain is an
``AWS::OpenSearchService::Domain``, its ``EngineVersion`` saying ``OpenSearch_…`` or
``Elasticsearch_…``. The configuration blocks of ``DescribeDomains`` carry the
CloudFormation names already; the access policy is parsed into ``AccessPolicies``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

TYPES = ("AWS::OpenSearchService::Domain",)
DESCRIBE_BATCH = 5  # DescribeDomains takes at most 5 names
BLOCKS = (
    "ClusterConfig",
    "EBSOptions",
    "EncryptionAtRestOptions",
    "NodeToNodeEncryptionOptions",
    "AdvancedOptions",
    "LogPublishingOptions",
    "DomainEndpointOptions",
    "SnapshotOptions",
    "SoftwareUpdateOptions",
    "IPAddressType",
)
SECURITY_FIELDS = ("Enabled", "InternalUserDatabaseEnabled", "AnonymousAuthEnabled")


def collect(ctx: CollectContext) -> None:
    listing = ctx.call("ListDomainNames", lists=TYPES)
    names = [d["DomainName"] for d in (listing.data or {}).get("DomainNames") or []]
    for start in range(0, len(names), DESCRIBE_BATCH):
        batch = names[start : start + DESCRIBE_BATCH]
        answer = ctx.call("DescribeDomains", DomainNames=batch, lists=TYPES)
        for status in (answer.data or {}).get("DomainStatusList") or []:
            if not status.get("Deleted"):
                _collect_domain(ctx, status)


def _collect_domain(ctx: CollectContext, status: dict[str, Any]) -> None:
    tagging = ctx.call("ListTags", ARN=status["ARN"])
    tags = {} if tagging.failed else tag_map((tagging.data or {}).get("TagList"))
    props = with_tags(domain_properties(status), tags)
    ctx.add("AWS::OpenSearchService::Domain", status["ARN"], status["DomainName"], props, tags=tags)


def domain_properties(status: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeDomains`` status in the shape of ``AWS::OpenSearchService::Domain``."""
    props: dict[str, Any] = {"DomainName": status["DomainName"]}
    props.update(drop_none({"EngineVersion": status.get("EngineVersion")}))
    props.update({key: status[key] for key in BLOCKS if status.get(key) is not None})
    vpc = status.get("VPCOptions") or {}
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        props["VPCOptions"] = {
            "SubnetIds": list(vpc.get("SubnetIds") or []),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        }
    security = status.get("AdvancedSecurityOptions") or {}
    if security:
        props["AdvancedSecurityOptions"] = {
            k: security[k] for k in SECURITY_FIELDS if security.get(k) is not None
        }
    if status.get("AccessPolicies"):
        props["AccessPolicies"] = policy_document(status["AccessPolicies"])
    return props


COLLECTORS = (Collector("opensearch.domains", "opensearch", REGIONAL, collect, TYPES),)
