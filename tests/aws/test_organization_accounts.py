"""Organisations as a nightly job reads them: organizational units, excluded accounts, an
external ID on every AssumeRole, and one snapshot file per account written as soon as
that account is finished.
"""

from __future__ import annotations

import gc
import gzip
import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS, pacscan_command, resources_of

from scanner.aws.runner import CollectRequest, collect_accounts
from scanner.aws.session import AccountClients
from scanner.loaders.snapshot import schema_validator

ROLE = "arn:aws:iam::{account}:role/Audit"
OTHER_ACCOUNTS = ("111111111111", "222222222222")
ACCESS_DENIED_JSON = json.dumps(
    {"__type": "AccessDeniedException", "Message": "You don't have permissions"}
).encode()


def organization(aws: MotoAWS) -> dict[str, Any]:
    """root ─┬─ platform ─┬─ (account platform)
    │            └─ shared ── (account shared)
    ├─ sandbox ── (account sandbox)
    └─ (account loose, and the management account)
    """
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def unit(name: str, parent: str) -> str:
        made = org.create_organizational_unit(ParentId=parent, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    def account(name: str, parent: str) -> str:
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)
        made = str(status["CreateAccountStatus"]["AccountId"])
        if parent != root:
            org.move_account(AccountId=made, SourceParentId=root, DestinationParentId=parent)
        return made

    units = {"root": root, "platform": unit("platform", root), "sandbox": unit("sandbox", root)}
    units["shared"] = unit("shared", units["platform"])
    accounts = {
        "platform": account("platform", units["platform"]),
        "shared": account("shared", units["shared"]),
        "sandbox": account("sandbox", units["sandbox"]),
        "loose": account("loose", root),
    }
    return {"units": units, "accounts": accounts}


def collect_kms(aws: MotoAWS, *args: str, env: dict[str, str] | None = None) -> Any:
    return aws.collect(
        "--service", "kms", "--region", "us-east-1", "--role-arn", ROLE, *args, env=env
    )


def test_ou_reads_every_account_under_it_nested_units_included(aws: MotoAWS) -> None:
    org = organization(aws)
    snapshot, done = collect_kms(aws, "--ou", org["units"]["platform"])
    assert done.returncode == 0, done.stderr
    accounts = org["accounts"]
    assert snapshot["accounts"] == sorted([accounts["platform"], accounts["shared"]])


