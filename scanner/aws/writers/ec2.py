"""EC2 writers: EBS encryption by default, instance metadata options (``scanner.aws.ec2``),
a subnet's public addresses (``scanner.aws.ec2_network``).

EC2 calls that take ``DryRun`` are tried with it first (``Call.dry_run``), so a missing
permission shows before anything changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.aws.writers.base import Call, Edit, Judge, PropertyWriter, Remedy, Target, target_of
from scanner.model import Resource

EBS_DEFAULT_TYPE = "Pacscan::EC2::EbsEncryptionByDefault"
METADATA_FIELDS = (
    "HttpTokens",
    "HttpPutResponseHopLimit",
    "HttpEndpoint",
    "HttpProtocolIpv6",
    "InstanceMetadataTags",
)


def _ebs_default(target: Target, old: Any, new: Any) -> list[Call]:
    operation = "EnableEbsEncryptionByDefault" if new else "DisableEbsEncryptionByDefault"
    return [Call("ec2", operation, {}, dry_run=True)]


def _metadata(target: Target, old: Any, new: Any) -> list[Call]:
    before, after = old or {}, new or {}
    changed = {f: after[f] for f in METADATA_FIELDS if f in after and after[f] != before.get(f)}
    if not changed:
        return []
    parameters = {"InstanceId": target.name or target.id.rsplit("/", 1)[-1], **changed}
    return [Call("ec2", "ModifyInstanceMetadataOptions", parameters, dry_run=True)]


def ebs_default_on(resource: Resource, _: Mapping[str, Resource], __: Judge) -> list[Edit] | str:
    return [Edit(target_of(resource), "Enabled", resource.properties.get("Enabled"), True)]


def _subnet_public_ip(target: Target, old: Any, new: Any) -> list[Call]:
    # ModifySubnetAttribute takes no DryRun parameter
    parameters = {"SubnetId": target.name, "MapPublicIpOnLaunch": {"Value": bool(new)}}
    return [Call("ec2", "ModifySubnetAttribute", parameters)]


WRITERS = (
    PropertyWriter("AWS::EC2::Subnet", "MapPublicIpOnLaunch", _subnet_public_ip,
                   ("ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"),
                   "instances launched meanwhile keep the public address they got"),
    PropertyWriter(EBS_DEFAULT_TYPE, "Enabled", _ebs_default,
                   ("ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault",
                    "ec2:DisableEbsEncryptionByDefault"),
                   "volumes created meanwhile stay encrypted"),
    PropertyWriter("AWS::EC2::Instance", "MetadataOptions", _metadata,
                   ("ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions")),
)  # fmt: skip

REMEDIES = (
    Remedy(EBS_DEFAULT_TYPE, ebs_default_on,
           "turns on EBS encryption by default in the region (with the default key)"),
)  # fmt: skip
