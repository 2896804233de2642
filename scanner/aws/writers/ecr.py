"""ECR writer: scan on push (``scanner.aws.ecr``)."""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Target, setting


def _scanning(target: Target, new: Any) -> dict[str, Any]:
    return {
        "repositoryName": target.name,
        "imageScanningConfiguration": {"scanOnPush": bool((new or {}).get("ScanOnPush"))},
    }


WRITERS = (
    setting("AWS::ECR::Repository", "ImageScanningConfiguration", "ecr",
            "PutImageScanningConfiguration", _scanning,
            ("ecr:DescribeRepositories", "ecr:PutImageScanningConfiguration"),
            "scan results of images pushed meanwhile are kept"),
)  # fmt: skip
