"""ECS: clusters, their services, and the active task definitions.

Container environment variable *values* never reach a snapshot: each is stored as an
unknown marker, so the names stay visible to policies while secrets stay out of the file
(as for Lambda functions). Container definitions are renamed field by field into
CloudFormation's ``ContainerDefinitions`` shape; option maps (log driver options, Docker
labels) keep their own keys.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, tag_map, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY

CLUSTER = "AWS::ECS::Cluster"
SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
TYPES = (CLUSTER, SERVICE, TASK_DEFINITION)
REDACTED = {UNKNOWN_KEY: "redacted: environment variable values are not collected"}
DESCRIBE_BATCH = 10  # DescribeServices takes at most 10 services
CONTAINER_FIELDS = {
    "name": "Name",
    "image": "Image",
    "user": "User",
    "privileged": "Privileged",
    "readonlyRootFilesystem": "ReadonlyRootFilesystem",
    "essential": "Essential",
    "cpu": "Cpu",
    "memory": "Memory",
    "memoryReservation": "MemoryReservation",
    "workingDirectory": "WorkingDirectory",
    "entryPoint": "EntryPoint",
    "command": "Command",
}
TASK_FIELDS = {
    "family": "Family",
    "networkMode": "NetworkMode",
    "pidMode": "PidMode",
    "ipcMode": "IpcMode",
    "cpu": "Cpu",
    "memory": "Memory",
    "requiresCompatibilities": "RequiresCompatibilities",
    "executionRoleArn": "ExecutionRoleArn",
    "taskRoleArn": "TaskRoleArn",
}


def collect(ctx: CollectContext) -> None:
    arns = ctx.pages("ListClusters", "clusterArns", lists=(CLUSTER, SERVICE)).items()
    for start in range(0, len(arns), DESCRIBE_BATCH):
        answer = ctx.call(
            "DescribeClusters",
            clusters=arns[start : start + DESCRIBE_BATCH],
            include=["SETTINGS", "TAGS"],
            lists=(CLUSTER,),
        )
        for cluster in (answer.data or {}).get("clusters") or []:
            _collect_cluster(ctx, cluster)
    for cluster_arn in arns:
        _collect_services(ctx, cluster_arn)
    listing = ctx.pages(
        "ListTaskDefinitions", "taskDefinitionArns", status="ACTIVE", lists=(TASK_DEFINITION,)
    )
    for task_arn in listing.items():
        _collect_task_definition(ctx, task_arn)


def _collect_cluster(ctx: CollectContext, cluster: dict[str, Any]) -> None:
    tags = tag_map(cluster.get("tags"), "key", "value")
    props: dict[str, Any] = {
        "ClusterName": cluster.get("clusterName"),
        "ClusterSettings": [
            {"Name": s.get("name"), "Value": s.get("value")} for s in cluster.get("settings") or []
        ],
    }
    ctx.add(CLUSTER, cluster["clusterArn"], cluster.get("clusterName"), with_tags(props, tags),
            tags=tags)  # fmt: skip


def _collect_services(ctx: CollectContext, cluster_arn: str) -> None:
    arns = ctx.pages("ListServices", "serviceArns", cluster=cluster_arn, lists=(SERVICE,)).items()
    for start in range(0, len(arns), DESCRIBE_BATCH):
        answer = ctx.call(
            "DescribeServices",
            cluster=cluster_arn,
            services=arns[start : start + DESCRIBE_BATCH],
            include=["TAGS"],
            lists=(SERVICE,),
        )
        for service in (answer.data or {}).get("services") or []:
            tags = tag_map(service.get("tags"), "key", "value")
            props = with_tags(service_properties(service), tags)
            ctx.add(SERVICE, service["serviceArn"], service.get("serviceName"), props, tags=tags)


def service_properties(service: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeServices`` entry in the shape of ``AWS::ECS::Service``."""
    props: dict[str, Any] = drop_none(
        {
            "ServiceName": service.get("serviceName"),
            "Cluster": service.get("clusterArn"),
            "TaskDefinition": service.get("taskDefinition"),
            "LaunchType": service.get("launchType"),
            "PlatformVersion": service.get("platformVersion"),
            "DesiredCount": service.get("desiredCount"),
            "EnableExecuteCommand": service.get("enableExecuteCommand"),
            "PropagateTags": service.get("propagateTags"),
        }
    )
    vpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if vpc:
        props["NetworkConfiguration"] = {
            "AwsvpcConfiguration": drop_none(
                {
                    "AssignPublicIp": vpc.get("assignPublicIp"),
                    "Subnets": vpc.get("subnets"),
                    "SecurityGroups": vpc.get("securityGroups"),
                }
            )
        }
    return props


def _collect_task_definition(ctx: CollectContext, task_arn: str) -> None:
    answer = ctx.call(
        "DescribeTaskDefinition", taskDefinition=task_arn, include=["TAGS"],
        lists=(TASK_DEFINITION,),
    )  # fmt: skip
    task = (answer.data or {}).get("taskDefinition")
    if answer.failed or not task:
        return
    tags = tag_map((answer.data or {}).get("tags"), "key", "value")
    props = with_tags(task_definition_properties(task), tags)
    name = f"{task.get('family')}:{task.get('revision')}"
    ctx.add(TASK_DEFINITION, task_arn, name, props, tags=tags)


def task_definition_properties(task: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeTaskDefinition`` answer in the shape of ``AWS::ECS::TaskDefinition``."""
    props: dict[str, Any] = {
        cfn: task[api] for api, cfn in TASK_FIELDS.items() if task.get(api) is not None
    }
    props["ContainerDefinitions"] = [_container(c) for c in task.get("containerDefinitions") or []]
    return props


def _container(container: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        cfn: container[api] for api, cfn in CONTAINER_FIELDS.items() if api in container
    }
    if container.get("environment"):
        shaped["Environment"] = [
            {"Name": v.get("name"), "Value": dict(REDACTED)} for v in container["environment"]
        ]
    if container.get("secrets"):
        shaped["Secrets"] = [
            {"Name": s.get("name"), "ValueFrom": s.get("valueFrom")} for s in container["secrets"]
        ]
    log = container.get("logConfiguration")
    if log:
        shaped["LogConfiguration"] = drop_none(
            {"LogDriver": log.get("logDriver"), "Options": log.get("options")}
        )
    if container.get("portMappings"):
        shaped["PortMappings"] = [
            drop_none(
                {
                    "ContainerPort": p.get("containerPort"),
                    "HostPort": p.get("hostPort"),
                    "Protocol": p.get("protocol"),
                }
            )
            for p in container["portMappings"]
        ]
    return shaped


COLLECTORS = (Collector("ecs.resources", "ecs", REGIONAL, collect, TYPES),)
