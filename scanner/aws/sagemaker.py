"""SageMaker: notebook instances, with their network and root access settings."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::SageMaker::NotebookInstance",)


def collect(ctx: CollectContext) -> None:
    pages = ctx.pages("ListNotebookInstances", "NotebookInstances", lists=TYPES)
    for summary in pages.items():
        name = summary["NotebookInstanceName"]
        described = ctx.call("DescribeNotebookInstance", NotebookInstanceName=name,
                             absent=("ValidationException",), lists=TYPES)  # fmt: skip
        if described.failed or not described.data:
            continue
        ctx.add("AWS::SageMaker::NotebookInstance", summary["NotebookInstanceArn"], name,
                notebook_properties(described.data))  # fmt: skip


def notebook_properties(notebook: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeNotebookInstance`` answer in the shape of
    ``AWS::SageMaker::NotebookInstance`` properties."""
    return drop_none(
        {
            "NotebookInstanceName": notebook.get("NotebookInstanceName"),
            "InstanceType": notebook.get("InstanceType"),
            "RoleArn": notebook.get("RoleArn"),
            "SubnetId": notebook.get("SubnetId"),
            "SecurityGroupIds": notebook.get("SecurityGroups") or None,
            "KmsKeyId": notebook.get("KmsKeyId"),
            "DirectInternetAccess": notebook.get("DirectInternetAccess"),
            "RootAccess": notebook.get("RootAccess"),
            "PlatformIdentifier": notebook.get("PlatformIdentifier"),
        }
    )


COLLECTORS = (Collector("sagemaker.notebook_instances", "sagemaker", REGIONAL, collect, TYPES),)
