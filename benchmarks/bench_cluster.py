"""An organisation audited threaded and on a Dask LocalCluster: wall time and peak memory.

A moto server holds an organisation of ``--accounts`` member accounts (each with a few
S3 buckets and KMS keys); a proxy holds every request 50 ms, as a real AWS endpoint
would. The installed ``pacscan audit --organization`` then audits every account in
``--regions`` regions (``--service`` as given), once threaded (the default path,
``--workers 8``) and once with ``--cluster local`` (``--cluster-workers`` processes of
``--cluster-threads`` threads). Each run's process tree is sampled every 0.1 s: the peak
resident memory of the pacscan process (the client, and with ``--cluster local`` the
scheduler too) and of each worker process.

Target: both runs write a report for every account, with the same findings. The times
and memory are printed for the note; no figure is a target (they depend on the cores).

Usage: ``python benchmarks/bench_cluster.py [--accounts N] [--regions N]
[--service NAME ...] [--cluster-workers N] [--cluster-threads N]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from bench_collect import FAKE_ENV, LATENCY, pacscan, serve_delay, serve_moto, start

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
ROLE = "arn:aws:iam::{account}:role/Audit"


def populate(endpoint: str, accounts: int) -> list[str]:
    """An organisation of ``accounts`` members, each with two buckets and a KMS key."""
    import boto3

    os.environ.update(FAKE_ENV, AWS_ENDPOINT_URL=endpoint)
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    sts = boto3.client("sts", region_name="us-east-1")
    made = []
    for number in range(accounts):
        status = org.create_account(Email=f"a{number}@example.com", AccountName=f"a{number}")
        account = str(status["CreateAccountStatus"]["AccountId"])
        made.append(account)
        keys = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="bench")
        creds = keys["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name="us-east-1",
        )
        for n in range(2):
            session.client("s3").create_bucket(Bucket=f"b{n}-{account}")
        session.client("kms").create_key(Description="bench")
    return made


class PeakMemory:
    """Samples the RSS of a process and its descendants until ``stop``; the peak of each."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peaks: dict[int, tuple[str, int]] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    name = "client" if process.pid == self.root.pid else _role(process)
                except psutil.Error:
                    continue
                known, before = self.peaks.get(process.pid, (name, 0))
                if known != "other":  # an exiting worker has no command line left
                    name = known
                self.peaks[process.pid] = (name, max(before, rss))
            time.sleep(0.1)

    def stop(self) -> list[tuple[str, int]]:
        self.done.set()
        self.thread.join()
        return sorted(self.peaks.values(), key=lambda p: (p[0] != "client", p[0], -p[1]))


def _role(process: psutil.Process) -> str:
    line = " ".join(process.cmdline())
    if "resource_tracker" in line or "multiprocessing" not in line:
        return "other"
    return "worker"


def audit(endpoint: str, work: Path, args: list[str]) -> tuple[float, list[tuple[str, int]], Any]:
    """Seconds, peak memory per process, and the findings of one audit run."""
    reports = work / "reports"
    reports.mkdir(parents=True)
    command = [
        *pacscan(), "audit", "--no-config", "--quiet", "--format", "json",
        "--organization", "--role-arn", ROLE, "-o", str(reports / "{account}.json"), *args,
    ]  # fmt: skip
    env = {**os.environ, **FAKE_ENV, "AWS_ENDPOINT_URL": endpoint}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid)
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    peaks = memory.stop()
    if process.returncode not in (0, 1):
        raise RuntimeError(stderr.decode())
    findings = {
        path.stem: sorted(
            (f["policy_id"], f["resource"]["id"], f["status"])
            for f in json.loads(path.read_text())["findings"]
        )
        for path in reports.glob("*.json")
    }
    return elapsed, peaks, findings


def show(label: str, elapsed: float, peaks: list[tuple[str, int]], reports: int) -> None:
    memory = ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in peaks)
    print(f"{label}: {elapsed:.1f} s for {reports} account reports; peak RSS: {memory}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--service", action="append", dest="services")
    parser.add_argument("--cluster-workers", type=int, default=2)
    parser.add_argument("--cluster-threads", type=int, default=4)
    options = parser.parse_args()
    services = options.services or ["s3", "kms", "iam"]
    common = [arg for s in services for arg in ("--service", s)]
    common += [arg for r in REGIONS[: options.regions] for arg in ("--region", r)]
    moto, moto_url = start(serve_moto)
    proxy, proxy_url = start(serve_delay, moto_url, LATENCY)
    try:
        made = populate(moto_url, options.accounts)
        print(
            f"{len(made)} member accounts x {options.regions} regions, services "
            f"{', '.join(services)}, {LATENCY * 1000:.0f} ms per request"
        )
        with tempfile.TemporaryDirectory(prefix="pacscan-bench-cluster-") as tmp:
            work = Path(tmp)
            threaded = audit(proxy_url, work / "threaded", [*common, "--workers", "8"])
            show("threaded (--workers 8)", threaded[0], threaded[1], len(threaded[2]))
            size = ["--cluster-workers", str(options.cluster_workers)]
            size += ["--cluster-threads", str(options.cluster_threads)]
            cluster = audit(proxy_url, work / "cluster", [*common, "--cluster", "local", *size])
            label = f"LocalCluster ({options.cluster_workers}x{options.cluster_threads})"
            show(label, cluster[0], cluster[1], len(cluster[2]))
    finally:
        proxy.terminate()
        moto.terminate()
    same = threaded[2] == cluster[2] and len(cluster[2]) == len(made) + 1
    print(f"same findings in every account's report: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
