"""Every trail of the account against moto: the record and the CIS 3.8 / 3.9 verdicts."""

from __future__ import annotations

from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

POLICIES = ["PAC-CLOUDTRAIL-006", "PAC-CLOUDTRAIL-007"]
RECORD = "account-trails"
ALL_OBJECTS = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]


def _trail(aws: MotoAWS, name: str, region: str = "us-east-1", **kw: Any) -> Any:
    trails = aws.client("cloudtrail", region=region)
    multi_region = kw.pop("multi_region", True)
    trails.create_trail(Name=name, S3BucketName="trail-bucket", IsMultiRegionTrail=multi_region)
    trails.start_logging(Name=name)
    trails.put_event_selectors(TrailName=name, **kw)
    return trails


def _bucket(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="trail-bucket")


def test_trails_of_every_home_region_with_status_and_selectors(aws: MotoAWS) -> None:
    _bucket(aws)
    advanced = [
        {
            "Name": "s3-reads",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "readOnly", "Equals": ["true"]},
            ],
        }
    ]
    _trail(aws, "reads", region="eu-west-1", AdvancedEventSelectors=advanced)
    basic = [{"ReadWriteType": "WriteOnly", "DataResources": ALL_OBJECTS}]
    _trail(aws, "writes", EventSelectors=basic).stop_logging(Name="writes")
    snapshot, done = aws.collect("--service", "cloudtrail", "--region", "us-east-1")
    assert done.returncode == 0, snapshot["errors"]
    (record,) = resources_of(snapshot, "Pacscan::CloudTrail::AccountTrails").values()
    assert record["id"] == f"arn:aws:cloudtrail::{ACCOUNT}:{RECORD}"
    trails = {t["TrailArn"].rsplit("/", 1)[1]: t for t in record["properties"]["Trails"]}
    assert sorted(trails) == ["reads", "writes"]
    reads = trails["reads"]
    assert reads["HomeRegion"] == "eu-west-1"
    assert reads["IsMultiRegionTrail"] is True and reads["IsLogging"] is True
    assert reads["AdvancedEventSelectors"] == advanced
    writes = trails["writes"]
    assert writes["IsLogging"] is False
    assert writes["EventSelectors"][0]["DataResources"] == ALL_OBJECTS


def test_write_events_logged_for_all_buckets(aws: MotoAWS) -> None:
    _bucket(aws)
    _trail(aws, "writes", EventSelectors=[{"ReadWriteType": "WriteOnly",
                                           "DataResources": ALL_OBJECTS}])  # fmt: skip
    narrow = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::trail-bucket/"]}]
    _trail(aws, "one-bucket", EventSelectors=[{"ReadWriteType": "All", "DataResources": narrow}])
    _trail(aws, "regional", multi_region=False,
           EventSelectors=[{"ReadWriteType": "All", "DataResources": ALL_OBJECTS}])  # fmt: skip
    verdicts = audit(aws, ["cloudtrail"], POLICIES, "--region", "us-east-1")
    assert verdicts == {
        ("PAC-CLOUDTRAIL-006", RECORD): "pass",
        ("PAC-CLOUDTRAIL-007", RECORD): "fail",
    }


def test_read_events_logged_by_advanced_selectors_of_a_trail_elsewhere(aws: MotoAWS) -> None:
    _bucket(aws)
    fields = [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["true"]},
    ]
    _trail(aws, "reads", region="eu-west-1",
           AdvancedEventSelectors=[{"Name": "reads", "FieldSelectors": fields}])  # fmt: skip
    verdicts = audit(aws, ["cloudtrail"], POLICIES, "--region", "us-east-1")
    assert verdicts == {
        ("PAC-CLOUDTRAIL-006", RECORD): "fail",
        ("PAC-CLOUDTRAIL-007", RECORD): "pass",
    }
