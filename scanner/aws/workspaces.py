"""WorkSpaces: each WorkSpace with its volume encryption, from ``DescribeWorkspaces``.

The answer leaves a volume's encryption flag out when the volume is not encrypted: the
WorkSpace is then collected with the flag ``false``.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import arn, drop_none

TYPE = "AWS::WorkSpaces::Workspace"
TYPES = (TYPE,)
PROPERTY_KEYS = (
    "RunningMode",
    "RunningModeAutoStopTimeoutInMinutes",
    "RootVolumeSizeGib",
    "UserVolumeSizeGib",
    "ComputeTypeName",
)


def collect(ctx: CollectContext) -> None:
    for workspace in ctx.pages("DescribeWorkspaces", "Workspaces", lists=TYPES).items():
        workspace_id = workspace["WorkspaceId"]
        resource = f"workspace/{workspace_id}"
        ctx.add(TYPE, arn(ctx.partition, "workspaces", ctx.region, ctx.account, resource),
                workspace_id, workspace_properties(workspace))  # fmt: skip


def workspace_properties(workspace: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeWorkspaces`` entry as ``AWS::WorkSpaces::Workspace`` properties."""
    settings = workspace.get("WorkspaceProperties") or {}
    return drop_none(
        {
            "BundleId": workspace.get("BundleId"),
            "DirectoryId": workspace.get("DirectoryId"),
            "UserName": workspace.get("UserName"),
            "RootVolumeEncryptionEnabled": workspace.get("RootVolumeEncryptionEnabled") is True,
            "UserVolumeEncryptionEnabled": workspace.get("UserVolumeEncryptionEnabled") is True,
            "VolumeEncryptionKey": workspace.get("VolumeEncryptionKey"),
            "WorkspaceProperties": {k: settings[k] for k in PROPERTY_KEYS if k in settings} or None,
        }
    )


COLLECTORS = (Collector("workspaces.workspaces", "workspaces", REGIONAL, collect, TYPES),)
