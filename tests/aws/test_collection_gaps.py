"""A listing that fails is a gap, never a fix.

Monday's ``pacscan collect`` lists twelve security groups open to the world on SSH. On
Tuesday ``DescribeSecurityGroups`` is throttled past its retries (``--max-attempts 2``): a
proxy in front of the moto server answers that one operation with HTTP 400 ``Throttling``
and passes everything else on, so botocore's retry handler really retries over HTTP. The
``pacscan scan`` of Tuesday's snapshot, with Monday's SARIF as baseline, must account for
those groups: one unknown finding per security-group policy naming the failed call,
Monday's twelve findings carried as ``unchanged`` (not ``absent``), and exit code 4
(findings at or above --fail-on, and input errors). The other tests inject faults with a
botocore ``before-send`` hook into an in-process collection.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto_fixtures import ACCOUNT, REGION, FaultProxy, MotoAWS, reply

from scanner.aws.registry import all_collectors
from scanner.aws.runner import CollectRequest, collect
from scanner.aws.session import ClientSettings
from scanner.aws.snapshot import write_snapshot
from scanner.loaders.snapshot import schema_validator

SSH_POLICY = "PAC-EC2-001"
SG = "AWS::EC2::SecurityGroup"
THROTTLED = (
    "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
    "</Error></Errors><RequestID>gap-test</RequestID></Response>"
)
GAP_URI = f"aws/{ACCOUNT}/{REGION}/AWS%3A%3AEC2%3A%3ASecurityGroup/%2A"


def open_ssh_groups(aws: MotoAWS, count: int) -> None:
    ec2 = aws.client("ec2")
    for n in range(count):
        group = ec2.create_security_group(GroupName=f"bastion-{n}", Description="ssh")
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )


def collect_to(path: Path, session: boto3.Session) -> dict[str, Any]:
    settings = ClientSettings(max_attempts=2, timeout=10, workers=2)
    request = CollectRequest(
        regions=(REGION,), services=("ec2",), settings=settings, show_progress=False
    )
    snapshot = collect(request, session=session)
    schema_validator().validate(snapshot)
    write_snapshot(snapshot, str(path))
    return snapshot


def sarif_results(path: Path) -> list[dict[str, Any]]:
    log = json.loads(path.read_text(encoding="utf-8"))
    (run,) = log["runs"]
    return list(run["results"])


class Throttle:
    """A proxy rule: 400 ``Throttling`` for every ``DescribeSecurityGroups`` call, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        if b"Action=DescribeSecurityGroups" not in body:
            return None
        self.calls += 1
        return 400, THROTTLED.encode()


def test_a_throttled_listing_is_unknown_carried_and_exit_4(aws: MotoAWS) -> None:
    open_ssh_groups(aws, 12)
    collect_args = ("collect", "--quiet", "--service", "ec2", "--max-attempts", "2")
    monday = aws.pacscan(*collect_args, "-o", "monday.json")
    assert monday.returncode == 0, monday.stderr
    first = aws.pacscan(
        "scan", "--no-config", "monday.json", "--format", "sarif", "-o", "monday.sarif"
    )
    assert first.returncode == 1, first.stderr
    ssh_failures = [
        r
        for r in sarif_results(aws.tmp / "monday.sarif")
        if r["ruleId"] == SSH_POLICY and r.get("kind", "fail") == "fail"
    ]
    assert len(ssh_failures) == 12

    throttle = Throttle()
    with FaultProxy(aws.url, throttle) as proxy:
        tuesday = aws.pacscan(
            *collect_args, "-o", "tuesday.json", env={"AWS_ENDPOINT_URL_EC2": proxy.url}
        )
    assert tuesday.returncode == 3, tuesday.stderr
    assert throttle.calls == 2  # --max-attempts 2: botocore retried once, then gave up
    snapshot = json.loads((aws.tmp / "tuesday.json").read_text(encoding="utf-8"))
    schema_validator().validate(snapshot)
    assert [r for r in snapshot["resources"] if r["type"] == SG] == []
    (error,) = [e for e in snapshot["errors"] if e["operation"] == "DescribeSecurityGroups"]
    assert (error["code"], error["types"]) == ("Throttling", [SG])

    second = aws.pacscan(
        "scan",
        "--no-config",
        "tuesday.json",
        "--baseline",
        "monday.sarif",
        "--format",
        "sarif",
        "-o",
        "tuesday.sarif",
    )
    assert second.returncode == 4, second.stderr
    results = sarif_results(aws.tmp / "tuesday.sarif")

    # Monday's twelve SSH findings are carried, none reads as fixed.
    assert not [r for r in results if r.get("baselineState") == "absent"]
    carried = [r for r in results if r["ruleId"] == SSH_POLICY and location_uri(r) != GAP_URI]
    assert len(carried) == 12
    assert {r["baselineState"] for r in carried} == {"unchanged"}
    assert {r["kind"] for r in carried} == {"fail"}
    before = {r["partialFingerprints"]["primaryLocationLineHash"] for r in ssh_failures}
    assert {r["partialFingerprints"]["primaryLocationLineHash"] for r in carried} == before

    # One unknown result per security-group policy, at the live pseudo-path of the gap.
    rules = json.loads((aws.tmp / "tuesday.sarif").read_text())["runs"][0]["tool"]["driver"]
    sg_policies = {r["id"] for r in rules["rules"] if SG in r["properties"]["resourceTypes"]}
    gaps = [r for r in results if location_uri(r) == GAP_URI]
    assert sorted(r["ruleId"] for r in gaps) == sorted(sg_policies)
    assert SSH_POLICY in sg_policies
    for result in gaps:
        assert result["kind"] == "review"
        text = result["message"]["text"]
        assert "ec2:DescribeSecurityGroups failed: Throttling: Rate exceeded" in text
        assert f"account {ACCOUNT} in {REGION}" in text
        logical = result["locations"][0]["logicalLocations"][0]
        assert logical["fullyQualifiedName"] == f"pacscan:unlisted:{ACCOUNT}:{REGION}:{SG}"


