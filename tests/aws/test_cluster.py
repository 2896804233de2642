"""``pacscan audit --cluster``: an organisation audited on Dask distributed reports what
the threaded run reports, each account scanned on a worker; a worker that dies in the
middle (collecting or scanning) loses nothing, and a scan that fails loses its account
only.

The clusters are real: worker processes (two of one thread each, for a 2-core machine)
that reach the moto server over HTTP and assume each account's role themselves. Faults
are put into the workers of a cluster the test starts (``client.run``).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from moto_fixtures import ACCOUNT, FaultProxy, MotoAWS
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


def reports(folder: Path) -> dict[str, Any]:
    """Each JSON report, whole, by the account that names the file."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def audit_in(
    aws: MotoAWS, folder: str, *extra: str, env: dict[str, str] | None = None, code: int = 1
) -> Any:
    (aws.tmp / folder).mkdir()
    done = aws.pacscan(*AUDIT[:-1], f"{folder}/{{account}}.json", *extra, env=env)
    assert done.returncode == code, done.stderr  # 1: no account blocks public access
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
    assert reports(aws.tmp / "cluster") == reports(aws.tmp / "threaded")
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


@contextmanager
def two_workers() -> Iterator[tuple[Any, Any]]:
    """A LocalCluster of two one-thread worker processes and a client of it."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def scan_tasks(dask_scheduler: Any = None) -> list[str]:
    """Run on the scheduler: the scan tasks that a worker finished."""
    log = dask_scheduler.transition_log if dask_scheduler is not None else []
    return sorted(
        {str(t.key) for t in log if str(t.key).startswith("pacscan-scan-") and t.finish == "memory"}
    )


def wrap_scans(client: Any, wrapper: Callable[[Any], Any], *args: Any) -> None:
    """In every worker process, ``run_loaded`` of the scan task replaced by
    ``wrapper(run_loaded, *args)``."""

    def install(*args: Any) -> None:
        from scanner.aws import cluster_scan

        cluster_scan.run_loaded = wrapper(cluster_scan.run_loaded, *args)

    client.run(install, *args)


def test_each_account_is_scanned_on_a_worker(aws: MotoAWS) -> None:
    accounts = organization_of(aws, 4, buckets=4)
    audit_in(aws, "threaded", "--quiet", "--snapshot-dir", "snapshots")
    (aws.tmp / "snapshots").rename(aws.tmp / "threaded-snapshots")
    with two_workers() as (cluster, client):
        address = cluster.scheduler_address
        audit_in(aws, "cluster", "--cluster", address, "--snapshot-dir", "snapshots")
        scanned = client.run_on_scheduler(scan_tasks)

        def compiled_sets() -> int:
            from scanner.aws import cluster_policies

            return len(cluster_policies._compiled)

        compiled = client.run(compiled_sets)
    everyone = [*accounts, ACCOUNT]  # the members and the management account
    assert sorted(k.split("-")[2] for k in scanned) == sorted(everyone)  # one scan each
    assert sum(compiled.values()) >= 1  # the workers compiled the policies
    assert reports(aws.tmp / "cluster") == reports(aws.tmp / "threaded")
    for account in everyone:  # the kept snapshots: written by the client, made on a worker
        kept = [
            json.loads(gzip.decompress((aws.tmp / folder / name).read_bytes()))
            for folder in ("threaded-snapshots", "snapshots")
            for name in [f"snapshot-{account}.json.gz"]
        ]
        assert kept[0]["resources"] == kept[1]["resources"]
        assert kept[0]["errors"] == kept[1]["errors"] == []
    finding = reports(aws.tmp / "cluster")[accounts[0]]["findings"][0]
    assert finding["file"] == f"snapshots/snapshot-{accounts[0]}.json.gz"


def failing_for(run_loaded: Any, account: str) -> Any:
    def failing(path: str, *rest: Any) -> Any:
        if os.path.basename(path) == f"snapshot-{account}.json.gz":
            raise RuntimeError(f"injected into the scan of {account}")
        return run_loaded(path, *rest)

    return failing


def test_a_scan_that_fails_loses_its_account_only(aws: MotoAWS) -> None:
    accounts = organization_of(aws, 4, buckets=4)
    audit_in(aws, "threaded", "--quiet")
    broken = accounts[1]
    with two_workers() as (cluster, client):
        wrap_scans(client, failing_for, broken)
        done = audit_in(aws, "cluster", "--cluster", cluster.scheduler_address, code=4)
    assert (
        f"error[CLUSTER-SCAN]: account {broken} has no report: its task failed on the "
        f"cluster: RuntimeError: injected into the scan of {broken}"
    ) in done.stderr
    threaded = reports(aws.tmp / "threaded")
    del threaded[broken]
    assert reports(aws.tmp / "cluster") == threaded  # the other accounts are reported
    assert "cluster: 4 accounts done, 1 failed, 0 retried after a worker was lost" in done.stderr
    assert f"  failed: {broken}" in done.stderr


def held_for(run_loaded: Any, folder: str) -> Any:
    """Each scan marks its worker's pid in ``folder``, then waits for ``released`` there."""

    def held(*args: Any) -> Any:
        Path(folder, f"scanning-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while not Path(folder, "released").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return run_loaded(*args)

    return held


def test_a_worker_killed_while_scanning_loses_nothing(aws: MotoAWS) -> None:
    accounts = organization_of(aws, 4, buckets=4)
    audit_in(aws, "threaded", "--quiet")
    marks = aws.tmp / "marks"
    marks.mkdir()
    with two_workers() as (cluster, client):
        wrap_scans(client, held_for, str(marks))
        result: dict[str, Any] = {}
        run = threading.Thread(
            target=lambda: result.update(
                done=audit_in(aws, "cluster", "--cluster", cluster.scheduler_address)
            )
        )
        run.start()
        try:
            deadline = time.monotonic() + 120
            while not list(marks.glob("scanning-*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            [mark, *_] = marks.glob("scanning-*")
            os.kill(int(mark.name.split("-")[1]), signal.SIGKILL)  # a worker inside a scan
        finally:
            (marks / "released").touch()
        run.join(240)
    assert not run.is_alive()
    assert reports(aws.tmp / "cluster") == reports(aws.tmp / "threaded")
    assert len(reports(aws.tmp / "cluster")) == len(accounts) + 1
    assert "accounts done, 0 failed, 1 retried after a worker was lost" in result["done"].stderr


def summaries(stderr: str) -> dict[str, str]:
    """The summaries an audit printed on stderr for each account (``account X:`` blocks)."""
    found: dict[str, str] = {}
    account = None
    for line in stderr.splitlines():
        if line.startswith("account ") and line.endswith(":"):
            account = line.split()[1].rstrip(":")
            found[account] = ""
        elif account is not None:
            found[account] += line + "\n"
    return found


def test_baselines_and_framework_summaries_on_a_cluster(aws: MotoAWS) -> None:
    accounts = organization_of(aws, 3, buckets=3)
    audit_in(aws, "base", "--quiet")
    session_in(accounts[0]).client("s3").create_bucket(Bucket=f"new-bucket-of-{accounts[0]}")
    asked = ["--quiet", "--baseline", "base/{account}.json", "--framework", "aws-fsbp"]
    threaded = audit_in(aws, "threaded", *asked)
    clustered = audit_in(aws, "cluster", *asked, "--cluster", "local", *SMALL)
    assert reports(aws.tmp / "cluster") == reports(aws.tmp / "threaded")
    assert summaries(clustered.stderr) == summaries(threaded.stderr)
    first = summaries(clustered.stderr)[accounts[0]]
    assert "AWS Foundational Security Best Practices" in first
    assert "failures since the baseline base/{account}.json: 0 new, 1 unchanged" in first


def test_collect_on_a_cluster_writes_what_the_threaded_collection_writes(aws: MotoAWS) -> None:
    accounts = organization_of(aws, 3, buckets=3)
    collect = ["collect", "--quiet", "--region", "us-east-1", "--service", "s3"]
    collect += ["--role-arn", ROLE, "--organization"]
    for folder, extra in (("threaded", []), ("cluster", ["--cluster", "local", *SMALL])):
        (aws.tmp / folder).mkdir()
        done = aws.pacscan(*collect, "-o", f"{folder}/{{account}}.json", *extra)
        assert done.returncode == 0, done.stderr
    for account in [*accounts, ACCOUNT]:
        threaded, clustered = (
            json.loads((aws.tmp / folder / f"{account}.json").read_text())
            for folder in ("threaded", "cluster")
        )
        assert clustered["resources"] == threaded["resources"]
        assert clustered["errors"] == threaded["errors"] == []
