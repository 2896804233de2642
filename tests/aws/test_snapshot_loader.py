"""Reading snapshots back: validation, unknown markers, errors as diagnostics."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.loaders import snapshot as snapshot_loader
from scanner.loaders.snapshot import (
    SNAPSHOT_JSON,
    SNAPSHOT_RESOURCE,
    SNAPSHOT_SCHEMA,
    claims,
    is_gap,
    read_snapshot,
    resource_check,
    resource_validator,
)
from scanner.model import UNKNOWN, LiveOrigin, Location, Status, is_unknown
from scanner.pipeline import ScanRequest, compile_policies, run_scan

ACCOUNT = "123456789012"


def snapshot(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": "pacscan-snapshot",
        "version": 1,
        "tool": {"name": "pacscan", "version": "0.1.0"},
        "collected_at": "2024-05-01T02:00:00Z",
        "accounts": [ACCOUNT],
        "regions": ["eu-west-1"],
        "resources": [
            {
                "type": "AWS::S3::Bucket",
                "id": "arn:aws:s3:::logs",
                "name": "logs",
                "account": ACCOUNT,
                "region": "eu-west-1",
                "properties": {
                    "BucketName": "logs",
                    "BucketEncryption": {"$unknown": "GetBucketEncryption: AccessDenied"},
                },
                "tags": {"team": "data"},
            }
        ],
        "errors": [],
    }
    base.update(overrides)
    return base


def encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=1).encode()


def test_resources_carry_arn_and_cloudformation_body() -> None:
    loaded = read_snapshot("snap.json", encode(snapshot()))
    assert loaded.errors == []
    [bucket] = loaded.resources
    assert (bucket.type, bucket.id) == ("AWS::S3::Bucket", "arn:aws:s3:::logs")
    assert bucket.body["Type"] == "AWS::S3::Bucket"
    assert bucket.properties["BucketName"] == "logs"
    encryption = bucket.properties["BucketEncryption"]
    assert is_unknown(encryption)
    assert encryption.cause == "the collector could not read it (GetBucketEncryption: AccessDenied)"
    assert bucket.origin == LiveOrigin(
        arn="arn:aws:s3:::logs",
        account=ACCOUNT,
        region="eu-west-1",
        name="logs",
        tags={"team": "data"},
    )
    assert bucket.document is loaded.document
    assert (bucket.document.format, bucket.path) == ("snapshot", ("resources", 0))


def test_an_unknown_marker_reason_is_one_bounded_line() -> None:
    long = {"$unknown": "GetBucketPolicy:\n" + "x" * 5000}
    resource = {**snapshot()["resources"][0], "properties": {"BucketName": "logs", "P": long}}
    loaded = read_snapshot("snap.json", encode({**snapshot(), "resources": [resource]}))
    cause = loaded.resources[0].properties["P"].cause
    assert "\n" not in cause and len(cause) < 260
    empty = {**resource, "properties": {"BucketName": "logs", "P": {"$unknown": ""}}}
    loaded = read_snapshot("snap.json", encode({**snapshot(), "resources": [empty]}))
    assert loaded.resources[0].properties["P"] is UNKNOWN


def test_gzip_snapshots_load_the_same() -> None:
    loaded = read_snapshot("snap.json.gz", gzip.compress(encode(snapshot())))
    assert [r.id for r in loaded.resources] == ["arn:aws:s3:::logs"]


def test_collection_errors_become_diagnostics() -> None:
    error = {
        "account": ACCOUNT,
        "region": "eu-west-1",
        "service": "s3",
        "operation": "GetBucketEncryption",
        "code": "AccessDenied",
        "message": "Access Denied",
    }
    loaded = read_snapshot("snap.json", encode(snapshot(errors=[error])))
    [diag] = loaded.errors
    assert diag.code == "AWS-ACCESSDENIED"
    assert diag.file == "snap.json"
    assert diag.message == (
        "s3:GetBucketEncryption failed in account 123456789012 (eu-west-1): "
        "AccessDenied: Access Denied"
    )
    assert len(loaded.resources) == 1


def test_malformed_json_points_at_the_line() -> None:
    loaded = read_snapshot("snap.json", b'{\n  "format": "pacscan-snapshot",\n  oops\n}')
    [diag] = loaded.errors
    assert diag.code == SNAPSHOT_JSON
    assert diag.location == Location("snap.json", 3, 3)
    assert loaded.resources == []


def test_wrong_version_loads_nothing() -> None:
    loaded = read_snapshot("snap.json", encode(snapshot(version=2)))
    [diag] = loaded.errors
    assert diag.code == SNAPSHOT_SCHEMA
    assert diag.message == "not a valid pacscan snapshot: version: 1 was expected"
    assert loaded.resources == []


def test_one_bad_resource_is_skipped_and_the_rest_load() -> None:
    good = snapshot()["resources"][0]
    bad = {**good, "id": "arn:aws:s3:::other", "account": "not-an-account"}
    loaded = read_snapshot("snap.json", encode(snapshot(resources=[bad, good])))
    [diag] = loaded.errors
    assert diag.code == SNAPSHOT_RESOURCE
    assert diag.message.startswith("resource skipped: resources[0].account: 'not-an-account'")
    assert [r.id for r in loaded.resources] == ["arn:aws:s3:::logs"]
    assert loaded.resources[0].path == ("resources", 1)


def test_corrupt_gzip_is_one_error() -> None:
    loaded = read_snapshot("snap.json.gz", gzip.compress(encode(snapshot()))[:40])
    assert [d.code for d in loaded.errors] == [SNAPSHOT_JSON]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{\n "format": "pacscan-snapshot",\n "version": 1', True),
        (gzip.compress(b'{"format": "pacscan-snapshot", "version": 1}'), True),
        (b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', False),
        (b'{"format": "sarif"}', False),
        # gzip is only ever a snapshot: a corrupt one is claimed, then reported, never skipped
        (b"\x1f\x8bnot really gzip", True),
    ],
)
def test_claims_only_snapshots(head: bytes, expected: bool) -> None:
    assert claims("x.json", head) is expected


@pytest.mark.parametrize("content", [{"a": 1}, [1, 2], {"format": "sarif", "version": 1}])
def test_intact_compressed_json_of_another_kind_is_skipped_not_an_error(content: Any) -> None:
    # a data file that happens to be gzipped JSON is as foreign as an uncompressed one
    result = snapshot_loader.load("data.json.gz", gzip.compress(json.dumps(content).encode()), None)  # type: ignore[arg-type]
    assert result.skipped and not result.errors and not result.resources


def test_a_gz_name_is_claimed_and_reported_when_it_is_not_gzip() -> None:
    assert claims("x.json.gz", b"plain text")
    loaded = read_snapshot("x.json.gz", b"plain text")
    assert [(d.code, d.message) for d in loaded.errors] == [
        (SNAPSHOT_JSON, "not gzip data (a .gz name)")
    ]


def test_scanning_a_snapshot_never_imports_boto3(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_bytes(encode(snapshot()))
    code = (
        "import sys\nfrom scanner.cli import main\n"
        f"try:\n    main(['scan', '--no-config', {str(path)!r}])\nexcept SystemExit:\n    pass\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False False"
    assert "arn:aws:s3:::logs" in done.stdout


def values() -> st.SearchStrategy[Any]:
    texts = st.sampled_from(
        ["", "AWS::S3::Bucket", "Pacscan::IAM::RootAccount", "S3::Bucket", "123456789012",
         "12345678901", "us-east-1", "global", "eu-west-1\n", "arn:aws:s3:::b"]
    )  # fmt: skip
    scalars = st.one_of(texts, st.text(max_size=8), st.none(), st.integers(), st.booleans())
    return st.one_of(
        scalars,
        st.just(UNKNOWN),
        st.dictionaries(st.text(max_size=4), st.one_of(texts, st.integers()), max_size=3),
        st.lists(scalars, max_size=2),
    )


KEYS = ["type", "id", "name", "account", "region", "properties", "tags", "extra"]


@settings(max_examples=400, deadline=None)
@given(
    base=st.fixed_dictionaries({}, optional={key: values() for key in KEYS}),
    start_valid=st.booleans(),
)
def test_fast_resource_check_agrees_with_the_schema(
    base: dict[str, Any], start_valid: bool
) -> None:
    item = {**snapshot()["resources"][0], **base} if start_valid else base
    assert resource_check().ok(item) == resource_validator().is_valid(item)


def _failure(
    operation: str, region: str, types: list[str] | None, code: str = "Throttling"
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "account": ACCOUNT,
        "region": region,
        "service": "ec2",
        "operation": operation,
        "code": code,
        "message": "Rate exceeded",
    }
    if types is not None:
        error["types"] = types
    return error


def test_an_error_without_types_is_no_gap() -> None:
    """Snapshots written before gaps were recorded load as they always did."""
    loaded = read_snapshot("snap.json", encode(snapshot(errors=[_failure("X", "eu-west-1", None)])))
    assert [r.id for r in loaded.resources] == ["arn:aws:s3:::logs"]
    assert [d.code for d in loaded.errors] == ["AWS-THROTTLING"]


def test_one_gap_per_account_region_and_type() -> None:
    errors = [
        _failure("DescribeSecurityGroups", "eu-west-1", ["AWS::EC2::SecurityGroup"]),
        _failure("DescribeSecurityGroups", "eu-west-1", ["AWS::EC2::SecurityGroup"], "Timeout"),
        _failure("DescribeSecurityGroups", "us-east-1", ["AWS::EC2::SecurityGroup"]),
        _failure("ListBuckets", "eu-west-1", ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]),
    ]
    loaded = read_snapshot("snap.json", encode(snapshot(errors=errors)))
    gaps = [r for r in loaded.resources if is_gap(r)]
    assert [(r.origin.region, r.type) for r in gaps] == [
        ("eu-west-1", "AWS::EC2::SecurityGroup"),
        ("eu-west-1", "AWS::S3::Bucket"),
        ("eu-west-1", "AWS::S3::BucketPolicy"),
        ("us-east-1", "AWS::EC2::SecurityGroup"),
    ]
    first = gaps[0]
    assert first.id == f"pacscan:unlisted:{ACCOUNT}:eu-west-1:AWS::EC2::SecurityGroup"
    assert is_unknown(first.properties) and first.properties.cause == first.origin.gap
    assert first.origin.gap == (
        f"the AWS::EC2::SecurityGroup resources of account {ACCOUNT} in eu-west-1 were not "
        "listed (ec2:DescribeSecurityGroups failed: Throttling: Rate exceeded; "
        "ec2:DescribeSecurityGroups failed: Timeout: Rate exceeded)"
    )
    assert loaded.errors[-1].message.endswith(
        "; not listed: AWS::S3::Bucket, AWS::S3::BucketPolicy"
    )


def test_a_type_name_in_types_is_validated() -> None:
    bad = _failure("ListBuckets", "eu-west-1", ["S3 buckets"])
    loaded = read_snapshot("snap.json", encode(snapshot(errors=[bad])))
    assert [d.code for d in loaded.errors] == [SNAPSHOT_SCHEMA]
    assert loaded.resources == []


def test_every_policy_over_a_gap_is_unknown_whatever_it_reads(tmp_path: Path) -> None:
    """Even a policy whose verdict needs no property (here: always true) cannot pass a gap."""
    policy = tmp_path / "p.policy"
    policy.write_text(
        'policy ANY {\n  id = "T-GAP-1"\n  title = "t"\n  severity = high\n'
        "  resource AWS::EC2::SecurityGroup\n  assert true\n}\n",
        encoding="utf-8",
    )
    errors = [_failure("DescribeSecurityGroups", "eu-west-1", ["AWS::EC2::SecurityGroup"])]
    snap = tmp_path / "snap.json"
    snap.write_bytes(encode(snapshot(errors=errors)))
    result = run_scan(ScanRequest(paths=(str(snap),)), compile_policies([str(policy)], {}))
    (finding,) = result.findings
    assert finding.status is Status.UNKNOWN
    assert finding.message.startswith("cannot tell: the AWS::EC2::SecurityGroup resources")
    assert "ec2:DescribeSecurityGroups failed: Throttling" in finding.message


@settings(max_examples=200, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=400),
    flips=st.lists(st.tuples(st.integers(0, 399), st.integers(1, 255)), max_size=4),
)
def test_damaged_gzip_snapshots_are_errors_never_exceptions(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(gzip.compress(encode(snapshot()), mtime=0))
    for at, mask in flips:
        if at < len(data):
            data[at] ^= mask
    damaged = bytes(data[: len(data) - cut] if cut else data)
    loaded = read_snapshot("snap.json.gz", damaged)  # never raises
    codes = {d.code for d in loaded.errors}
    assert codes <= {SNAPSHOT_JSON, SNAPSHOT_SCHEMA, SNAPSHOT_RESOURCE}
    assert not (codes & {SNAPSHOT_JSON, SNAPSHOT_SCHEMA}) or loaded.resources == []


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097])
def test_gzip_is_inflated_whole_across_chunk_boundaries(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_loader, "INFLATE_CHUNK", 64)
    for payload in (b"a" * size, bytes(range(256)) * (size // 256) + b"z" * (size % 256)):
        assert snapshot_loader.gunzip("x.json.gz", gzip.compress(payload)) == payload
