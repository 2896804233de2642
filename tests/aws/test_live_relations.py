"""Live resources relate through the ARNs, names and ids the collectors record."""

from __future__ import annotations

import json
from pathlib import Path

from moto_fixtures import MotoAWS
from test_collect_services import TRUST_LAMBDA, deployment_package

from scanner.aws.snapshot import write_snapshot
from scanner.pipeline import ScanRequest, compile_policies, run_scan

POLICY = Path(__file__).parent / "policies" / "live_relations.policy"


def test_related_finds_what_points_at_a_live_resource(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    used = ec2.create_security_group(GroupName="used", Description="used")["GroupId"]
    idle = ec2.create_security_group(GroupName="idle", Description="idle")["GroupId"]
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SecurityGroupIds=[used]
    )["Instances"][0]
    root_volume = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    spare_volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="trail-target")
    s3.create_bucket(Bucket="unrelated-bucket")
    aws.client("cloudtrail").create_trail(Name="main", S3BucketName="trail-target")
    iam = aws.client("iam")
    trust = json.dumps(TRUST_LAMBDA)
    role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.create_role(RoleName="idle-role", AssumeRolePolicyDocument=trust)
    functions = aws.client("lambda")
    for name in ("invoked", "lonely"):
        functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": deployment_package()},
        )
    functions.add_permission(
        FunctionName="invoked",
        StatementId="events",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
    )
    snapshot, done = aws.collect()
    assert done.returncode == 0, snapshot["errors"]
    path = aws.tmp / "snapshot.json.gz"
    write_snapshot(snapshot, str(path))
    policies = compile_policies([str(POLICY)], {})
    assert policies.diagnostics == ()
    result = run_scan(ScanRequest(paths=(str(path),), root=str(aws.tmp)), policies)
    verdicts = {
        (f.policy.id, str(f.resource.origin.name)): f.status.value
        for f in result.findings
        if f.status.value != "skip"
    }
    assert verdicts == {
        ("TEST-LIVE-001", used): "pass",
        ("TEST-LIVE-001", idle): "fail",
        ("TEST-LIVE-002", "trail-target"): "pass",
        ("TEST-LIVE-002", "unrelated-bucket"): "fail",
        ("TEST-LIVE-003", "invoked"): "pass",
        ("TEST-LIVE-003", "lonely"): "fail",
        ("TEST-LIVE-004", "runner"): "pass",
        ("TEST-LIVE-004", "idle-role"): "fail",
        ("TEST-LIVE-005", root_volume): "pass",
        ("TEST-LIVE-005", spare_volume): "fail",
    }
