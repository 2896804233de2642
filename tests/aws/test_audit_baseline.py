"""``pacscan audit --baseline`` and ``--framework`` against moto's server over HTTP.

A nightly job audits an account, keeps the JSON report, and the next night compares:
a bucket fixed since, a bucket made since, and one that still fails.
"""

from __future__ import annotations

import json

from moto_fixtures import ACCOUNT, MotoAWS
from test_audit import policy_args

VERSIONING = ["PAC-S3-009"]  # S3 buckets keep object versions
DENY_HTTP = ["PAC-S3-006"]  # a bucket policy denies plain HTTP: CIS AWS 3.0 control 2.1.1


def audit(aws: MotoAWS, *extra: str, policies: list[str] = VERSIONING) -> tuple[int, str, str]:
    done = aws.pacscan(
        "audit", "--quiet", "--no-config", "--service", "s3", *policy_args(policies), *extra
    )
    return done.returncode, done.stdout, done.stderr


def test_baseline_lists_new_and_fixed_failures(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    for name in ("fixed-bucket", "stale-bucket"):
        s3.create_bucket(Bucket=name)
    code, _, err = audit(aws, "--format", "json", "-o", "yesterday.json")
    assert code == 1, err
    s3.put_bucket_versioning(Bucket="fixed-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="fresh-bucket")

    code, out, err = audit(aws, "--baseline", "yesterday.json")

    assert code == 1, err
    summary = out[out.index("failures since the baseline") :].splitlines()
    assert summary == [
        "failures since the baseline yesterday.json: 1 new, 1 unchanged, 1 fixed",
        "  new    PAC-S3-009 arn:aws:s3:::fresh-bucket",
        "  fixed  PAC-S3-009 arn:aws:s3:::fixed-bucket",
    ]
    assert "[new]" in out.split("failures since")[0]  # the finding is marked in the report


def test_baseline_states_reach_sarif_and_the_summary_goes_to_stderr(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="old-bucket")
    assert audit(aws, "--format", "json", "-o", "yesterday.json")[0] == 1
    s3.delete_bucket(Bucket="old-bucket")
    s3.create_bucket(Bucket="new-bucket")

    code, out, err = audit(aws, "--format", "sarif", "--baseline", "yesterday.json")

    assert code == 1, err
    [run] = json.loads(out)["runs"]
    states = {
        r["properties"]["arn"]: r["baselineState"] for r in run["results"] if "properties" in r
    }
    assert states == {"arn:aws:s3:::new-bucket": "new", "arn:aws:s3:::old-bucket": "absent"}
    assert f"account {ACCOUNT}:\nfailures since the baseline yesterday.json: 1 new" in err


def test_a_baseline_of_another_account_is_all_new(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="some-bucket")
    other = {
        "version": 1,
        "findings": [
            {
                "policy_id": "PAC-S3-009",
                "status": "fail",
                "message": "bucket some-bucket does not keep object versions",
                "resource": {
                    "type": "AWS::S3::Bucket",
                    "id": "arn:aws:s3:::some-bucket",
                    "account": "999999999999",
                    "region": "us-east-1",
                },
                "file": "snapshot-999999999999.json.gz",
                "location": None,
                "path": [],
            }
        ],
    }
    (aws.tmp / "other.json").write_text(json.dumps(other), encoding="utf-8")
    _, out, err = audit(aws, "--baseline", "other.json")
    assert "1 new, 0 unchanged, 0 fixed" in out, err


def test_a_per_account_baseline_that_does_not_exist_yet_is_a_warning(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="first-night")
    code, out, err = audit(aws, "--baseline", "nightly-{account}.json")
    assert code == 1
    assert f"nightly-{ACCOUNT}.json does not exist yet; every finding counts as new" in out + err
    assert "1 new, 0 unchanged, 0 fixed" in out


def test_a_baseline_that_is_not_a_report_stops_before_any_call(aws: MotoAWS) -> None:
    (aws.tmp / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    code, out, err = audit(aws, "--baseline", "notes.json")
    assert code == 2
    assert "error[B003]: baseline notes.json is neither a SARIF log nor a pacscan JSON" in err
    assert out == ""


def test_framework_summary_per_account(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    code, out, err = audit(
        aws, "--framework", "cis-aws-3.0", "--format", "json", policies=DENY_HTTP
    )
    assert code == 1, err
    json.loads(out)  # the report stays clean JSON
    lines = err.splitlines()
    assert lines[0] == f"account {ACCOUNT}:"
    assert lines[1].startswith("CIS AWS Foundations Benchmark v3.0.0: 0 passed, 1 failed")
    assert any(line.split()[:2] == ["failed", "2.1.1"] for line in lines[2:]), err


def test_framework_summary_follows_the_text_report(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    code, out, err = audit(aws, "--framework", "cis-aws-3.0", policies=DENY_HTTP)
    assert code == 1, err
    summary = out[out.index("CIS AWS Foundations Benchmark") :]
    assert "failed   2.1.1 " in summary
