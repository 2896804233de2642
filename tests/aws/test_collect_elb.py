"""Classic Load Balancers against moto: collected shape and the verdicts of built-in policies."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

LB = "AWS::ElasticLoadBalancing::LoadBalancer"
STRONG = "ELBSecurityPolicy-TLS-1-2-2017-01"
POLICIES = ["PAC-ELB-002", "PAC-ELB-003", "PAC-ELB-005", "PAC-ELB-007", "PAC-ELB-008",
            "PAC-ELB-009", "PAC-ELB-013"]  # fmt: skip


def make_load_balancers(aws: MotoAWS) -> str:
    certificate = aws.client("acm").request_certificate(DomainName="shop.example.com")[
        "CertificateArn"
    ]
    aws.client("s3").create_bucket(Bucket="clb-logs")
    elb = aws.client("elb")
    elb.create_load_balancer(
        LoadBalancerName="tight",
        Listeners=[{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTPS",
                    "InstancePort": 443, "SSLCertificateId": certificate}],
        AvailabilityZones=["us-east-1a", "us-east-1b"],
        Tags=[{"Key": "app", "Value": "shop"}],
    )  # fmt: skip
    elb.modify_load_balancer_attributes(
        LoadBalancerName="tight",
        LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": True},
            "AccessLog": {"Enabled": True, "S3BucketName": "clb-logs", "EmitInterval": 60},
            "ConnectionDraining": {"Enabled": True, "Timeout": 60},
        },
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="tight",
        PolicyName="tls12",
        PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[{"AttributeName": "Reference-Security-Policy", "AttributeValue": STRONG}],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="tight", LoadBalancerPort=443, PolicyNames=["tls12"]
    )
    elb.create_load_balancer(
        LoadBalancerName="loose",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=["us-east-1a"],
    )
    return certificate


def test_classic_load_balancer_in_cloudformation_shape(aws: MotoAWS) -> None:
    certificate = make_load_balancers(aws)
    snapshot, done = aws.collect("--service", "elb")
    assert done.returncode == 0, snapshot["errors"]
    balancers = resources_of(snapshot, LB)
    tight = balancers["tight"]
    assert tight["id"] == f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/tight"
    assert tight["tags"] == {"app": "shop"}
    props = tight["properties"]
    assert props["Listeners"] == [
        {
            "LoadBalancerPort": "443",
            "InstancePort": "443",
            "Protocol": "HTTPS",
            "InstanceProtocol": "HTTPS",
            "SSLCertificateId": certificate,
            "PolicyNames": ["tls12"],
        }
    ]
    assert props["CrossZone"] is True
    assert props["AccessLoggingPolicy"]["Enabled"] is True
    assert props["AccessLoggingPolicy"]["S3BucketName"] == "clb-logs"
    assert props["ConnectionDrainingPolicy"] == {"Enabled": True, "Timeout": 60}
    (policy,) = [p for p in props["Policies"] if p["PolicyName"] == "tls12"]
    assert policy["PolicyType"] == "SSLNegotiationPolicyType"
    assert {"Name": "Reference-Security-Policy", "Value": STRONG} in policy["Attributes"]
    loose = balancers["loose"]["properties"]
    assert (loose["CrossZone"], loose["AvailabilityZones"]) == (False, ["us-east-1a"])


def test_classic_load_balancer_verdicts(aws: MotoAWS) -> None:
    make_load_balancers(aws)
    verdicts = audit(aws, ["elb"], POLICIES)
    assert verdicts == {
        **{(policy, "tight"): "pass" for policy in POLICIES},
        # no TLS listener: nothing to hold to an ACM certificate (003), no SSL policy (013)
        ("PAC-ELB-003", "loose"): "pass",
        **{(p, "loose"): "fail" for p in ("PAC-ELB-002", "PAC-ELB-005", "PAC-ELB-007",
                                          "PAC-ELB-008", "PAC-ELB-009")},
    }  # fmt: skip
