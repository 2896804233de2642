"""SageMaker: notebook instances, with their network and root access settings, and
endpoint configurations, with the key that encrypts their instances' storage."""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPES = ("AWS::SageMaker::NotebookInstance",)
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
ENDPOINT_CONFIG_TYPES = (ENDPOINT_CONFIG,)
# CloudFormation property of a production variant <- DescribeEndpointConfig field
VARIANT_FIELDS = (
    "VariantName",
    "ModelName",
    "InstanceType",
    "InitialInstanceCount",
    "InitialVariantWeight",
    "VolumeSizeInGB",
)


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


def collect_endpoint_configs(ctx: CollectContext) -> None:
    listing = ctx.pages("ListEndpointConfigs", "EndpointConfigs", lists=ENDPOINT_CONFIG_TYPES)
    for summary in listing.items():
        name = summary["EndpointConfigName"]
        described = ctx.call("DescribeEndpointConfig", EndpointConfigName=name,
                             absent=("ValidationException",),
                             lists=ENDPOINT_CONFIG_TYPES)  # fmt: skip
        if described.failed or not described.data:
            continue  # recorded, or deleted between the listing and now
        ctx.add(ENDPOINT_CONFIG, summary["EndpointConfigArn"], name,
                endpoint_config_properties(described.data))  # fmt: skip


def endpoint_config_properties(config: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeEndpointConfig`` answer in the shape of
    ``AWS::SageMaker::EndpointConfig`` properties."""
    capture = config.get("DataCaptureConfig") or {}
    return drop_none(
        {
            "EndpointConfigName": config.get("EndpointConfigName"),
            "KmsKeyId": config.get("KmsKeyId"),
            "ProductionVariants": [
                {k: variant[k] for k in VARIANT_FIELDS if variant.get(k) is not None}
                for variant in config.get("ProductionVariants") or []
            ],
            "DataCaptureConfig": drop_none(
                {
                    "EnableCapture": capture.get("EnableCapture"),
                    "DestinationS3Uri": capture.get("DestinationS3Uri"),
                    "KmsKeyId": capture.get("KmsKeyId"),
                    "InitialSamplingPercentage": capture.get("InitialSamplingPercentage"),
                }
            )
            or None,
        }
    )


COLLECTORS = (
    Collector("sagemaker.notebook_instances", "sagemaker", REGIONAL, collect, TYPES),
    Collector(
        "sagemaker.endpoint_configs",
        "sagemaker",
        REGIONAL,
        collect_endpoint_configs,
        ENDPOINT_CONFIG_TYPES,
    ),
)
