"""S3 writers end to end: plan, apply, a fresh ``pacscan audit``, undo, audit again."""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS
from remediate_helpers import audit, journal_records, remediate, undo

POLICIES = ["PAC-S3-001", "PAC-S3-002", "PAC-S3-006", "PAC-S3-009", "PAC-S3-013"]
OTHER_STATEMENT = {
    "Sid": "ReadFromPartner",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::with-policy/*",
}


def test_s3_plan_apply_verify_undo(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="plain")
    s3.create_bucket(Bucket="with-policy")
    policy = {"Version": "2012-10-17", "Statement": [OTHER_STATEMENT]}
    s3.put_bucket_policy(Bucket="with-policy", Policy=json.dumps(policy))
    before = audit(aws, ["s3"], POLICIES)
    assert before == {
        **{(p, b): "fail" for p in POLICIES[:4] for b in ("plain", "with-policy")},
        ("PAC-S3-013", "account-public-access-block"): "fail",
    }

    plan, text = remediate(aws, ["s3"], POLICIES, code=0)
    assert len(plan["changes"]) == 9 and plan["skipped"] == []
    versioning = next(
        c for c in plan["changes"]
        if c["policy_id"] == "PAC-S3-009" and c["resource"]["id"].endswith(":plain")
    )  # fmt: skip
    assert versioning["calls"] == [
        {
            "service": "s3",
            "operation": "PutBucketVersioning",
            "parameters": {"Bucket": "plain", "VersioningConfiguration": {"Status": "Enabled"}},
        }
    ]
    assert versioning["before"] == {"VersioningConfiguration": None}
    assert versioning["account"] == ACCOUNT and versioning["region"] == "us-east-1"
    assert "9 changes planned, 0 findings skipped" in text
    assert before == audit(aws, ["s3"], POLICIES)  # the plan changed nothing

    journal = aws.tmp / "run.jsonl"
    _, text = remediate(aws, ["s3"], POLICIES, "--apply", "--yes", "--journal", str(journal))
    assert "9 changes tried, 9 verified" in text
    after = audit(aws, ["s3"], POLICIES)
    assert set(after.values()) == {"pass"} and after.keys() == before.keys()
    kept = json.loads(s3.get_bucket_policy(Bucket="with-policy")["Policy"])
    assert kept["Statement"][0] == OTHER_STATEMENT  # merged, not replaced
    ends = [r for r in journal_records(journal) if r["record"] == "end"]
    assert [r["verified"] for r in ends] == [True] * 9

    text = undo(aws, journal)
    assert "9 changes in the journal, 9 undone" in text
    assert audit(aws, ["s3"], POLICIES) == before
    assert json.loads(s3.get_bucket_policy(Bucket="with-policy")["Policy"]) == policy
