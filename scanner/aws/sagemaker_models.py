"""SageMaker: models, with their network isolation and VPC settings.

``ListModels`` names the models; ``DescribeModel`` gives each one's settings. When that
call fails the model is still collected, its ``EnableNetworkIsolation`` unknown.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none

TYPE = "AWS::SageMaker::Model"
TYPES = (TYPE,)


def collect(ctx: CollectContext) -> None:
    for summary in ctx.pages("ListModels", "Models", lists=TYPES).items():
        name = summary["ModelName"]
        described = ctx.call("DescribeModel", ModelName=name, absent=("ValidationException",))
        if not described.failed and described.data is None:
            continue  # deleted between the listing and now
        props: dict[str, Any] = {"ModelName": name}
        if described.failed:
            props["EnableNetworkIsolation"] = described.unknown()
        else:
            props.update(model_properties(described.data))
        ctx.add(TYPE, summary["ModelArn"], name, props)


def model_properties(model: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeModel`` answer as ``AWS::SageMaker::Model`` properties."""
    vpc = model.get("VpcConfig") or {}
    return drop_none(
        {
            "ModelName": model.get("ModelName"),
            "ExecutionRoleArn": model.get("ExecutionRoleArn"),
            "EnableNetworkIsolation": model.get("EnableNetworkIsolation"),
            "VpcConfig": drop_none(
                {"SecurityGroupIds": vpc.get("SecurityGroupIds"), "Subnets": vpc.get("Subnets")}
            )
            or None,
        }
    )


COLLECTORS = (Collector("sagemaker.models", "sagemaker", REGIONAL, collect, TYPES),)
