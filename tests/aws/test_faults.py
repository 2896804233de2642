"""A failing call costs that call only: the rest of the snapshot stays, the error is recorded.

Faults are injected on the wire with a botocore ``before-send`` hook, so botocore's
retry handler and response parsers see them exactly as they would see AWS's answers;
everything else goes to moto. The timeout test also runs for real: the installed
``pacscan`` talks to a local socket that never answers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from moto_fixtures import ACCOUNT, MotoAWS, reply, resources_of

from scanner.aws.runner import CollectRequest, collect
from scanner.aws.session import ClientSettings


def run(session: boto3.Session, *services: str, attempts: int = 3) -> dict[str, Any]:
    settings = ClientSettings(max_attempts=attempts, timeout=5, workers=4)
    request = CollectRequest(
        regions=("us-east-1",), services=services, settings=settings, show_progress=False
    )
    return collect(request, session=session)


def errors_by_operation(snapshot: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {e["operation"]: e for e in snapshot["errors"]}


def test_access_denied_on_one_call_keeps_everything_else(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    for name in ("first-bucket", "second-bucket"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    session = boto3.Session()
    denied = reply(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
    session.events.register("before-send.s3.GetBucketPolicy", denied)
    snapshot = run(session, "s3")
    assert denied.calls == 2  # type: ignore[attr-defined]  # one per bucket, never retried
    assert [e["code"] for e in snapshot["errors"]] == ["AccessDenied", "AccessDenied"]
    error = snapshot["errors"][0]
    assert (error["service"], error["operation"], error["region"]) == (
        "s3",
        "GetBucketPolicy",
        "us-east-1",
    )
    buckets = resources_of(snapshot, "AWS::S3::Bucket")
    assert sorted(buckets) == ["first-bucket", "second-bucket"]
    assert buckets["first-bucket"]["properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = resources_of(snapshot, "AWS::S3::BucketPolicy")
    assert policies["first-bucket"]["properties"] == {
        "Bucket": "first-bucket",
        "PolicyDocument": {"$unknown": "GetBucketPolicy: AccessDenied"},
    }


def test_throttling_is_retried_then_recorded(aws: MotoAWS) -> None:
    kms = aws.client("kms")
    key = kms.create_key(Description="payments")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)
    session = boto3.Session()
    throttled = reply(
        400,
        json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        "application/x-amz-json-1.1",
    )
    session.events.register("before-send.kms.GetKeyPolicy", throttled)
    snapshot = run(session, "kms", attempts=3)
    assert throttled.calls == 3  # type: ignore[attr-defined]
    assert errors_by_operation(snapshot)["GetKeyPolicy"]["code"] == "ThrottlingException"
    props = resources_of(snapshot, "AWS::KMS::Key")[key]["properties"]
    assert props["KeyPolicy"] == {"$unknown": "GetKeyPolicy: ThrottlingException"}
    assert props["EnableKeyRotation"] is True


def test_server_error_loses_only_what_that_call_would_tell(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    instance_id = instance["Instances"][0]["InstanceId"]
    session = boto3.Session()
    broken = reply(
        500,
        "<Response><Errors><Error><Code>InternalError</Code>"
        "<Message>An internal error has occurred</Message></Error></Errors></Response>",
    )
    session.events.register("before-send.ec2.DescribeVolumes", broken)
    snapshot = run(session, "ec2", attempts=2)
    assert broken.calls == 2  # type: ignore[attr-defined]
    assert errors_by_operation(snapshot)["DescribeVolumes"]["code"] == "InternalError"
    assert resources_of(snapshot, "AWS::EC2::Volume") == {}
    props = resources_of(snapshot, "AWS::EC2::Instance")[instance_id]["properties"]
    assert [m["Ebs"]["Encrypted"] for m in props["BlockDeviceMappings"]] == [
        {"$unknown": "DescribeVolumes: InternalError"}
    ]
    assert resources_of(snapshot, "AWS::EC2::SecurityGroup")  # the other EC2 task is whole


def test_timeout_is_recorded_and_the_trail_kept(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    aws.client("cloudtrail").create_trail(Name="main", S3BucketName="trail-bucket")
    session = boto3.Session()
    calls = []

    def hang(request: Any, **_: Any) -> None:
        calls.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    session.events.register("before-send.cloudtrail.GetTrailStatus", hang)
    snapshot = run(session, "cloudtrail", attempts=2)
    assert len(calls) == 4  # two attempts each: the trail's task, the account's trails record
    assert errors_by_operation(snapshot)["GetTrailStatus"]["code"] == "ReadTimeout"
    trail = resources_of(snapshot, "AWS::CloudTrail::Trail")["main"]["properties"]
    assert trail["IsLogging"] == {"$unknown": "GetTrailStatus: ReadTimeout"}
    assert trail["S3BucketName"] == "trail-bucket"


def test_a_crashing_collector_loses_its_task_only(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="still-here")
    session = boto3.Session()
    nameless = reply(
        200,
        "<DescribeVolumesResponse><volumeSet><item><size>8</size></item></volumeSet>"
        "</DescribeVolumesResponse>",
    )
    session.events.register("before-send.ec2.DescribeVolumes", nameless)
    snapshot = run(session, "ec2", "s3")
    [error] = snapshot["errors"]
    assert (error["operation"], error["code"]) == ("ec2.compute", "InternalError")
    assert error["message"].startswith("KeyError")
    assert list(resources_of(snapshot, "AWS::S3::Bucket")) == ["still-here"]
    assert resources_of(snapshot, "AWS::EC2::VPC")


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_real_read_timeout_over_http(aws: MotoAWS, silent_endpoint: str) -> None:
    aws.client("s3").create_bucket(Bucket="unaffected")
    snapshot, done = aws.collect(
        "--service",
        "cloudtrail",
        "--service",
        "s3",
        "--timeout",
        "1",
        "--max-attempts",
        "1",
        env={"AWS_ENDPOINT_URL_CLOUDTRAIL": silent_endpoint},
    )
    assert done.returncode == 3
    # the trails of the region and the account's trails record each lose their listing
    assert [
        (e["account"], e["service"], e["operation"], e["code"]) for e in snapshot["errors"]
    ] == [(ACCOUNT, "cloudtrail", "DescribeTrails", "ReadTimeout")] * 2
    assert list(resources_of(snapshot, "AWS::S3::Bucket")) == ["unaffected"]
