"""Application and network load balancers with listeners against moto: shape and verdicts."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

from scanner.aws.elbv2 import listener_properties

LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
HARDENED = {
    "routing.http.drop_invalid_header_fields.enabled": "true",
    "deletion_protection.enabled": "true",
    "access_logs.s3.enabled": "true",
    "access_logs.s3.bucket": "lb-logs",
    "routing.http.desync_mitigation_mode": "strictest",
}
POLICIES = ["PAC-ELB-001", "PAC-ELB-004", "PAC-ELB-005", "PAC-ELB-006", "PAC-ELB-010",
            "PAC-ELB-011", "PAC-ELB-012"]  # fmt: skip


def make_load_balancers(aws: MotoAWS) -> dict[str, str]:
    """Two load balancers and four listeners; their ids (the last part of the ARN) by name."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    aws.client("s3").create_bucket(Bucket="lb-logs")
    elb = aws.client("elbv2")
    strong = elb.create_load_balancer(
        Name="strong",
        Subnets=subnets,
        Scheme="internet-facing",
        Tags=[{"Key": "app", "Value": "shop"}],
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=strong,
        Attributes=[{"Key": k, "Value": v} for k, v in HARDENED.items()],
    )
    weak = elb.create_load_balancer(Name="weak", Subnets=subnets[:1])["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=weak,
        Attributes=[{"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}],
    )
    certificate = aws.client("acm").request_certificate(DomainName="shop.example.com")[
        "CertificateArn"
    ]
    group = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    redirect = [
        {
            "Type": "redirect",
            "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
        }
    ]
    ids = {"strong": strong.rsplit("/", 1)[-1], "weak": weak.rsplit("/", 1)[-1]}
    for name, balancer, protocol, port, actions, extra in (
        ("strong-http", strong, "HTTP", 80, redirect, {}),
        ("strong-https", strong, "HTTPS", 443, forward,
         {"SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
          "Certificates": [{"CertificateArn": certificate}]}),
        ("weak-http", weak, "HTTP", 80, forward, {}),
        ("weak-https", weak, "HTTPS", 443, forward,
         {"SslPolicy": "ELBSecurityPolicy-2016-08",
          "Certificates": [{"CertificateArn": certificate}]}),
    ):  # fmt: skip
        arn = elb.create_listener(
            LoadBalancerArn=balancer, Protocol=protocol, Port=port, DefaultActions=actions, **extra
        )["Listeners"][0]["ListenerArn"]
        ids[name] = arn.rsplit("/", 1)[-1]
    return ids


def test_load_balancers_and_listeners_in_cloudformation_shape(aws: MotoAWS) -> None:
    listeners = make_load_balancers(aws)
    snapshot, done = aws.collect("--service", "elbv2")
    assert done.returncode == 0, snapshot["errors"]
    balancers = resources_of(snapshot, LB)
    strong = balancers["strong"]
    assert strong["id"].startswith(
        f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/strong/"
    )
    assert strong["tags"] == {"app": "shop"}
    props = strong["properties"]
    assert (props["Type"], props["Scheme"], len(props["Subnets"])) == (
        "application",
        "internet-facing",
        2,
    )
    attributes = {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}
    assert {k: attributes[k] for k in HARDENED} == HARDENED
    found = resources_of(snapshot, LISTENER)
    https = found[listeners["strong-https"]]["properties"]
    assert https["LoadBalancerArn"] == strong["id"]
    assert (https["Protocol"], https["Port"]) == ("HTTPS", 443)
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    http = found[listeners["strong-http"]]["properties"]
    assert http["DefaultActions"][0]["Type"] == "redirect"
    assert http["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"


def test_load_balancer_and_listener_verdicts(aws: MotoAWS) -> None:
    listeners = make_load_balancers(aws)
    verdicts = audit(aws, ["elbv2"], POLICIES)
    strong, weak = listeners["strong"], listeners["weak"]
    assert verdicts == {
        **{(p, strong): "pass" for p in ("PAC-ELB-004", "PAC-ELB-005", "PAC-ELB-006",
                                         "PAC-ELB-010", "PAC-ELB-011")},
        **{(p, weak): "fail" for p in ("PAC-ELB-004", "PAC-ELB-005", "PAC-ELB-006",
                                       "PAC-ELB-010", "PAC-ELB-011")},
        ("PAC-ELB-001", listeners["strong-http"]): "pass",
        ("PAC-ELB-001", listeners["weak-http"]): "fail",
        ("PAC-ELB-012", listeners["strong-https"]): "pass",
        ("PAC-ELB-012", listeners["weak-https"]): "fail",
    }  # fmt: skip


def test_oidc_client_secret_is_never_stored() -> None:
    action = {
        "Type": "authenticate-oidc",
        "Order": 1,
        "AuthenticateOidcConfig": {
            "Issuer": "https://idp.example.com",
            "ClientId": "shop",
            "ClientSecret": "oidc-secret-value",
        },
    }
    listener = {"LoadBalancerArn": "arn:lb", "Port": 443, "Protocol": "HTTPS",
                "DefaultActions": [action]}  # fmt: skip
    (shaped,) = listener_properties(listener)["DefaultActions"]
    assert shaped["AuthenticateOidcConfig"]["ClientId"] == "shop"
    assert "oidc-secret-value" not in repr(shaped)
    assert "$unknown" in shaped["AuthenticateOidcConfig"]["ClientSecret"]
