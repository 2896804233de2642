"""CloudFront distributions: collected shape and the verdicts of the built-in policies.

moto keeps neither ``S3OriginConfig`` nor ``OriginAccessControlId`` of an S3 origin, so
the distributions made in moto use custom origins, and the S3 origin mapping (what
PAC-CLOUDFRONT-001 and -011 read) is checked with botocore's Stubber.
"""

from __future__ import annotations

from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit
from test_pagination import stubbed

from scanner.aws.cloudfront import collect

POLICIES = [f"PAC-CLOUDFRONT-0{n:02d}" for n in range(1, 12)]
CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/shop"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def wrapped(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": values}


def custom_origin(origin_id: str, policy: str, protocols: list[str]) -> dict[str, Any]:
    return {
        "Id": origin_id,
        "DomainName": f"{origin_id}.example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": wrapped(protocols),
        },
    }


def guarded_config() -> dict[str, Any]:
    return {
        "CallerReference": "guarded",
        "Comment": "guarded",
        "Enabled": True,
        "DefaultRootObject": "index.html",
        "WebACLId": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/shop/1",
        "Aliases": wrapped(["shop.example.com"]),
        "Origins": wrapped([custom_origin("primary", "https-only", ["TLSv1.2"]),
                            custom_origin("standby", "https-only", ["TLSv1.2"])]),
        "OriginGroups": wrapped([{
            "Id": "failover",
            "FailoverCriteria": {"StatusCodes": wrapped([500, 502])},
            "Members": wrapped([{"OriginId": "primary"}, {"OriginId": "standby"}]),
        }]),
        "DefaultCacheBehavior": {"TargetOriginId": "primary",
                                 "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": CACHING_OPTIMIZED},
        "Logging": {"Enabled": True, "IncludeCookies": False,
                    "Bucket": "cf-logs.s3.amazonaws.com", "Prefix": "shop/"},
        "ViewerCertificate": {"ACMCertificateArn": CERTIFICATE, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021"},
    }  # fmt: skip


def open_config() -> dict[str, Any]:
    return {
        "CallerReference": "open",
        "Comment": "open",
        "Enabled": True,
        "Origins": wrapped([custom_origin("legacy", "match-viewer", ["SSLv3", "TLSv1"])]),
        "DefaultCacheBehavior": {"TargetOriginId": "legacy", "ViewerProtocolPolicy": "allow-all",
                                 "CachePolicyId": CACHING_OPTIMIZED},
    }  # fmt: skip


def make_distributions(aws: MotoAWS) -> dict[str, str]:
    cloudfront = aws.client("cloudfront")
    return {
        name: cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
        for name, config in (("guarded", guarded_config()), ("open", open_config()))
    }


def test_distribution_config_in_cloudformation_shape(aws: MotoAWS) -> None:
    ids = make_distributions(aws)
    snapshot, done = aws.collect("--service", "cloudfront")
    assert done.returncode == 0, snapshot["errors"]
    found = resources_of(snapshot, "AWS::CloudFront::Distribution")
    guarded = found[ids["guarded"]]
    assert guarded["id"] == f"arn:aws:cloudfront::{ACCOUNT}:distribution/{ids['guarded']}"
    assert guarded["region"] == "global"
    config = guarded["properties"]["DistributionConfig"]
    assert config["Aliases"] == ["shop.example.com"]
    assert config["Origins"][0]["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert config["OriginGroups"]["Items"][0]["Members"]["Items"][1] == {"OriginId": "standby"}
    assert config["Logging"] == {
        "Bucket": "cf-logs.s3.amazonaws.com",
        "Prefix": "shop/",
        "IncludeCookies": False,
    }
    assert config["ViewerCertificate"]["AcmCertificateArn"] == CERTIFICATE
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    opened = found[ids["open"]]["properties"]["DistributionConfig"]
    assert "Logging" not in opened and "WebACLId" not in opened and "OriginGroups" not in opened


def test_distribution_verdicts(aws: MotoAWS) -> None:
    ids = make_distributions(aws)
    guarded, opened = ids["guarded"], ids["open"]
    assert audit(aws, ["cloudfront"], POLICIES) == {
        # 001 applies to S3 origins only; 011 passes where there is no S3 origin
        **{(p, guarded): "pass" for p in POLICIES if p != "PAC-CLOUDFRONT-001"},
        ("PAC-CLOUDFRONT-011", opened): "pass",
        # no certificate of its own: 007 (SNI) and 010 (TLS policy) do not apply
        **{(p, opened): "fail" for p in ("PAC-CLOUDFRONT-002", "PAC-CLOUDFRONT-003",
                                         "PAC-CLOUDFRONT-004", "PAC-CLOUDFRONT-005",
                                         "PAC-CLOUDFRONT-006", "PAC-CLOUDFRONT-008",
                                         "PAC-CLOUDFRONT-009")},
    }  # fmt: skip


def test_s3_origins_keep_their_access_control() -> None:
    ctx, stubber = stubbed("cloudfront")
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"
    behavior = {"TargetOriginId": "locked", "ViewerProtocolPolicy": "https-only"}
    summary = {
        "Id": "E1", "ARN": arn, "Status": "Deployed", "DomainName": "d.cloudfront.net",
        "LastModifiedTime": "2024-01-01T00:00:00Z", "Aliases": {"Quantity": 0},
        "Origins": wrapped([{"Id": "locked", "DomainName": "a.s3.amazonaws.com"}]),
        "DefaultCacheBehavior": behavior, "CacheBehaviors": {"Quantity": 0},
        "CustomErrorResponses": {"Quantity": 0}, "Comment": "", "PriceClass": "PriceClass_All",
        "Enabled": True, "ViewerCertificate": {}, "WebACLId": "", "HttpVersion": "http2",
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "IsIPV6Enabled": True, "Staging": False,
    }  # fmt: skip
    listing = {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 1,
               "Items": [summary]}  # fmt: skip
    stubber.add_response("list_distributions", {"DistributionList": listing})
    s3_origins = [
        {"Id": "locked", "DomainName": "a.s3.amazonaws.com",
         "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "E2OAC"},
        {"Id": "open", "DomainName": "b.s3.amazonaws.com",
         "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": ""},
    ]  # fmt: skip
    config = {
        "CallerReference": "r", "Comment": "", "Enabled": True, "DefaultRootObject": "",
        "Origins": wrapped(s3_origins),
        "DefaultCacheBehavior": behavior,
    }  # fmt: skip
    stubber.add_response("get_distribution_config", {"DistributionConfig": config})
    stubber.add_response("list_tags_for_resource", {"Tags": {"Items": []}})
    with stubber:
        collect(ctx)
    (distribution,) = ctx.resources
    shaped = distribution["properties"]["DistributionConfig"]
    assert shaped["Origins"] == [
        {"Id": "locked", "DomainName": "a.s3.amazonaws.com", "OriginAccessControlId": "E2OAC",
         "S3OriginConfig": {}},
        {"Id": "open", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {}},
    ]  # fmt: skip
    assert "DefaultRootObject" not in shaped
    assert ctx.errors == []