def location_uri(result: dict[str, Any]) -> str:
    return str(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])


def test_the_json_and_text_reports_show_the_gap(aws: MotoAWS) -> None:
    open_ssh_groups(aws, 2)
    session = boto3.Session()
    session.events.register("before-send.ec2.DescribeSecurityGroups", reply(400, THROTTLED))
    collect_to(aws.tmp / "snapshot.json", session)
    done = aws.pacscan("scan", "--no-config", "snapshot.json", "--format", "json")
    assert done.returncode == 4, done.stderr
    report = json.loads(done.stdout)
    listed = json.loads((aws.tmp / "snapshot.json").read_text(encoding="utf-8"))["resources"]
    assert report["summary"]["resources"] == len(listed)  # a gap is no resource
    gaps = [f for f in report["findings"] if f["resource"]["type"] == SG]
    assert gaps and {f["status"] for f in gaps} == {"unknown"}
    assert {(f["resource"]["account"], f["resource"]["region"]) for f in gaps} == {
        (ACCOUNT, REGION)
    }
    assert len(gaps) == len({f["policy_id"] for f in gaps})
    (error,) = [e for e in report["errors"] if e["code"] == "AWS-THROTTLING"]
    assert error["message"].endswith(f"not listed: {SG}")

    text = aws.pacscan("scan", "--no-config", "snapshot.json")
    assert text.returncode == 4
    assert f"pacscan:unlisted:{ACCOUNT}:{REGION}:{SG}" in text.stdout
    assert "were not listed (ec2:DescribeSecurityGroups failed: Throttling" in text.stdout


def test_a_denied_listing_is_a_gap_of_every_type_it_lists(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="hidden")
    session = boto3.Session()
    denied = reply(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
    session.events.register("before-send.s3.ListBuckets", denied)
    settings = ClientSettings(max_attempts=2, timeout=10, workers=2)
    request = CollectRequest(
        regions=(REGION,), services=("s3",), settings=settings, show_progress=False
    )
    snapshot = collect(request, session=session)
    assert denied.calls == 1  # type: ignore[attr-defined]  # AccessDenied is not retried
    (error,) = [e for e in snapshot["errors"] if e["operation"] == "ListBuckets"]
    assert error["types"] == ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]
    assert [r for r in snapshot["resources"] if r["type"].startswith("AWS::S3::")] == []


def test_a_collector_that_crashes_is_a_gap_of_its_types(
    aws: MotoAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.aws import rds

    def crash(ctx: object) -> None:
        raise KeyError("DBInstanceArn")

    collector = replace(rds.COLLECTORS[0], run=crash)
    monkeypatch.setattr(rds, "COLLECTORS", (collector,))
    settings = ClientSettings(max_attempts=1, timeout=10, workers=1)
    request = CollectRequest(
        regions=(REGION,), services=("rds",), settings=settings, show_progress=False
    )
    (error,) = collect(request, session=boto3.Session())["errors"]
    assert (error["operation"], error["code"], error["types"]) == (
        "rds.instances",
        "InternalError",
        ["AWS::RDS::DBInstance"],
    )


def test_every_collected_type_is_declared_by_its_collector(aws: MotoAWS) -> None:
    """A type a collector adds but does not declare could vanish without a gap."""
    open_ssh_groups(aws, 1)
    aws.client("s3").create_bucket(Bucket="declared")
    aws.client("kms").create_key(Description="declared")
    aws.client("iam").create_user(UserName="declared")
    settings = ClientSettings(max_attempts=1, timeout=10, workers=2)
    for collector in all_collectors():
        request = CollectRequest(
            regions=(REGION,),
            services=(collector.service,),
            settings=settings,
            show_progress=False,
        )
        snapshot = collect(request, session=boto3.Session())
        declared = {t for c in all_collectors() if c.service == collector.service for t in c.types}
        assert {r["type"] for r in snapshot["resources"]} <= declared
        assert collector.types


def test_regions_that_cannot_be_listed_are_a_gap_everywhere(aws: MotoAWS) -> None:
    session = boto3.Session()
    denied = reply(
        403,
        "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
        "<Message>no</Message></Error></Errors></Response>",
    )
    session.events.register("before-send.ec2.DescribeRegions", denied)
    settings = ClientSettings(max_attempts=1, timeout=10, workers=2)
    request = CollectRequest(
        all_regions=True, services=("s3", "rds"), settings=settings, show_progress=False
    )
    snapshot = collect(request, session=session)
    assert snapshot["regions"] == [REGION]  # only the home region was collected
    (error,) = [e for e in snapshot["errors"] if e["operation"] == "DescribeRegions"]
    assert error["region"] == "global"
    assert error["types"] == [
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBClusterParameterGroup",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBParameterGroup",
        "AWS::S3::AccessPoint",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
    ]
