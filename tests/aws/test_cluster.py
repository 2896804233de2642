"""``pacscan audit --cluster``: an organisation audited on Dask distributed finds what the
threaded run finds, and a worker that dies in the middle loses nothing.

The clusters are real: worker processes (two of one thread each, for a 2-core machine)
that reach the moto server over HTTP and assume each account's role themselves.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from moto_fixtures import FaultProxy, MotoAWS
from test_audit import policy_args
from test_organization_accounts import ROLE, session_in

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

ACCOUNTS = 50
POLICIES = ["PAC-S3-009", "PAC-S3-013"]
AUDIT = [
    "audit", "--no-config", "--format", "json", "--include-passed", "--region", "us-east-1",
    "--service", "s3", *policy_args(POLICIES), "--role-arn", ROLE,
    "--organization", "-o", "{account}.json",
]  # fmt: skip
SMALL = ["--cluster-workers", "2", "--cluster-threads", "1"]


def organization_of(aws: MotoAWS, count: int, buckets: int) -> list[str]:
    """An organisation of ``count`` member accounts; the first ``buckets`` have a bucket."""
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = []
    for number in range(count):
        status = org.create_account(Email=f"a{number}@example.com", AccountName=f"a{number}")
        accounts.append(str(status["CreateAccountStatus"]["AccountId"]))
    for account in accounts[:buckets]:
        session_in(account).client("s3").create_bucket(Bucket=f"bucket-of-{account}")
    return accounts


def verdicts(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each report's findings, by the account that names the file."""
    found = {}
    for path in sorted(folder.glob("*.json")):
        report = json.loads(path.read_text())
        assert report["errors"] == [], report["errors"]
        found[path.stem] = sorted(
            (f["policy_id"], f["resource"]["id"], f["status"]) for f in report["findings"]
        )
    return found


def audit_in(aws: MotoAWS, folder: str, *extra: str, env: dict[str, str] | None = None) -> Any:
    (aws.tmp / folder).mkdir()
    done = aws.pacscan(*AUDIT[:-1], f"{folder}/{{account}}.json", *extra, env=env)
    assert done.returncode == 1, done.stderr  # no account blocks public access
    assert "Traceback" not in done.stderr
    return done


def test_a_local_cluster_finds_what_the_threaded_run_finds(aws: MotoAWS) -> None:
    accounts = organization_of(aws, ACCOUNTS, buckets=5)
    audit_in(aws, "threaded", "--quiet")
    done = audit_in(aws, "cluster", "--cluster", "local", *SMALL)
    threaded, clustered = verdicts(aws.tmp / "threaded"), verdicts(aws.tmp / "cluster")
    assert len(clustered) == ACCOUNTS + 1  # the members and the management account
    assert set(accounts) < set(clustered)
    assert clustered == threaded
    assert ("PAC-S3-009", f"arn:aws:s3:::bucket-of-{accounts[0]}", "fail") in clustered[accounts[0]]
    assert f"cluster: {ACCOUNTS + 1} accounts done, 0 failed, 0 retried" in done.stderr
    assert "dask dashboard: http://" in done.stderr


class HoldListings:
    """S3 in front of moto: every ListBuckets waits until ``released`` (at most 60 s)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held = 0
        self.two_held = threading.Event()
        self.released = threading.Event()

    def __call__(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        if method == "GET" and (path == "/" or path.startswith("/?")):
            with self.lock:
                self.held += 1
                if self.held >= 2:
                    self.two_held.set()
            self.released.wait(60)
        return None


def test_a_worker_killed_mid_run_loses_nothing(
    aws: MotoAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = organization_of(aws, 6, buckets=6)
    audit_in(aws, "threaded", "--quiet")
    hold = HoldListings()
    with FaultProxy(aws.url, hold) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)  # the workers' S3
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            result: dict[str, Any] = {}
            run = threading.Thread(
                target=lambda: result.update(
                    done=audit_in(aws, "cluster", "--cluster", cluster.scheduler_address)
                )
            )
            run.start()
            try:
                assert hold.two_held.wait(120), "the workers never listed buckets"
                pids = client.run(os.getpid)  # both workers are inside an S3 task
                os.kill(sorted(pids.values())[0], signal.SIGKILL)
            finally:
                hold.released.set()
            run.join(240)
    assert not run.is_alive()
    done = result["done"]
    assert verdicts(aws.tmp / "cluster") == verdicts(aws.tmp / "threaded")
    assert all(
        ("PAC-S3-009", f"arn:aws:s3:::bucket-of-{a}", "fail") in verdicts(aws.tmp / "cluster")[a]
        for a in accounts
    )
    assert "accounts done, 0 failed, 1 retried after a worker was lost" in done.stderr
