"""ECR writers: scan on push, immutable image tags (``scanner.aws.ecr``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting


def _scanning(target: Target, new: Any) -> dict[str, Any]:
    return {
        "repositoryName": target.name,
        "imageScanningConfiguration": {"scanOnPush": bool((new or {}).get("ScanOnPush"))},
    }


def _mutability(target: Target, new: Any) -> dict[str, Any]:
    return {"repositoryName": target.name, "imageTagMutability": new}


WRITERS = (
    setting("AWS::ECR::Repository", "ImageTagMutability", "ecr", "PutImageTagMutability",
            _mutability, ("ecr:DescribeRepositories", "ecr:PutImageTagMutability")),
    setting("AWS::ECR::Repository", "ImageScanningConfiguration", "ecr",
            "PutImageScanningConfiguration", _scanning,
            ("ecr:DescribeRepositories", "ecr:PutImageScanningConfiguration"),
            "scan results of images pushed meanwhile are kept"),
)  # fmt: skip
