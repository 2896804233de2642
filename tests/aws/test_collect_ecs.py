"""ECS clusters, services and task definitions against moto: shape, redaction and verdicts."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import policy_args

TASK_POLICIES = ["PAC-ECS-001", "PAC-ECS-003", "PAC-ECS-004", "PAC-ECS-005", "PAC-ECS-006",
                 "PAC-ECS-007"]  # fmt: skip
POLICIES = [*TASK_POLICIES, "PAC-ECS-002", "PAC-ECS-008", "PAC-ECS-009"]
SECRET = "AKIA-not-a-real-secret-value"
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}


def make_ecs(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="watched", settings=[{"name": "containerInsights",
                                                         "value": "enabled"}])  # fmt: skip
    ecs.create_cluster(clusterName="dark")
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx", "user": "1000",
                               "readonlyRootFilesystem": True, "logConfiguration": LOGS,
                               "environment": [{"name": "MODE", "value": "prod"}]}],
    )  # fmt: skip
    ecs.register_task_definition(
        family="agent",
        networkMode="host",
        pidMode="host",
        containerDefinitions=[{"name": "agent", "image": "agent", "memory": 128,
                               "privileged": True,
                               "environment": [{"name": "AWS_SECRET_ACCESS_KEY",
                                                "value": SECRET}]}],
    )  # fmt: skip
    for name, cluster, public, platform in (("web", "watched", "DISABLED", "LATEST"),
                                            ("exposed", "dark", "ENABLED", "1.3.0")):  # fmt: skip
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition="web",
            desiredCount=1,
            launchType="FARGATE",
            platformVersion=platform,
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet],
                                                          "securityGroups": [group],
                                                          "assignPublicIp": public}},
        )  # fmt: skip


def test_ecs_resources_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_ecs(aws)
    snapshot, done = aws.collect("--service", "ecs")
    assert done.returncode == 0, snapshot["errors"]
    assert SECRET not in (aws.tmp / "snapshot.json").read_text()
    tasks = resources_of(snapshot, "AWS::ECS::TaskDefinition")
    assert sorted(tasks) == ["agent:1", "web:1"]
    assert tasks["web:1"]["id"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:1"
    (web,) = tasks["web:1"]["properties"]["ContainerDefinitions"]
    assert web["LogConfiguration"] == {"LogDriver": "awslogs",
                                       "Options": {"awslogs-group": "/ecs/web"}}  # fmt: skip
    assert (web["User"], web["ReadonlyRootFilesystem"]) == ("1000", True)
    assert web["Environment"][0]["Name"] == "MODE"
    assert "$unknown" in web["Environment"][0]["Value"]
    agent = tasks["agent:1"]["properties"]
    assert (agent["NetworkMode"], agent["PidMode"]) == ("host", "host")
    clusters = resources_of(snapshot, "AWS::ECS::Cluster")
    assert clusters["watched"]["properties"]["ClusterSettings"] == [
        {"Name": "containerInsights", "Value": "enabled"}
    ]
    services = resources_of(snapshot, "AWS::ECS::Service")
    exposed = services["exposed"]["properties"]
    assert exposed["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    assert (exposed["LaunchType"], exposed["PlatformVersion"]) == ("FARGATE", "1.3.0")


def ecs_audit(aws: MotoAWS) -> dict[tuple[str, str], str]:
    """Verdicts by (policy, last part of the ARN): ``web:1`` keeps its revision."""
    done = aws.pacscan("audit", "--quiet", "--no-config", "--format", "json",
                       "--include-passed", "--service", "ecs", *policy_args(POLICIES))  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    return {
        (f["policy_id"], f["resource"]["id"].rsplit("/", 1)[-1]): f["status"]
        for f in report["findings"]
        if f["status"] != "skip"
    }


def test_ecs_verdicts(aws: MotoAWS) -> None:
    make_ecs(aws)
    verdicts = ecs_audit(aws)
    assert verdicts == {
        # PAC-ECS-001 applies to host networking only
        **{(p, "web:1"): "pass" for p in TASK_POLICIES if p != "PAC-ECS-001"},
        **{(p, "agent:1"): "fail" for p in TASK_POLICIES if p != "PAC-ECS-001"},
        # the agent is privileged, so not a plain root user on the host network
        ("PAC-ECS-001", "agent:1"): "pass",
        ("PAC-ECS-002", "web"): "pass",
        ("PAC-ECS-002", "exposed"): "fail",
        ("PAC-ECS-008", "web"): "pass",
        ("PAC-ECS-008", "exposed"): "fail",
        ("PAC-ECS-009", "watched"): "pass",
        ("PAC-ECS-009", "dark"): "fail",
    }
