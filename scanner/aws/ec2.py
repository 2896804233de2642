"""EC2 compute: volumes, instances (IMDS, public addresses, EBS) and EBS default encryption.

Volumes are read first so an instance's ``BlockDeviceMappings`` can say whether each
attached EBS volume is encrypted, as a template's mappings do.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import arn, drop_none, tag_map, with_tags

METADATA_OPTIONS = (
    "HttpTokens",
    "HttpEndpoint",
    "HttpPutResponseHopLimit",
    "HttpProtocolIpv6",
    "InstanceMetadataTags",
)


def collect(ctx: CollectContext) -> None:
    listing = ctx.pages("DescribeVolumes", "Volumes", lists=("AWS::EC2::Volume",))
    volumes = _collect_volumes(ctx, listing.items())
    unread = listing.unknown() if listing.failed else None
    _collect_instances(ctx, VolumeIndex(volumes, unread))
    _collect_ebs_default(ctx)


class VolumeIndex:
    """The region's volumes by id; ``unread`` is the unknown marker when listing failed."""

    def __init__(self, volumes: dict[str, dict[str, Any]], unread: dict[str, str] | None) -> None:
        self.volumes = volumes
        self.unread = unread

    def get(self, volume_id: str) -> dict[str, Any]:
        found = self.volumes.get(volume_id)
        if found is not None:
            return found
        if self.unread is not None:  # the volume exists; its settings could not be read
            return {"Encrypted": self.unread, "KmsKeyId": self.unread}
        return {}


def _collect_volumes(ctx: CollectContext, listed: list[Any]) -> dict[str, dict[str, Any]]:
    volumes: dict[str, dict[str, Any]] = {}
    for volume in listed:
        volume_id = volume["VolumeId"]
        volumes[volume_id] = volume
        tags = tag_map(volume.get("Tags"))
        props = drop_none(
            {
                "AvailabilityZone": volume.get("AvailabilityZone"),
                "Encrypted": bool(volume.get("Encrypted", False)),
                "KmsKeyId": volume.get("KmsKeyId"),
                "Size": volume.get("Size"),
                "VolumeType": volume.get("VolumeType"),
                "Iops": volume.get("Iops"),
                "Throughput": volume.get("Throughput"),
                "SnapshotId": volume.get("SnapshotId") or None,
                "MultiAttachEnabled": volume.get("MultiAttachEnabled"),
            }
        )
        volume_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, f"volume/{volume_id}")
        ctx.add("AWS::EC2::Volume", volume_arn, volume_id, with_tags(props, tags), tags=tags)
    return volumes


def _collect_instances(ctx: CollectContext, volumes: VolumeIndex) -> None:
    for reservation in ctx.pages(
        "DescribeInstances", "Reservations", lists=("AWS::EC2::Instance",)
    ).items():
        for instance in reservation.get("Instances") or []:
            if (instance.get("State") or {}).get("Name") == "terminated":
                continue
            instance_id = instance["InstanceId"]
            tags = tag_map(instance.get("Tags"))
            props = with_tags(instance_properties(instance, volumes), tags)
            instance_arn = arn(
                ctx.partition, "ec2", ctx.region, ctx.account, f"instance/{instance_id}"
            )
            ctx.add("AWS::EC2::Instance", instance_arn, instance_id, props, tags=tags)


def instance_properties(instance: dict[str, Any], volumes: VolumeIndex) -> dict[str, Any]:
    """An instance description in the shape of ``AWS::EC2::Instance`` properties."""
    placement = instance.get("Placement") or {}
    profile = (instance.get("IamInstanceProfile") or {}).get("Arn")
    props = drop_none(
        {
            "ImageId": instance.get("ImageId"),
            "InstanceType": instance.get("InstanceType"),
            "KeyName": instance.get("KeyName"),
            "SubnetId": instance.get("SubnetId"),
            "AvailabilityZone": placement.get("AvailabilityZone"),
            "Tenancy": placement.get("Tenancy"),
            "SecurityGroupIds": [g["GroupId"] for g in instance.get("SecurityGroups") or []],
            "IamInstanceProfile": profile.rsplit("/", 1)[-1] if profile else None,
            "Monitoring": (instance.get("Monitoring") or {}).get("State") in ("enabled", "pending"),
            "EbsOptimized": instance.get("EbsOptimized"),
            "SourceDestCheck": instance.get("SourceDestCheck"),
        }
    )
    options = instance.get("MetadataOptions") or {}
    props["MetadataOptions"] = {k: options[k] for k in METADATA_OPTIONS if k in options}
    props["NetworkInterfaces"] = [
        _interface(eni) for eni in instance.get("NetworkInterfaces") or []
    ]
    mappings = instance.get("BlockDeviceMappings") or []
    props["BlockDeviceMappings"] = [_mapping(m, volumes) for m in mappings]
    props["Volumes"] = [
        {"Device": m.get("DeviceName"), "VolumeId": m["Ebs"]["VolumeId"]}
        for m in mappings
        if (m.get("Ebs") or {}).get("VolumeId")
    ]
    return props


def _interface(eni: dict[str, Any]) -> dict[str, Any]:
    attachment = eni.get("Attachment") or {}
    return drop_none(
        {
            "DeviceIndex": _str_or_none(attachment.get("DeviceIndex")),
            "NetworkInterfaceId": eni.get("NetworkInterfaceId"),
            "SubnetId": eni.get("SubnetId"),
            "GroupSet": [g["GroupId"] for g in eni.get("Groups") or []],
            "AssociatePublicIpAddress": bool((eni.get("Association") or {}).get("PublicIp")),
            "Ipv6AddressCount": len(eni.get("Ipv6Addresses") or []),
        }
    )


def _mapping(mapping: dict[str, Any], volumes: VolumeIndex) -> dict[str, Any]:
    ebs = mapping.get("Ebs") or {}
    volume = volumes.get(ebs.get("VolumeId", ""))
    shaped: dict[str, Any] = {"DeviceName": mapping.get("DeviceName")}
    if ebs:
        shaped["Ebs"] = drop_none(
            {
                "DeleteOnTermination": ebs.get("DeleteOnTermination"),
                "Encrypted": volume.get("Encrypted"),
                "KmsKeyId": volume.get("KmsKeyId"),
                "VolumeSize": volume.get("Size"),
                "VolumeType": volume.get("VolumeType"),
                "Iops": volume.get("Iops"),
                "SnapshotId": volume.get("SnapshotId") or None,
            }
        )
    return shaped


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _collect_ebs_default(ctx: CollectContext) -> None:
    props: dict[str, Any] = {}
    fill(
        props,
        "Enabled",
        ctx.call("GetEbsEncryptionByDefault"),
        lambda data: bool(data.get("EbsEncryptionByDefault")),
    )
    pseudo_arn = arn(ctx.partition, "ec2", ctx.region, ctx.account, "ebs-encryption-by-default")
    ctx.add("Pacscan::EC2::EbsEncryptionByDefault", pseudo_arn, ctx.region, props)


TYPES = ("AWS::EC2::Volume", "AWS::EC2::Instance", "Pacscan::EC2::EbsEncryptionByDefault")
COLLECTORS = (Collector("ec2.compute", "ec2", REGIONAL, collect, TYPES),)
