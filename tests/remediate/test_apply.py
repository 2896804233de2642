"""``--apply`` when things go wrong: a denied call, drift, a plan over --max-changes,
Ctrl-C in the middle; and the reasons findings are skipped."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS, pacscan_command
from remediate_helpers import audit, journal_records, remediate, undo
from test_audit import policy_args

ACCESS_DENIED = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
PAB_OFF = {
    "BlockPublicAcls": False,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def deny_versioning(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
    return (403, ACCESS_DENIED) if method == "PUT" and path.endswith("?versioning") else None


def test_a_denied_call_is_journaled_and_the_rest_goes_on(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="logs")
    policies = ["PAC-S3-009", "PAC-S3-002"]
    journal = aws.tmp / "run.jsonl"
    with FaultProxy(aws.url, deny_versioning) as proxy:
        _, text = remediate(
            aws, ["s3"], policies, "--apply", "--yes", "--journal", str(journal),
            env={"AWS_ENDPOINT_URL": proxy.url}, code=3,
        )  # fmt: skip
    assert "failed" in text and "AccessDenied" in text
    records = journal_records(journal)
    denied = [r for r in records if r["record"] == "call" and "error" in r]
    assert [(r["operation"], r["error"]["code"]) for r in denied] == [
        ("PutBucketVersioning", "AccessDenied")
    ]
    ends = {r["policy_id"]: (r["status"], r["verified"]) for r in records if r["record"] == "end"}
    assert ends == {"PAC-S3-009": ("failed", False), "PAC-S3-002": ("applied", True)}
    assert audit(aws, ["s3"], policies) == {
        ("PAC-S3-009", "logs"): "fail",
        ("PAC-S3-002", "logs"): "pass",
    }
    text = undo(aws, journal)  # only what AWS accepted is undone
    assert "nothing to undo" in text and "2 changes in the journal, 1 undone" in text
    assert audit(aws, ["s3"], policies)[("PAC-S3-002", "logs")] == "fail"


def test_a_resource_that_drifted_since_the_snapshot_is_skipped(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="drifting")
    s3.create_bucket(Bucket="steady")
    snapshot = aws.tmp / "snapshot.json"
    collected = aws.pacscan("collect", "--quiet", "--service", "s3", "-o", str(snapshot))
    assert collected.returncode == 0, collected.stderr
    s3.put_public_access_block(Bucket="drifting", PublicAccessBlockConfiguration=PAB_OFF)
    journal = aws.tmp / "run.jsonl"
    args = [str(snapshot), "--apply", "--yes", "--journal", str(journal)]
    _, text = remediate(aws, [], ["PAC-S3-002"], *args, code=1)
    assert "drifted: PublicAccessBlockConfiguration changed since the snapshot" in text
    assert s3.get_public_access_block(Bucket="drifting")["PublicAccessBlockConfiguration"] == (
        PAB_OFF
    )
    records = journal_records(journal)
    ends = {r["resource"]["id"]: r["status"] for r in records if r["record"] == "end"}
    assert ends == {"arn:aws:s3:::drifting": "skipped", "arn:aws:s3:::steady": "applied"}


def test_a_plan_over_max_changes_changes_nothing(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    for name in ("a-bucket", "b-bucket", "c-bucket"):
        s3.create_bucket(Bucket=name)
    journal = aws.tmp / "run.jsonl"
    args = ("--apply", "--yes", "--max-changes", "2", "--journal", str(journal))
    plan, text = remediate(aws, ["s3"], ["PAC-S3-009"], *args, code=2)
    assert len(plan["changes"]) == 3
    assert "the plan has 3 changes, more than --max-changes 2; nothing was changed" in text
    assert not journal.exists()
    assert set(audit(aws, ["s3"], ["PAC-S3-009"]).values()) == {"fail"}


def test_without_apply_nothing_changes_and_without_yes_nothing_runs(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="quiet")
    plan, _ = remediate(aws, ["s3"], ["PAC-S3-009"], code=0)
    assert len(plan["changes"]) == 1
    _, text = remediate(aws, ["s3"], ["PAC-S3-009"], "--apply", code=2)
    assert "pass --yes to run unattended" in text
    assert audit(aws, ["s3"], ["PAC-S3-009"]) == {("PAC-S3-009", "quiet"): "fail"}


def test_skipped_findings_say_why(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="kept-open")
    s3.create_bucket(Bucket="no-logs")
    config = aws.tmp / ".pacscan.yaml"
    config.write_text(
        "suppressions:\n"
        "  - policy: PAC-S3-009\n"
        "    resource: arn:aws:s3:::kept-open\n"
        "    reason: versions are kept elsewhere\n"
    )
    args = ["remediate", "--quiet", "--config", str(config), "--service", "s3", "--plan-out", "-"]
    done = aws.pacscan(*args, *policy_args(["PAC-S3-009", "PAC-S3-008", "PAC-S3-003"]))
    assert done.returncode == 1, done.stderr
    plan = json.loads(done.stdout)
    reasons = {(s["policy_id"], s["resource"]["id"]): s["reason"] for s in plan["skipped"]}
    assert reasons[("PAC-S3-009", "arn:aws:s3:::kept-open")] == "suppressed"
    assert reasons[("PAC-S3-008", "arn:aws:s3:::no-logs")].startswith("value would be guessed")
    assert [c["resource"]["id"] for c in plan["changes"]] == ["arn:aws:s3:::no-logs"]


def test_ctrl_c_stops_after_the_change_under_way_with_a_consistent_journal(
    aws: MotoAWS,
) -> None:
    s3 = aws.client("s3")
    names = [f"bucket-{n:02}" for n in range(16)]
    for name in names:
        s3.create_bucket(Bucket=name)
    journal = aws.tmp / "run.jsonl"
    args = ["remediate", "--quiet", "--no-config", "--service", "s3", "--apply", "--yes"]
    args += ["--journal", str(journal), *policy_args(["PAC-S3-009"])]
    running = subprocess.Popen(
        [*pacscan_command(), *args], env=aws.env, cwd=aws.tmp, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _ends(journal) < 2:
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=120)
    assert running.returncode == 130, out + err
    records = journal_records(journal)
    assert records[-1]["record"] == "interrupted"
    done = [r for r in records if r["record"] == "end"]
    assert 2 <= len(done) < len(names)
    begun = [r["change"] for r in records if r["record"] == "begin"]
    assert begun == [r["change"] for r in done]  # no change was cut in half
    versioned = {
        name for name in names if s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
    }
    assert versioned == {r["resource"]["id"].split(":::")[1] for r in done}
    undo(aws, journal)
    assert not any(s3.get_bucket_versioning(Bucket=n).get("Status") == "Enabled" for n in names)


def test_a_bad_journal_is_one_error_with_its_line(aws: MotoAWS) -> None:
    journal = aws.tmp / "bad.jsonl"
    journal.write_text('{"record": "begin", "change": 1}\n{not json\n')
    done = aws.pacscan("remediate", "--undo", str(journal), "--yes")
    assert done.returncode == 3
    assert f"{journal}:2:2: error" in done.stderr
    assert "Traceback" not in done.stderr


def _ends(journal: Path) -> int:
    try:
        text = journal.read_text()
    except FileNotFoundError:
        return 0
    return text.count('"record": "end"')


def test_account_in_the_plan_is_the_snapshot_account(aws: MotoAWS) -> None:
    aws.client("s3").create_bucket(Bucket="owned")
    plan, _ = remediate(aws, ["s3"], ["PAC-S3-009"])
    assert {c["account"] for c in plan["changes"]} == {ACCOUNT}


def test_a_snapshot_of_another_account_is_not_changed_with_the_callers_credentials(
    aws: MotoAWS,
) -> None:
    aws.client("s3").create_bucket(Bucket="theirs")
    snapshot = aws.tmp / "snapshot.json"
    assert aws.pacscan("collect", "--quiet", "--service", "s3", "-o", str(snapshot)).returncode == 0
    text = snapshot.read_text().replace(ACCOUNT, "210987654321")
    snapshot.write_text(text)
    args = (str(snapshot), "--apply", "--yes", "--journal", str(aws.tmp / "run.jsonl"))
    _, out = remediate(aws, [], ["PAC-S3-009"], *args, code=1)
    assert "the credentials are for account 123456789012, not 210987654321" in out
    assert aws.client("s3").get_bucket_versioning(Bucket="theirs").get("Status") is None


UNAUTHORIZED = (
    b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
    b"<Message>You are not authorized to perform this operation.</Message></Error></Errors>"
    b"<RequestID>1</RequestID></Response>"
)


def deny_ebs_default(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
    return (403, UNAUTHORIZED) if b"Action=EnableEbsEncryptionByDefault" in body else None


def test_an_ec2_call_refused_in_its_dry_run_is_never_made(aws: MotoAWS) -> None:
    ec2 = aws.client("ec2")
    ec2.disable_ebs_encryption_by_default()
    journal = aws.tmp / "run.jsonl"
    seen: list[bytes] = []

    def rule(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        seen.append(body)
        return deny_ebs_default(method, path, body)

    with FaultProxy(aws.url, rule) as proxy:
        args = ("--apply", "--yes", "--journal", str(journal))
        remediate(aws, ["ec2"], ["PAC-EC2-009"], *args, env={"AWS_ENDPOINT_URL": proxy.url},
                  code=3)  # fmt: skip
    enables = [b for b in seen if b"Action=EnableEbsEncryptionByDefault" in b]
    assert len(enables) == 1 and b"DryRun=true" in enables[0]
    (call,) = [r for r in journal_records(journal) if r["record"] == "call"]
    assert call["error"]["code"] == "UnauthorizedOperation"
    assert call["error"]["message"].startswith("dry run:")
    assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False


def test_undo_leaves_a_property_changed_since_alone(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="shared")
    journal = aws.tmp / "run.jsonl"
    remediate(aws, ["s3"], ["PAC-S3-009"], "--apply", "--yes", "--journal", str(journal))
    s3.put_bucket_versioning(Bucket="shared", VersioningConfiguration={"Status": "Suspended"})
    text = undo(aws, journal, code=1)
    assert "VersioningConfiguration changed since the change; left alone" in text
    assert s3.get_bucket_versioning(Bucket="shared")["Status"] == "Suspended"


def test_an_unwritable_plan_file_stops_before_any_aws_call(aws: MotoAWS) -> None:
    requests: list[str] = []

    def count(method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        requests.append(path)
        return None

    with FaultProxy(aws.url, count) as proxy:
        done = aws.pacscan(
            "remediate", "--no-config", "--plan-out", str(aws.tmp / "missing" / "plan.json"),
            env={"AWS_ENDPOINT_URL": proxy.url},
        )  # fmt: skip
    assert done.returncode == 2
    assert "cannot write the plan to" in done.stderr and "Traceback" not in done.stderr
    assert requests == []


def test_two_runs_appended_to_one_journal_are_both_undone(aws: MotoAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="first")
    journal = aws.tmp / "run.jsonl"
    args = ("--apply", "--yes", "--journal", str(journal))
    remediate(aws, ["s3"], ["PAC-S3-002"], *args)
    s3.create_bucket(Bucket="second")
    remediate(aws, ["s3"], ["PAC-S3-002"], *args)  # its change 1 is "second"
    begins = [(r["run"], r["change"]) for r in journal_records(journal) if r["record"] == "begin"]
    assert len(begins) == 2 and begins[0][1] == begins[1][1] == 1
    text = undo(aws, journal)
    assert "2 changes in the journal, 2 undone" in text
    assert audit(aws, ["s3"], ["PAC-S3-002"]) == {
        ("PAC-S3-002", "first"): "fail",
        ("PAC-S3-002", "second"): "fail",
    }
