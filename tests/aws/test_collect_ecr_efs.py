"""ECR repositories and EFS file systems against moto: collected shape and built-in verdicts."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan",
                              "countNumber": 5},
                "action": {"type": "expire"},
            }
        ]
    }
)  # fmt: skip
PULL_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": ["ecr:BatchGetImage"],
        }
    ],
}


def make_repositories(aws: MotoAWS) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(
        repositoryName="app",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/images"},
        tags=[{"Key": "team", "Value": "web"}],
    )
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=LIFECYCLE)
    ecr.set_repository_policy(repositoryName="app", policyText=json.dumps(PULL_ONLY))
    ecr.create_repository(repositoryName="scratch")


def test_repository_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    make_repositories(aws)
    snapshot, done = aws.collect("--service", "ecr")
    assert done.returncode == 0, snapshot["errors"]
    repositories = resources_of(snapshot, "AWS::ECR::Repository")
    app = repositories["app"]
    assert app["id"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app"
    props = app["properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert props["EncryptionConfiguration"]["EncryptionType"] == "KMS"
    assert json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"]) == json.loads(LIFECYCLE)
    assert props["LifecyclePolicy"]["RegistryId"] == ACCOUNT
    assert props["RepositoryPolicyText"] == PULL_ONLY
    assert props["Tags"] == [{"Key": "team", "Value": "web"}]
    scratch = repositories["scratch"]["properties"]
    assert scratch["ImageTagMutability"] == "MUTABLE"
    assert scratch["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert "LifecyclePolicy" not in scratch
    assert "RepositoryPolicyText" not in scratch


def test_repository_verdicts(aws: MotoAWS) -> None:
    make_repositories(aws)
    policies = ["PAC-ECR-001", "PAC-ECR-002", "PAC-ECR-003"]
    assert audit(aws, ["ecr"], policies) == {
        **{(policy, "app"): "pass" for policy in policies},
        **{(policy, "scratch"): "fail" for policy in policies},
    }


def make_file_systems(aws: MotoAWS) -> dict[str, str]:
    efs = aws.client("efs")
    sealed = efs.create_file_system(
        CreationToken="sealed", Encrypted=True, Backup=True, Tags=[{"Key": "Name", "Value": "home"}]
    )["FileSystemId"]
    bare = efs.create_file_system(CreationToken="bare")["FileSystemId"]
    return {"sealed": sealed, "bare": bare}


def test_file_system_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    ids = make_file_systems(aws)
    snapshot, done = aws.collect("--service", "efs")
    assert done.returncode == 0, snapshot["errors"]
    systems = resources_of(snapshot, "AWS::EFS::FileSystem")
    sealed = systems[ids["sealed"]]
    assert sealed["id"] == (
        f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/{ids['sealed']}"
    )
    assert sealed["tags"] == {"Name": "home"}
    assert sealed["properties"]["Encrypted"] is True
    assert sealed["properties"]["BackupPolicy"] == {"Status": "ENABLED"}
    bare = systems[ids["bare"]]["properties"]
    assert (bare["Encrypted"], bare["BackupPolicy"]) == (False, {"Status": "DISABLED"})
    assert bare["PerformanceMode"] == "generalPurpose"


def test_file_system_verdicts(aws: MotoAWS) -> None:
    ids = make_file_systems(aws)
    policies = ["PAC-EFS-001", "PAC-EFS-004"]
    assert audit(aws, ["efs"], policies) == {
        **{(policy, ids["sealed"]): "pass" for policy in policies},
        **{(policy, ids["bare"]): "fail" for policy in policies},
    }


def make_access_points(aws: MotoAWS) -> dict[str, str]:
    efs = aws.client("efs")
    system = efs.create_file_system(CreationToken="shared", Encrypted=True)["FileSystemId"]
    scoped = efs.create_access_point(
        FileSystemId=system,
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={
            "Path": "/app",
            "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "750"},
        },
        Tags=[{"Key": "Name", "Value": "app"}],
    )["AccessPointId"]
    whole = efs.create_access_point(FileSystemId=system)["AccessPointId"]
    return {"scoped": scoped, "whole": whole, "system": system}


def test_access_points_in_cloudformation_shape(aws: MotoAWS) -> None:
    ids = make_access_points(aws)
    snapshot, done = aws.collect("--service", "efs")
    assert done.returncode == 0, snapshot["errors"]
    points = resources_of(snapshot, "AWS::EFS::AccessPoint")
    scoped = points[ids["scoped"]]
    assert scoped["id"].startswith(f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/")
    assert scoped["properties"] == {
        "FileSystemId": ids["system"],
        "PosixUser": {"Uid": "1000", "Gid": "1000"},
        "RootDirectory": {
            "Path": "/app",
            "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"},
        },
        "AccessPointTags": [{"Key": "Name", "Value": "app"}],
    }


def test_access_point_verdicts(aws: MotoAWS) -> None:
    ids = make_access_points(aws)
    policies = ["PAC-EFS-002", "PAC-EFS-003"]
    assert audit(aws, ["efs"], policies) == {
        **{(policy, ids["scoped"]): "pass" for policy in policies},
        **{(policy, ids["whole"]): "fail" for policy in policies},
    }


def test_mount_targets_make_their_subnets_checked(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    # one mount target per zone: each subnet in its own zone (moto picks one at random)
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone=zones[0])
    public = public["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.2.0/24", AvailabilityZone=zones[1])
    private = private["Subnet"]["SubnetId"]
    unused = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.3.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=unused, MapPublicIpOnLaunch={"Value": True})
    efs = aws.client("efs")
    system = efs.create_file_system(CreationToken="shared", Encrypted=True)["FileSystemId"]
    for subnet in (public, private):
        efs.create_mount_target(FileSystemId=system, SubnetId=subnet)
    snapshot, done = aws.collect("--service", "efs")
    assert done.returncode == 0, snapshot["errors"]
    targets = resources_of(snapshot, "AWS::EFS::MountTarget")
    subnets = sorted(t["properties"]["SubnetId"] for t in targets.values())
    assert subnets == sorted([public, private])
    verdicts = audit(aws, ["efs", "ec2"], ["PAC-EFS-005"])
    # only subnets holding a mount target are judged; moto's default subnets hold none
    assert verdicts == {("PAC-EFS-005", public): "fail", ("PAC-EFS-005", private): "pass"}
