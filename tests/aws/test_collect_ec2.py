"""EC2 instances, volumes, EBS defaults, VPCs, flow logs and security groups, against moto."""

from __future__ import annotations

from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of

AMI = "ami-12c6146b"


def make_network(aws: MotoAWS) -> dict[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "main"}])
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
    prefix_list = ec2.create_managed_prefix_list(
        PrefixListName="office", AddressFamily="IPv4", MaxEntries=5
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anyone"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": prefix_list}],
            },
        ],
    )
    return {"vpc": vpc, "subnet": subnet, "web": web, "prefix_list": prefix_list}


def test_security_group_rules_are_flattened(aws: MotoAWS) -> None:
    net = make_network(aws)
    snapshot, done = aws.collect("--service", "ec2")
    assert done.returncode == 0, snapshot["errors"]
    group = resources_of(snapshot, "AWS::EC2::SecurityGroup")[net["web"]]
    assert group["id"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{net['web']}"
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    assert group["properties"] == {
        "GroupName": "web",
        "GroupDescription": "web tier",
        "VpcId": net["vpc"],
        "SecurityGroupIngress": [
            {**ssh, "CidrIp": "0.0.0.0/0", "Description": "anyone"},
            {**ssh, "CidrIpv6": "::/0"},
            {**https, "SourcePrefixListId": net["prefix_list"]},
        ],
        "SecurityGroupEgress": [
            {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIp": "0.0.0.0/0"}
        ],
    }


def test_vpc_and_its_flow_log(aws: MotoAWS) -> None:
    net = make_network(aws)
    aws.client("s3").create_bucket(Bucket="flow-log-bucket")
    aws.client("ec2").create_flow_logs(
        ResourceIds=[net["vpc"]],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-log-bucket",
    )
    snapshot, _ = aws.collect("--service", "ec2")
    vpc = resources_of(snapshot, "AWS::EC2::VPC")[net["vpc"]]
    assert vpc["properties"] == {
        "CidrBlock": "10.0.0.0/16",
        "InstanceTenancy": "default",
        "EnableDnsSupport": True,
        "EnableDnsHostnames": False,
        "Tags": [{"Key": "Name", "Value": "main"}],
    }
    [flow_log] = resources_of(snapshot, "AWS::EC2::FlowLog").values()
    assert flow_log["properties"] == {
        "ResourceId": net["vpc"],
        "ResourceType": "VPC",
        "TrafficType": "REJECT",
        "LogDestinationType": "s3",
        "LogDestination": "arn:aws:s3:::flow-log-bucket",
        "MaxAggregationInterval": 600,
        "LogFormat": flow_log["properties"]["LogFormat"],
    }


def launch(aws: MotoAWS, net: dict[str, str], **kw: Any) -> str:
    answer = aws.client("ec2").run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", **kw
    )
    return str(answer["Instances"][0]["InstanceId"])


def test_instance_metadata_options_public_address_and_ebs(aws: MotoAWS) -> None:
    net = make_network(aws)
    ec2 = aws.client("ec2")
    ec2.enable_ebs_encryption_by_default()
    instance = launch(
        aws,
        net,
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
        # moto does not apply EBS default encryption at launch: ask for it
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 8}}
        ],
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": net["subnet"],
                "Groups": [net["web"]],
                "AssociatePublicIpAddress": True,
            }
        ],
    )
    snapshot, _ = aws.collect("--service", "ec2")
    props = resources_of(snapshot, "AWS::EC2::Instance")[instance]["properties"]
    assert props["MetadataOptions"]["HttpTokens"] == "required"
    assert props["MetadataOptions"]["HttpPutResponseHopLimit"] == 2
    [interface] = props["NetworkInterfaces"]
    assert interface["AssociatePublicIpAddress"] is True
    assert (interface["DeviceIndex"], interface["GroupSet"]) == ("0", [net["web"]])
    [mapping] = props["BlockDeviceMappings"]
    [volume] = props["Volumes"]
    assert mapping["Ebs"]["Encrypted"] is True
    assert volume["Device"] == mapping["DeviceName"]
    volumes = resources_of(snapshot, "AWS::EC2::Volume")
    assert volumes[volume["VolumeId"]]["properties"]["Encrypted"] is True
    [default] = resources_of(snapshot, "Pacscan::EC2::EbsEncryptionByDefault").values()
    assert default["properties"] == {"Enabled": True}
    assert default["region"] == "us-east-1"


def test_instance_without_imdsv2_or_public_address(aws: MotoAWS) -> None:
    net = make_network(aws)
    instance = launch(aws, net, SubnetId=net["subnet"], SecurityGroupIds=[net["web"]])
    snapshot, _ = aws.collect("--service", "ec2")
    props = resources_of(snapshot, "AWS::EC2::Instance")[instance]["properties"]
    assert props["MetadataOptions"]["HttpTokens"] == "optional"
    assert (props["SecurityGroupIds"], props["SubnetId"]) == ([net["web"]], net["subnet"])
    assert [i["AssociatePublicIpAddress"] for i in props["NetworkInterfaces"]] == [False]
    assert [m["Ebs"]["Encrypted"] for m in props["BlockDeviceMappings"]] == [False]
    [default] = resources_of(snapshot, "Pacscan::EC2::EbsEncryptionByDefault").values()
    assert default["properties"] == {"Enabled": False}


def test_terminated_instances_are_left_out(aws: MotoAWS) -> None:
    net = make_network(aws)
    gone = launch(aws, net, SubnetId=net["subnet"])
    kept = launch(aws, net, SubnetId=net["subnet"])
    aws.client("ec2").terminate_instances(InstanceIds=[gone])
    snapshot, _ = aws.collect("--service", "ec2")
    assert list(resources_of(snapshot, "AWS::EC2::Instance")) == [kept]
