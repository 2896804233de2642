"""EFS: file systems with their encryption, automatic backup policy and mount targets;
access points.

A file system without a backup policy (``PolicyNotFound``) has automatic backups off:
``BackupPolicy.Status`` is then ``DISABLED``, as AWS reports it after a policy is removed.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags

TYPES = ("AWS::EFS::FileSystem", "AWS::EFS::MountTarget")


def collect(ctx: CollectContext) -> None:
    for system in ctx.pages("DescribeFileSystems", "FileSystems", lists=TYPES).items():
        _collect_file_system(ctx, system)


def _collect_file_system(ctx: CollectContext, system: dict[str, Any]) -> None:
    system_id = system["FileSystemId"]
    props = file_system_properties(system)
    backup = ctx.call("DescribeBackupPolicy", FileSystemId=system_id, absent=("PolicyNotFound",))
    if backup.failed:
        props["BackupPolicy"] = {"Status": backup.unknown()}
    else:
        status = ((backup.data or {}).get("BackupPolicy") or {}).get("Status") or "DISABLED"
        props["BackupPolicy"] = {"Status": status}
    tags = tag_map(system.get("Tags"))
    arn = system.get("FileSystemArn") or (
        f"arn:{ctx.partition}:elasticfilesystem:{ctx.region}:{ctx.account}:file-system/{system_id}"
    )
    ctx.add("AWS::EFS::FileSystem", arn, system_id, with_tags(props, tags), tags=tags)
    targets = ctx.pages(
        "DescribeMountTargets", "MountTargets", FileSystemId=system_id,
        lists=("AWS::EFS::MountTarget",),
    )  # fmt: skip
    for target in targets.items():
        target_props = drop_none(
            {
                "FileSystemId": system_id,
                "SubnetId": target.get("SubnetId"),
                "IpAddress": target.get("IpAddress"),
            }
        )
        ctx.add("AWS::EFS::MountTarget", f"{arn}#mount-target/{target['MountTargetId']}",
                target["MountTargetId"], target_props)  # fmt: skip


def file_system_properties(system: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeFileSystems`` entry in the shape of ``AWS::EFS::FileSystem``."""
    protection = system.get("FileSystemProtection") or {}
    return drop_none(
        {
            "Encrypted": bool(system.get("Encrypted", False)),
            "KmsKeyId": system.get("KmsKeyId"),
            "PerformanceMode": system.get("PerformanceMode"),
            "ThroughputMode": system.get("ThroughputMode"),
            "ProvisionedThroughputInMibps": system.get("ProvisionedThroughputInMibps"),
            "AvailabilityZoneName": system.get("AvailabilityZoneName"),
            "FileSystemProtection": drop_none(
                {"ReplicationOverwriteProtection": protection.get("ReplicationOverwriteProtection")}
            )
            or None,
        }
    )


ACCESS_POINT_TYPES = ("AWS::EFS::AccessPoint",)


def collect_access_points(ctx: CollectContext) -> None:
    listing = ctx.pages("DescribeAccessPoints", "AccessPoints", lists=ACCESS_POINT_TYPES)
    for point in listing.items():
        tags = tag_map(point.get("Tags"))
        props = access_point_properties(point)
        if tags:
            props["AccessPointTags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        ctx.add("AWS::EFS::AccessPoint", point["AccessPointArn"], point["AccessPointId"], props,
                tags=tags)  # fmt: skip


def access_point_properties(point: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeAccessPoints`` entry in the shape of ``AWS::EFS::AccessPoint``.

    CloudFormation types the POSIX ids and permissions as strings.
    """
    props: dict[str, Any] = {"FileSystemId": point.get("FileSystemId")}
    user = point.get("PosixUser")
    if user:
        props["PosixUser"] = drop_none(
            {
                "Uid": _text(user.get("Uid")),
                "Gid": _text(user.get("Gid")),
                "SecondaryGids": [str(g) for g in user.get("SecondaryGids") or []] or None,
            }
        )
    root = point.get("RootDirectory")
    if root:
        creation = root.get("CreationInfo") or {}
        props["RootDirectory"] = drop_none(
            {
                "Path": root.get("Path"),
                "CreationInfo": drop_none(
                    {
                        "OwnerUid": _text(creation.get("OwnerUid")),
                        "OwnerGid": _text(creation.get("OwnerGid")),
                        "Permissions": creation.get("Permissions"),
                    }
                )
                or None,
            }
        )
    return props


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


COLLECTORS = (
    Collector("efs.file_systems", "efs", REGIONAL, collect, TYPES),
    Collector("efs.access_points", "efs", REGIONAL, collect_access_points, ACCESS_POINT_TYPES),
)