def test_several_units_and_accounts_less_the_excluded_ones(aws: MotoAWS) -> None:
    org = organization(aws)
    units, accounts = org["units"], org["accounts"]
    snapshot, done = collect_kms(
        aws,
        "--ou", units["platform"], "--ou", units["sandbox"], "--account", OTHER_ACCOUNTS[0],
        "--exclude-account", accounts["shared"], "--exclude-account", OTHER_ACCOUNTS[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = [accounts["platform"], accounts["sandbox"], OTHER_ACCOUNTS[0]]
    assert snapshot["accounts"] == sorted(expected)


def test_a_root_stands_for_the_whole_organization(aws: MotoAWS) -> None:
    org = organization(aws)
    snapshot, done = collect_kms(
        aws, "--ou", org["units"]["root"], "--exclude-account", org["accounts"]["loose"]
    )
    assert done.returncode == 0, done.stderr
    members = {a: i for a, i in org["accounts"].items() if a != "loose"}
    assert snapshot["accounts"] == sorted([ACCOUNT, *members.values()])


def test_a_unit_that_does_not_exist_is_an_input_error_and_the_rest_is_read(aws: MotoAWS) -> None:
    org = organization(aws)
    missing = "ou-abcd-12345678"
    snapshot, done = collect_kms(aws, "--ou", missing, "--ou", org["units"]["sandbox"])
    assert done.returncode == 3, done.stderr
    assert snapshot["accounts"] == [org["accounts"]["sandbox"]]
    [error] = snapshot["errors"]
    assert (error["account"], error["service"], error["operation"], error["code"]) == (
        ACCOUNT,
        "organizations",
        "ListAccountsForParent",
        "ParentNotFoundException",
    )
    assert error["message"].startswith(f"{missing}: ")


def test_a_denied_organizations_call_is_an_input_error_and_the_rest_is_read(
    aws: MotoAWS,
) -> None:
    organization(aws)
    with FaultProxy(aws.url, lambda method, path, body: (400, ACCESS_DENIED_JSON)) as proxy:
        done = aws.pacscan(
            "collect", "-o", "snapshot.json", "--service", "kms", "--region", "us-east-1",
            "--role-arn", ROLE, "--organization", "--account", OTHER_ACCOUNTS[0],
            env={"AWS_ENDPOINT_URL_ORGANIZATIONS": proxy.url},
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        "error[AWS-ACCESSDENIEDEXCEPTION]: organizations:ListAccounts failed in account "
        f"{ACCOUNT} (global): AccessDeniedException: the organization: " in done.stderr
    )
    snapshot = json.loads((aws.tmp / "snapshot.json").read_text())
    assert snapshot["accounts"] == [OTHER_ACCOUNTS[0]]
    assert [e["operation"] for e in snapshot["errors"]] == ["ListAccounts"]


class ExternalIdCheck:
    """STS in front of moto, with a trust policy that wants an external ID."""

    def __init__(self, external_id: str) -> None:
        self.wanted = external_id
        self.seen: list[dict[str, list[str]]] = []

    def __call__(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        form = parse_qs(body.decode())
        if form.get("Action") != ["AssumeRole"]:
            return None
        self.seen.append(form)
        if form.get("ExternalId") == [self.wanted]:
            return None
        return 403, (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>"
            b"not authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>"
        )


@pytest.mark.parametrize("given", [True, False])
def test_external_id_goes_with_every_assume_role(aws: MotoAWS, given: bool) -> None:
    check = ExternalIdCheck("nightly-audit:7")
    args = ["--account", OTHER_ACCOUNTS[0], "--account", OTHER_ACCOUNTS[1]]
    if given:
        args += ["--external-id", "nightly-audit:7"]
    with FaultProxy(aws.url, check) as proxy:
        snapshot, done = collect_kms(aws, *args, env={"AWS_ENDPOINT_URL_STS": proxy.url})
    assert len(check.seen) == 2
    if given:
        assert done.returncode == 0, done.stderr
        assert snapshot["accounts"] == list(OTHER_ACCOUNTS)
    else:
        assert done.returncode == 3
        assert [(e["operation"], e["code"]) for e in snapshot["errors"]] == [
            ("AssumeRole", "AccessDenied"),
            ("AssumeRole", "AccessDenied"),
        ]
        assert snapshot["accounts"] == list(OTHER_ACCOUNTS)  # read by none: named by errors


def session_in(account: str) -> boto3.Session:
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="setup")
    keys = creds["Credentials"]
    return boto3.Session(
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        region_name="us-east-1",
    )


def test_one_file_per_account_holds_that_account_only(aws: MotoAWS) -> None:
    for account in OTHER_ACCOUNTS:
        session_in(account).client("s3").create_bucket(Bucket=f"bucket-of-{account}")
    (aws.tmp / "nightly").mkdir()
    args = ["--service", "s3", "--region", "us-east-1", "--role-arn", ROLE]
    for account in OTHER_ACCOUNTS:
        args += ["--account", account]
    done = aws.pacscan("collect", *args, "-o", "nightly/snapshot-{account}.json.gz")
    assert done.returncode == 0, done.stderr
    files = sorted((aws.tmp / "nightly").iterdir())
    assert [f.name for f in files] == [f"snapshot-{a}.json.gz" for a in OTHER_ACCOUNTS]
    whole, _ = aws.collect(*args)
    for account, path in zip(OTHER_ACCOUNTS, files, strict=True):
        part = json.loads(gzip.decompress(path.read_bytes()))
        schema_validator().validate(part)
        assert part["accounts"] == [account]
        assert list(resources_of(part, "AWS::S3::Bucket")) == [f"bucket-of-{account}"]
        assert part["resources"] == [r for r in whole["resources"] if r["account"] == account]
    assert f"wrote nightly/snapshot-{OTHER_ACCOUNTS[1]}.json.gz" in done.stderr


class HoldSecondListing:
    """S3 in front of moto that holds the second ListBuckets until ``release``."""

    def __init__(self) -> None:
        self.listings = 0
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.released = threading.Event()

    def __call__(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        if method != "GET" or not (path == "/" or path.startswith("/?")):
            return None
        with self.lock:
            self.listings += 1
            second = self.listings == 2
        if second:
            self.held.set()
            self.released.wait(120)
        return None


def test_a_finished_account_is_on_disk_while_the_next_runs_and_survives_a_kill(
    aws: MotoAWS,
) -> None:
    (aws.tmp / "nightly").mkdir()
    hold = HoldSecondListing()
    args = ["collect", "--quiet", "--service", "s3", "--region", "us-east-1", "--timeout", "120",
            "--role-arn", ROLE, "--account", OTHER_ACCOUNTS[0], "--account", OTHER_ACCOUNTS[1],
            "-o", "nightly/{account}.json"]  # fmt: skip
    with FaultProxy(aws.url, hold) as proxy:
        process = subprocess.Popen(
            [*pacscan_command(), *args],
            env={**aws.env, "AWS_ENDPOINT_URL_S3": proxy.url},
            cwd=aws.tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert hold.held.wait(120), "the second account never listed its buckets"
            written = wait_for_files(aws.tmp / "nightly", process)
            assert process.poll() is None  # still collecting the held account
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            hold.released.set()
            if process.poll() is None:
                process.kill()
            process.wait(30)
            assert process.stderr is not None
            process.stderr.close()
    [path] = written
    [account] = [a for a in OTHER_ACCOUNTS if path.name == f"{a}.json"]
    snapshot = json.loads(path.read_text())
    schema_validator().validate(snapshot)
    assert snapshot["accounts"] == [account]
    assert sorted(p.name for p in (aws.tmp / "nightly").glob("*.json")) == [path.name]


def wait_for_files(folder: Path, process: subprocess.Popen[bytes]) -> list[Path]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.json"))
        if found:
            return found
        if process.poll() is not None:
            raise AssertionError(f"pacscan ended first ({process.returncode})")
        time.sleep(0.1)
    raise AssertionError("no account's snapshot was written while the other was held")


def test_an_account_that_cannot_be_read_gets_a_file_of_its_errors(aws: MotoAWS) -> None:
    check = ExternalIdCheck("right-one")
    (aws.tmp / "nightly").mkdir()
    with FaultProxy(aws.url, check) as proxy:
        done = aws.pacscan(
            "collect", "--service", "kms", "--region", "us-east-1", "--role-arn", ROLE,
            "--account", OTHER_ACCOUNTS[0], "--external-id", "wrong-one",
            "-o", "nightly/{account}.json", env={"AWS_ENDPOINT_URL_STS": proxy.url},
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    snapshot = json.loads((aws.tmp / "nightly" / f"{OTHER_ACCOUNTS[0]}.json").read_text())
    assert snapshot["resources"] == []
    [error] = snapshot["errors"]
    assert (error["operation"], error["code"]) == ("AssumeRole", "AccessDenied")
    assert error["types"] == ["AWS::KMS::Key"]


def test_a_snapshot_that_cannot_be_written_loses_that_account_only(aws: MotoAWS) -> None:
    (aws.tmp / "nightly").mkdir()
    (aws.tmp / "nightly" / f"{OTHER_ACCOUNTS[0]}.json").mkdir()  # in the way of the file
    done = aws.pacscan(
        "collect", "--service", "kms", "--region", "us-east-1", "--role-arn", ROLE,
        "--account", OTHER_ACCOUNTS[0], "--account", OTHER_ACCOUNTS[1],
        "-o", "nightly/{account}.json",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"nightly/{OTHER_ACCOUNTS[0]}.json: it is a directory" in done.stderr
    written = json.loads((aws.tmp / "nightly" / f"{OTHER_ACCOUNTS[1]}.json").read_text())
    assert written["accounts"] == [OTHER_ACCOUNTS[1]]


def test_nothing_of_a_finished_account_stays_in_memory(aws: MotoAWS) -> None:
    accounts = ("111111111111", "222222222222", "333333333333", "444444444444")
    request = CollectRequest(
        regions=("us-east-1", "eu-west-1"),
        services=("kms", "ec2"),
        role_arn=ROLE,
        accounts=accounts,
        show_progress=False,
    )
    finished: list[str] = []
    for part in collect_accounts(request, session=boto3.Session()):
        finished.append(part.account)
        gc.collect()
        alive = [o.account for o in gc.get_objects() if isinstance(o, AccountClients)]
        assert not set(alive) & set(finished)
        assert len(alive) <= 1  # the next account, started while this one finished
    assert sorted(finished) == list(accounts)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ou", "engineering"], "--ou expects an organizational unit id (ou-…) or a root id"),
        (["--ou", "ou-abcd-12345678"], "--organization and --ou need --role-arn"),
        (["--role-arn", ROLE, "--exclude-account", "123"], "--exclude-account expects a 12-digit"),
        (["--exclude-account", "111111111111"], "--exclude-account needs --account, --ou or"),
        (["--external-id", "abc"], "--external-id needs --role-arn"),
        (
            ["--role-arn", ROLE, "--account", "111111111111", "--external-id", "two words"],
            "--external-id must be 2 to 1224 characters",
        ),
        (
            ["--role-arn", "arn:aws:iam::111111111111:role/Audit", "--organization"],
            "--role-arn must contain {account}",
        ),
        (["-o", "{account}/snapshot.json"], "-o may have {account} in its file name only"),
    ],
)
def test_usage_errors_exit_2_before_any_call(aws: MotoAWS, args: list[str], message: str) -> None:
    calls: list[str] = []

    def record(method: str, path: str, body: bytes) -> tuple[int, bytes]:
        calls.append(path)
        return 500, b"no call expected"

    with FaultProxy(aws.url, record) as proxy:
        done = aws.pacscan(
            "collect", "--service", "kms", *args, env={"AWS_ENDPOINT_URL": proxy.url}
        )
    assert calls == []
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert list(aws.tmp.iterdir()) == []
