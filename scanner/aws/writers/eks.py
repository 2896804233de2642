"""EKS writer: the control plane log types of a cluster (``scanner.aws.eks``).

``UpdateClusterConfig`` gets every log type, each enabled or not, so the types the
change does not touch keep their setting.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.writers.base import Call, PropertyWriter, Target

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def _logging(target: Target, old: Any, new: Any) -> list[Call]:
    listed = ((new or {}).get("ClusterLogging") or {}).get("EnabledTypes") or []
    on = {t.get("Type") for t in listed if type(t) is dict}
    groups = [
        {"types": [t for t in LOG_TYPES if (t in on) == enabled], "enabled": enabled}
        for enabled in (True, False)
    ]
    logging = {"clusterLogging": [g for g in groups if g["types"]]}
    return [Call("eks", "UpdateClusterConfig", {"name": target.name, "logging": logging})]


WRITERS = (
    PropertyWriter("AWS::EKS::Cluster", "Logging", _logging,
                   ("eks:DescribeCluster", "eks:UpdateClusterConfig"),
                   "log events delivered to CloudWatch Logs meanwhile are kept"),
)  # fmt: skip
