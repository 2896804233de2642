"""Launch configurations, DMS replication instances and SageMaker notebook instances
against moto: collected shape and built-in verdicts."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit, name_of

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service"


def test_launch_configurations(aws: MotoAWS) -> None:
    autoscaling = aws.client("autoscaling")
    encrypted = {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="private", ImageId="ami-12c6146b", InstanceType="t3.micro",
        AssociatePublicIpAddress=False,
        BlockDeviceMappings=[encrypted],
    )  # fmt: skip
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="public", ImageId="ami-12c6146b", InstanceType="t3.micro",
        AssociatePublicIpAddress=True,
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "autoscaling")
    assert done.returncode == 0, snapshot["errors"]
    configs = resources_of(snapshot, "AWS::AutoScaling::LaunchConfiguration")
    assert configs["private"]["properties"]["AssociatePublicIpAddress"] is False
    assert configs["public"]["properties"]["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": False}}
    ]
    names = {name_of(r["id"]): n for n, r in configs.items()}
    verdicts = audit(aws, ["autoscaling"], ["PAC-AUTOSCALING-001"])
    assert {(p, names[r]): s for (p, r), s in verdicts.items()} == {
        ("PAC-AUTOSCALING-001", "private"): "pass",
        ("PAC-AUTOSCALING-001", "public"): "fail",
    }


def test_dms_replication_instances(aws: MotoAWS) -> None:
    dms = aws.client("dms")
    for name, public in (("private", False), ("public", True)):
        dms.create_replication_instance(ReplicationInstanceIdentifier=name,
                                        ReplicationInstanceClass="dms.t3.medium",
                                        PubliclyAccessible=public)  # fmt: skip
    snapshot, done = aws.collect("--service", "dms")
    assert done.returncode == 0, snapshot["errors"]
    instances = resources_of(snapshot, "AWS::DMS::ReplicationInstance")
    assert instances["private"]["properties"]["PubliclyAccessible"] is False
    assert instances["public"]["properties"]["ReplicationInstanceClass"] == "dms.t3.medium"
    names = {name_of(r["id"]): n for n, r in instances.items()}
    verdicts = audit(aws, ["dms"], ["PAC-DMS-001"])
    assert {(p, names[r]): s for (p, r), s in verdicts.items()} == {
        ("PAC-DMS-001", "private"): "pass",
        ("PAC-DMS-001", "public"): "fail",
    }


def test_sagemaker_notebook_instances(aws: MotoAWS) -> None:
    sagemaker = aws.client("sagemaker")
    for name, access in (("closed", "Disabled"), ("open", "Enabled")):
        sagemaker.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium",
                                           RoleArn=ROLE, DirectInternetAccess=access)  # fmt: skip
    snapshot, done = aws.collect("--service", "sagemaker")
    assert done.returncode == 0, snapshot["errors"]
    notebooks = resources_of(snapshot, "AWS::SageMaker::NotebookInstance")
    assert notebooks["closed"]["properties"]["DirectInternetAccess"] == "Disabled"
    assert notebooks["open"]["properties"]["RoleArn"] == ROLE
    assert audit(aws, ["sagemaker"], ["PAC-SAGEMAKER-001"]) == {
        ("PAC-SAGEMAKER-001", "closed"): "pass",
        ("PAC-SAGEMAKER-001", "open"): "fail",
    }
