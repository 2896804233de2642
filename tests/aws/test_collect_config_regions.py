"""AWS Config per region against moto: the recording record and the CIS 3.3 region verdicts."""

from __future__ import annotations

import json
from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import policy_args

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/config"


def _recorder(aws: MotoAWS, region: str) -> Any:
    config = aws.client("config", region=region)
    recording = {"allSupported": True, "includeGlobalResourceTypes": True}
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE, "recordingGroup": recording}
    )
    return config


def _account(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="config-us-east-1")
    config = _recorder(aws, "us-east-1")
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "config-us-east-1"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    _recorder(aws, "eu-west-1")  # created, never started


def _region_args() -> list[str]:
    return [arg for region in REGIONS for arg in ("--region", region)]


def test_each_region_has_a_recording_record(aws: MotoAWS) -> None:
    _account(aws)
    snapshot, done = aws.collect("--service", "config", *_region_args())
    assert done.returncode == 0, snapshot["errors"]
    records = resources_of(snapshot, "Pacscan::Config::RegionRecording")
    assert sorted(records) == sorted(REGIONS)
    started = records["us-east-1"]
    assert started["id"] == f"arn:aws:config:us-east-1:{ACCOUNT}:region-recording"
    [recorder] = started["properties"]["Recorders"]
    assert recorder["Name"] == "default" and recorder["Recording"] is True
    assert recorder["LastStatus"] in ("PENDING", "SUCCESS")
    assert recorder["RecordingGroup"]["AllSupported"] is True
    [stopped] = records["eu-west-1"]["properties"]["Recorders"]
    assert stopped["Recording"] is False and "LastStatus" not in stopped
    assert records["eu-central-1"]["properties"] == {"Recorders": []}


def test_region_recording_verdicts(aws: MotoAWS) -> None:
    _account(aws)
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--format", "json", "--include-passed",
        "--service", "config", *policy_args(["PAC-CONFIG-002"]), *_region_args(),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    verdicts = {f["resource"]["id"].split(":")[3]: f["status"] for f in report["findings"]}
    assert verdicts == {"us-east-1": "pass", "eu-west-1": "fail", "eu-central-1": "fail"}
