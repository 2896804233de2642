"""Buckets and IAM users are read concurrently, within ``--workers``, and the snapshot is the
same whatever the timing: ``--workers 1`` and ``--workers 8`` give identical bytes, denied
calls included, and a run never holds more than two pools of ``workers`` threads.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto_fixtures import Body, MotoAWS, resources_of

from scanner.aws.runner import CollectRequest, collect
from scanner.aws.session import ClientSettings

DENIED_BUCKETS = ("bucket-03", "bucket-07")
DENIED_USER = "user-2"


def denied(what: str, query: bool = False) -> Body:
    """An ``AccessDenied`` answer naming ``what``, so errors of one operation differ."""
    error = f"<Error><Code>AccessDenied</Code><Message>denied: {what}</Message></Error>"
    return Body((f"<ErrorResponse>{error}</ErrorResponse>" if query else error).encode())


def plant(aws: MotoAWS, buckets: int = 10, users: int = 5, roles: int = 4) -> None:
    s3 = aws.client("s3")
    for n in range(buckets):
        name = f"bucket-{n:02d}"
        s3.create_bucket(Bucket=name)
        if n % 2:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if n % 3 == 0:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "n", "Value": str(n)}]})
    iam = aws.client("iam")
    for n in range(users):
        name = f"user-{n}"
        iam.create_user(UserName=name)
        iam.create_access_key(UserName=name)
        if n % 2:
            iam.create_login_profile(UserName=name, Password="Secret-Passw0rd!")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:*"}
        ],
    }
    for n in range(roles):
        iam.create_role(RoleName=f"role-{n}", AssumeRolePolicyDocument=json.dumps(trust))


def deny_some(request: Any, **_: Any) -> AWSResponse | None:
    """``AccessDenied`` for two buckets' policies and one user's access keys; else moto."""
    url = str(request.url)
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else bytes(body)
    for name in DENIED_BUCKETS:
        if f"/{name}?policy" in url:
            return AWSResponse(url, 403, {"Content-Type": "text/xml"}, denied(name))
    if b"Action=ListAccessKeys" in body and f"UserName={DENIED_USER}".encode() in body:
        return AWSResponse(url, 403, {"Content-Type": "text/xml"}, denied(DENIED_USER, True))
    return None


def run(workers: int) -> dict[str, Any]:
    session = boto3.Session()
    session.events.register("before-send", deny_some)
    settings = ClientSettings(max_attempts=2, timeout=10, workers=workers)
    request = CollectRequest(
        regions=("us-east-1",), services=("s3", "iam"), settings=settings, show_progress=False
    )
    return collect(request, session=session)


def snapshot_bytes(snapshot: dict[str, Any]) -> str:
    timeless = {k: v for k, v in snapshot.items() if k not in ("collected_at", "finished_at")}
    return json.dumps(timeless, indent=1)


def test_snapshot_is_identical_with_one_and_eight_workers(aws: MotoAWS) -> None:
    plant(aws)
    serial = run(1)
    concurrent = run(8)
    assert snapshot_bytes(serial) == snapshot_bytes(concurrent)
    errors = [(e["operation"], e["code"], e["message"]) for e in concurrent["errors"]]
    assert errors == [  # IAM's "global" sorts before "us-east-1"
        ("ListAccessKeys", "AccessDenied", "denied: user-2"),
        ("GetBucketPolicy", "AccessDenied", "denied: bucket-03"),
        ("GetBucketPolicy", "AccessDenied", "denied: bucket-07"),
    ]
    policies = resources_of(concurrent, "AWS::S3::BucketPolicy")
    assert sorted(policies) == list(DENIED_BUCKETS)  # the others have no policy at all
    assert policies["bucket-03"]["properties"]["PolicyDocument"] == {
        "$unknown": "GetBucketPolicy: AccessDenied"
    }
    buckets = resources_of(concurrent, "AWS::S3::Bucket")
    assert len(buckets) == 10
    assert buckets["bucket-03"]["properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    users = resources_of(concurrent, "AWS::IAM::User")
    assert users[DENIED_USER]["properties"]["AccessKeys"] == {
        "$unknown": "ListAccessKeys: AccessDenied"
    }
    assert len(users["user-1"]["properties"]["AccessKeys"]) == 1
    assert "LoginProfile" in users["user-1"]["properties"]
    assert sorted(resources_of(concurrent, "AWS::IAM::Role")) == [f"role-{n}" for n in range(4)]


class ThreadWatch:
    """Samples the live collection threads every millisecond while a run goes on (a
    collection thread of an earlier run still winding down when it starts is not this
    run's, and is left out)."""

    def __init__(self) -> None:
        self.peak = 0
        self.item_names: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._earlier = set(threading.enumerate())

    def _watch(self) -> None:
        while not self._stop.is_set():
            names = [
                t.name
                for t in threading.enumerate()
                if t.name.startswith("collect") and t not in self._earlier
            ]
            self.peak = max(self.peak, len(names))
            self.item_names.update(n for n in names if n.startswith("collect-item"))
            time.sleep(0.001)

    def __enter__(self) -> ThreadWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_thread_count_stays_within_the_worker_budget(aws: MotoAWS) -> None:
    plant(aws, buckets=40, users=20, roles=2)
    with ThreadWatch() as watch:
        snapshot = run(3)
    assert len(resources_of(snapshot, "AWS::S3::Bucket")) == 40
    assert len(resources_of(snapshot, "AWS::IAM::User")) == 20
    assert 1 <= len(watch.item_names) <= 3  # the item pool was used, never above --workers
    assert watch.peak <= 2 * 3
