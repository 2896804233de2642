"""Every property a live collector fills is known to the resource schema index.

Policies over live snapshots read what the collectors write; the static checks (P091)
reject a property the index does not know, so a collected field missing from the index
would make a correct policy fail to compile. The index takes such fields from
docs/aws.md; this test collects a varied moto account and walks every property path.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from moto_fixtures import MotoAWS

from scanner.lang.resource_schema import known_type, properties

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _build(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="logs")
    s3.put_bucket_versioning(Bucket="logs", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(
        Bucket="logs",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
                ],
            }
        ),
    )
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=443, ToPort=443, CidrIp="0.0.0.0/0"
    )
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::logs",
    )
    ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": True}
        ],
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
    )
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True)
    iam = aws.client("iam")
    role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_user(UserName="person")
    iam.create_login_profile(UserName="person", Password="Pa55word!Pa55word")
    iam.create_access_key(UserName="person")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="person")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="person",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.update_account_password_policy(MinimumPasswordLength=14)
    aws.client("kms").create_key(Description="key")
    functions = aws.client("lambda")
    functions.create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handle",
        Code={"ZipFile": _package()},
        Environment={"Variables": {"MODE": "x"}},
    )
    functions.add_permission(
        FunctionName="fn",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceAccount="123456789012",
    )
    aws.client("cloudtrail").create_trail(Name="trail", S3BucketName="logs")
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="dbadmin",
        MasterUserPassword="Pa55word!Pa55word",
        AllocatedStorage=20,
    )


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


def _unknown_paths(tree: Any, value: Any, trail: str) -> list[str]:
    """Keys of ``value`` that ``tree`` (the index's node) does not know."""
    if not isinstance(tree, dict):
        return []
    if isinstance(value, list):
        return [p for item in value for p in _unknown_paths(tree, item, f"{trail}[*]")]
    if not isinstance(value, dict) or "$unknown" in value:
        return []
    found = []
    for key, item in value.items():
        if key in tree:
            found += _unknown_paths(tree[key], item, f"{trail}.{key}")
        else:
            found.append(f"{trail}.{key}")
    return found


def test_every_collected_property_is_in_the_index(aws: MotoAWS) -> None:
    _build(aws)
    snapshot, done = aws.collect()
    assert done.returncode == 0, snapshot["errors"]
    types = {r["type"] for r in snapshot["resources"]}
    assert {"AWS::IAM::User", "AWS::EC2::Instance", "Pacscan::IAM::RootAccount"} <= types
    assert all(known_type(t) for t in types), types
    unknown = [
        path
        for resource in snapshot["resources"]
        for path in _unknown_paths(
            properties(resource["type"]), resource["properties"], resource["type"]
        )
    ]
    assert unknown == []
