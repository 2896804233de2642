"""RDS: DB parameter groups and DB cluster parameter groups, with the parameters set in
them.

``Parameters`` holds what a template's ``Parameters`` would: the parameters whose source
is ``user`` (set in the group), by name; a parameter left at the engine's default is
absent, as it is from a template. The parameters are read one group at a time; when that
read fails, ``Parameters`` is unknown. ``DescribeDBClusterParameterGroups`` also answers
Neptune and DocumentDB groups, which have their own CloudFormation types; they are left
out.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill

GROUP = "AWS::RDS::DBParameterGroup"
CLUSTER_GROUP = "AWS::RDS::DBClusterParameterGroup"
TYPES = (GROUP, CLUSTER_GROUP)
OTHER_FAMILIES = ("neptune", "docdb")


def collect(ctx: CollectContext) -> None:
    groups = ctx.pages("DescribeDBParameterGroups", "DBParameterGroups", lists=(GROUP,))
    for group in groups.items():
        name = group["DBParameterGroupName"]
        props = _group_properties(group, "DBParameterGroupName")
        parameters = ctx.pages("DescribeDBParameters", "Parameters",
                               DBParameterGroupName=name, Source="user")  # fmt: skip
        fill(props, "Parameters", parameters, parameter_map)
        ctx.add(GROUP, group["DBParameterGroupArn"], name, props)
    clusters = ctx.pages("DescribeDBClusterParameterGroups", "DBClusterParameterGroups",
                         lists=(CLUSTER_GROUP,))  # fmt: skip
    for group in clusters.items():
        if str(group.get("DBParameterGroupFamily", "")).lower().startswith(OTHER_FAMILIES):
            continue
        name = group["DBClusterParameterGroupName"]
        props = _group_properties(group, "DBClusterParameterGroupName")
        parameters = ctx.pages("DescribeDBClusterParameters", "Parameters",
                               DBClusterParameterGroupName=name, Source="user")  # fmt: skip
        fill(props, "Parameters", parameters, parameter_map)
        ctx.add(CLUSTER_GROUP, group["DBClusterParameterGroupArn"], name, props)


def _group_properties(group: dict[str, Any], name_key: str) -> dict[str, Any]:
    props = {name_key: group[name_key], "Family": group.get("DBParameterGroupFamily")}
    if group.get("Description") is not None:
        props["Description"] = group["Description"]
    return props


def parameter_map(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """``[{"ParameterName": n, "ParameterValue": v}]`` → ``{n: v}``; a parameter without
    a value is left out."""
    return {
        str(p["ParameterName"]): p["ParameterValue"]
        for p in parameters
        if "ParameterName" in p and p.get("ParameterValue") is not None
    }


COLLECTORS = (Collector("rds.parameter_groups", "rds", REGIONAL, collect, TYPES),)
