"""ECR: private repositories with their scanning, tag mutability, encryption and policies.

The lifecycle policy and the repository policy are properties of the repository in
CloudFormation (``LifecyclePolicy.LifecyclePolicyText``, ``RepositoryPolicyText``), so
they are read into it rather than kept as separate resources.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document, tag_map, with_tags

TYPES = ("AWS::ECR::Repository",)


def collect(ctx: CollectContext) -> None:
    for repository in ctx.pages("DescribeRepositories", "repositories", lists=TYPES).items():
        _collect_repository(ctx, repository)


def _collect_repository(ctx: CollectContext, repository: dict[str, Any]) -> None:
    name = repository["repositoryName"]
    props = repository_properties(repository)
    lifecycle = ctx.call(
        "GetLifecyclePolicy",
        repositoryName=name,
        absent=("LifecyclePolicyNotFoundException",),
    )
    fill(props, "LifecyclePolicy", lifecycle, _lifecycle_policy)
    policy = ctx.call(
        "GetRepositoryPolicy",
        repositoryName=name,
        absent=("RepositoryPolicyNotFoundException",),
    )
    fill(props, "RepositoryPolicyText", policy, lambda d: policy_document(d.get("policyText")))
    tagging = ctx.call("ListTagsForResource", resourceArn=repository["repositoryArn"])
    tags = {} if tagging.failed else tag_map((tagging.data or {}).get("tags"))
    ctx.add(
        "AWS::ECR::Repository",
        repository["repositoryArn"],
        name,
        with_tags(props, tags),
        tags=tags,
    )


def repository_properties(repository: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeRepositories`` entry in the shape of ``AWS::ECR::Repository``."""
    scanning = repository.get("imageScanningConfiguration") or {}
    encryption = repository.get("encryptionConfiguration") or {}
    props: dict[str, Any] = drop_none(
        {
            "RepositoryName": repository["repositoryName"],
            "ImageTagMutability": repository.get("imageTagMutability"),
            "ImageScanningConfiguration": {"ScanOnPush": bool(scanning.get("scanOnPush"))},
            "EncryptionConfiguration": drop_none(
                {
                    "EncryptionType": encryption.get("encryptionType"),
                    "KmsKey": encryption.get("kmsKey"),
                }
            )
            or None,
        }
    )
    filters = repository.get("imageTagMutabilityExclusionFilters")
    if filters:
        props["ImageTagMutabilityExclusionFilters"] = [
            {"FilterType": f.get("filterType"), "Filter": f.get("filter")} for f in filters
        ]
    return props


def _lifecycle_policy(data: dict[str, Any]) -> dict[str, Any]:
    return drop_none(
        {
            "LifecyclePolicyText": data.get("lifecyclePolicyText"),
            "RegistryId": data.get("registryId"),
        }
    )


COLLECTORS = (Collector("ecr.repositories", "ecr", REGIONAL, collect, TYPES),)
