"""Subnets, network ACL entries, transit gateways and launch templates against moto:
collected shape and the verdicts of the built-in policies."""

from __future__ import annotations

import base64
import json

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import policy_args

SECRET = "export DB_PASSWORD=hunter2-not-for-snapshots"
POLICIES = ["PAC-EC2-011", "PAC-EC2-012", "PAC-EC2-013", "PAC-EC2-014", "PAC-EC2-015"]


def make_network(aws: MotoAWS) -> dict[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.2.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for rule, port in ((100, 443), (110, 22)):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=rule, Protocol="6",
                                     RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": port, "To": port})  # fmt: skip
    closed = ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "disable"})
    opened = ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "enable"})
    hardened = ec2.create_launch_template(
        LaunchTemplateName="hardened",
        LaunchTemplateData={"MetadataOptions": {"HttpTokens": "required"},
                            "UserData": base64.b64encode(SECRET.encode()).decode()},
    )  # fmt: skip
    exposed = ec2.create_launch_template(
        LaunchTemplateName="exposed",
        LaunchTemplateData={"NetworkInterfaces": [{"DeviceIndex": 0,
                                                   "AssociatePublicIpAddress": True}]},
    )  # fmt: skip
    return {
        "private": private,
        "public": public,
        "acl": acl,
        "closed": closed["TransitGateway"]["TransitGatewayId"],
        "opened": opened["TransitGateway"]["TransitGatewayId"],
        "hardened": hardened["LaunchTemplate"]["LaunchTemplateId"],
        "exposed": exposed["LaunchTemplate"]["LaunchTemplateId"],
    }


def test_network_resources_in_cloudformation_shape(aws: MotoAWS) -> None:
    ids = make_network(aws)
    snapshot, done = aws.collect("--service", "ec2")
    assert done.returncode == 0, snapshot["errors"]
    assert "hunter2" not in (aws.tmp / "snapshot.json").read_text()
    subnets = resources_of(snapshot, "AWS::EC2::Subnet")
    assert subnets[ids["public"]]["properties"]["MapPublicIpOnLaunch"] is True
    assert subnets[ids["private"]]["properties"]["MapPublicIpOnLaunch"] is False
    entries = resources_of(snapshot, "AWS::EC2::NetworkAclEntry")
    ssh = entries[f"{ids['acl']}/ingress/110"]
    assert ssh["id"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-acl/{ids['acl']}#ingress/110"
    assert ssh["properties"] == {
        "NetworkAclId": ids["acl"],
        "RuleNumber": 110,
        "Protocol": 6,
        "RuleAction": "allow",
        "Egress": False,
        "CidrBlock": "0.0.0.0/0",
        "PortRange": {"From": 22, "To": 22},
    }
    gateways = resources_of(snapshot, "AWS::EC2::TransitGateway")
    assert gateways[ids["opened"]]["properties"]["AutoAcceptSharedAttachments"] == "enable"
    templates = resources_of(snapshot, "AWS::EC2::LaunchTemplate")
    data = templates["hardened"]["properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert "$unknown" in data["UserData"]


def ec2_audit(aws: MotoAWS) -> dict[tuple[str, str], str]:
    """Verdicts by (policy, ARN resource part): moto's default VPC brings ACLs with the
    same rule numbers, so the last segments alone would collide."""
    done = aws.pacscan("audit", "--quiet", "--no-config", "--format", "json",
                       "--include-passed", "--service", "ec2", *policy_args(POLICIES))  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    return {
        (f["policy_id"], f["resource"]["id"].rsplit(":", 1)[-1]): f["status"]
        for f in report["findings"]
        if f["status"] != "skip"
    }


def test_network_verdicts(aws: MotoAWS) -> None:
    ids = make_network(aws)
    acl = f"network-acl/{ids['acl']}#ingress"
    private, public = f"subnet/{ids['private']}", f"subnet/{ids['public']}"
    closed, opened = f"transit-gateway/{ids['closed']}", f"transit-gateway/{ids['opened']}"
    hardened = f"launch-template/{ids['hardened']}"
    exposed = f"launch-template/{ids['exposed']}"
    mine = {private, public, closed, opened, hardened, exposed, f"{acl}/100", f"{acl}/110"}
    verdicts = {k: v for k, v in ec2_audit(aws).items() if k[1] in mine}
    assert verdicts == {
        ("PAC-EC2-011", private): "pass",
        ("PAC-EC2-011", public): "fail",
        ("PAC-EC2-012", f"{acl}/100"): "pass",
        ("PAC-EC2-012", f"{acl}/110"): "fail",
        ("PAC-EC2-013", closed): "pass",
        ("PAC-EC2-013", opened): "fail",
        ("PAC-EC2-014", hardened): "pass",
        ("PAC-EC2-014", exposed): "fail",
        ("PAC-EC2-015", hardened): "pass",
        ("PAC-EC2-015", exposed): "fail",
    }
