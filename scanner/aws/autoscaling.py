"""EC2 Auto Scaling: launch configurations, with their public IP and block device settings."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::AutoScaling::LaunchConfiguration",)


def collect(ctx: CollectContext) -> None:
    pages = ctx.pages("DescribeLaunchConfigurations", "LaunchConfigurations", lists=TYPES)
    for config in pages.items():
        props = launch_configuration_properties(config)
        arn, name = config["LaunchConfigurationARN"], config["LaunchConfigurationName"]
        ctx.add("AWS::AutoScaling::LaunchConfiguration", arn, name, props)


def launch_configuration_properties(config: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeLaunchConfigurations`` entry in the shape of
    ``AWS::AutoScaling::LaunchConfiguration`` properties."""
    return drop_none(
        {
            "LaunchConfigurationName": config.get("LaunchConfigurationName"),
            "ImageId": config.get("ImageId"),
            "InstanceType": config.get("InstanceType"),
            "AssociatePublicIpAddress": config.get("AssociatePublicIpAddress"),
            "SecurityGroups": config.get("SecurityGroups") or None,
            "BlockDeviceMappings": [_mapping(m) for m in config.get("BlockDeviceMappings") or []],
        }
    )


def _mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    ebs = mapping.get("Ebs")
    return drop_none(
        {
            "DeviceName": mapping.get("DeviceName"),
            "VirtualName": mapping.get("VirtualName"),
            "NoDevice": mapping.get("NoDevice") or None,
            "Ebs": None
            if ebs is None
            else drop_none(
                {
                    "SnapshotId": ebs.get("SnapshotId"),
                    "VolumeSize": ebs.get("VolumeSize"),
                    "VolumeType": ebs.get("VolumeType"),
                    "Encrypted": bool(ebs.get("Encrypted")),
                }
            ),
        }
    )


COLLECTORS = (
    Collector("autoscaling.launch_configurations", "autoscaling", REGIONAL, collect, TYPES),
)
