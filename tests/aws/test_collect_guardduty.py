"""GuardDuty detectors against moto: collected shape and the verdicts of every built-in policy."""

from __future__ import annotations

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit

AGENTS = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
PLANS = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
         "LAMBDA_NETWORK_LOGS")  # fmt: skip
POLICIES = [f"PAC-GUARDDUTY-{n:03d}" for n in range(1, 11)]


def make_detectors(aws: MotoAWS) -> dict[str, str]:
    full = aws.client("guardduty").create_detector(
        Enable=True,
        DataSources={
            "S3Logs": {"Enable": True},
            "Kubernetes": {"AuditLogs": {"Enable": True}},
            "MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": True}},
        },
        Features=[
            *({"Name": name, "Status": "ENABLED"} for name in PLANS),
            {
                "Name": "RUNTIME_MONITORING",
                "Status": "ENABLED",
                "AdditionalConfiguration": [{"Name": a, "Status": "ENABLED"} for a in AGENTS],
            },
        ],
        Tags={"owner": "security"},
    )["DetectorId"]
    bare = aws.client("guardduty", region="eu-west-1").create_detector(
        Enable=False,
        Features=[{"Name": name, "Status": "DISABLED"} for name in PLANS],
    )["DetectorId"]
    return {"full": full, "bare": bare}


def test_detector_settings_in_cloudformation_shape(aws: MotoAWS) -> None:
    ids = make_detectors(aws)
    snapshot, done = aws.collect("--service", "guardduty", "--region", "us-east-1",
                                 "--region", "eu-west-1")  # fmt: skip
    assert done.returncode == 0, snapshot["errors"]
    detectors = resources_of(snapshot, "AWS::GuardDuty::Detector")
    full = detectors[ids["full"]]
    assert full["id"] == f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{ids['full']}"
    assert full["tags"] == {"owner": "security"}
    props = full["properties"]
    assert props["Enable"] is True
    assert props["DataSources"]["S3Logs"] == {"Enable": True}
    assert props["DataSources"]["Kubernetes"] == {"AuditLogs": {"Enable": True}}
    runtime = [f for f in props["Features"] if f["Name"] == "RUNTIME_MONITORING"]
    assert runtime == [
        {
            "Name": "RUNTIME_MONITORING",
            "Status": "ENABLED",
            "AdditionalConfiguration": [{"Name": a, "Status": "ENABLED"} for a in AGENTS],
        }
    ]
    bare = detectors[ids["bare"]]
    assert bare["region"] == "eu-west-1"
    assert bare["properties"]["Enable"] is False


def test_detector_verdicts(aws: MotoAWS) -> None:
    ids = make_detectors(aws)
    verdicts = audit(aws, ["guardduty"], POLICIES, "--region", "us-east-1",
                     "--region", "eu-west-1")  # fmt: skip
    assert verdicts == {
        **{(policy, ids["full"]): "pass" for policy in POLICIES},
        **{(policy, ids["bare"]): "fail" for policy in POLICIES},
    }
