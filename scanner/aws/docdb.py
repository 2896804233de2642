"""DocumentDB: cluster parameter groups, with the parameters set in them.

DocumentDB answers ``DescribeDBClusterParameterGroups`` from the RDS API, which lists
every engine's groups; only those of a ``docdb`` family are kept. ``Parameters`` holds
the parameters whose source is ``user``, as for RDS groups (see
``scanner.aws.rds_parameter_groups``). DocumentDB clusters themselves are not collected.
"""

from __future__ import annotations

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.rds_parameter_groups import parameter_map

CLUSTER_GROUP = "AWS::DocDB::DBClusterParameterGroup"
TYPES = (CLUSTER_GROUP,)


def collect(ctx: CollectContext) -> None:
    groups = ctx.pages("DescribeDBClusterParameterGroups", "DBClusterParameterGroups",
                       lists=TYPES)  # fmt: skip
    for group in groups.items():
        if not str(group.get("DBParameterGroupFamily", "")).lower().startswith("docdb"):
            continue
        name = group["DBClusterParameterGroupName"]
        props = {"Name": name, "Family": group.get("DBParameterGroupFamily")}
        if group.get("Description") is not None:
            props["Description"] = group["Description"]
        parameters = ctx.pages("DescribeDBClusterParameters", "Parameters",
                               DBClusterParameterGroupName=name, Source="user")  # fmt: skip
        fill(props, "Parameters", parameters, parameter_map)
        ctx.add(CLUSTER_GROUP, group["DBClusterParameterGroupArn"], name, props)


COLLECTORS = (Collector("docdb.cluster_parameter_groups", "docdb", REGIONAL, collect, TYPES),)
