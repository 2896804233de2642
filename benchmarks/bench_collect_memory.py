"""Peak memory of collecting an organisation, per account.

A moto server gets an AWS Organization of ``--accounts`` accounts (the management
account and its members, 4 by default), each with a few S3 buckets, security groups and
KMS keys in two regions. The installed ``pacscan collect --all-regions`` reads them
through an assumed role, every service in every region moto lists (about 38):

1. one file per account (``-o DIR/{account}.json``): one account alone, then the whole
   organisation (``--organization``);
2. one snapshot file: the same two runs.

For each run: wall time and the peak resident memory (max RSS) of the ``pacscan``
process. A boto3 client holds about 0.3 MB and an account read in every region needs a
thousand of them; memory bounded per account means the organisation's peak stays near
the one-account peak instead of growing with every account.

Target: with one file per account, the organisation's peak is within 1.3x of the
one-account peak. Exits 1 when it is missed. ``--single-file-only`` runs the one-file
runs alone, and checks the target on them: the form to measure an older pacscan with.

Usage: ``python benchmarks/bench_collect_memory.py [--accounts N] [--single-file-only]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_collect import FAKE_ENV, pacscan, serve_moto, start

REGIONS = ("us-east-1", "eu-west-1")
ROLE = "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
PEAK_RATIO_TARGET = 1.3
# Runs a command and prints the peak RSS of its process tree's largest process, in KiB.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def serve_moto_quietly(port: Any) -> None:
    """moto's server, without the tracebacks it logs for the regions some services lack."""
    logging.getLogger("werkzeug").disabled = True
    serve_moto(port)


def populate(endpoint: str, members: int) -> list[str]:
    """An organisation of ``members`` + 1 accounts, each with a few resources."""
    import boto3

    os.environ.update(FAKE_ENV, AWS_ENDPOINT_URL=endpoint)
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    for n in range(members):
        org.create_account(Email=f"member-{n}@example.com", AccountName=f"member-{n}")
    accounts = sorted(a["Id"] for a in org.list_accounts()["Accounts"])
    sts = boto3.client("sts")
    for account in accounts:
        creds = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="setup")
        keys = creds["Credentials"]
        session = boto3.Session(
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
        )
        for region in REGIONS:
            plant(session, account, region)
    return accounts


def plant(session: object, account: str, region: str) -> None:
    s3 = session.client("s3", region_name=region)  # type: ignore[attr-defined]
    ec2 = session.client("ec2", region_name=region)  # type: ignore[attr-defined]
    kms = session.client("kms", region_name=region)  # type: ignore[attr-defined]
    for n in range(5):
        name = f"mem-{account}-{region}-{n}"
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        ec2.create_security_group(GroupName=f"g{n}", Description="bench")
        kms.create_key(Description=f"key {n}")


def measured(endpoint: str, args: list[str]) -> tuple[float, int, int]:
    """Seconds, exit code and peak RSS (bytes) of one ``pacscan collect``."""
    env = {**os.environ, **FAKE_ENV, "AWS_ENDPOINT_URL": endpoint}
    command = [sys.executable, "-c", MEASURE, *pacscan(), "collect", "--quiet", *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    code, peak = (int(x) for x in done.stdout.split())
    if code not in (0, 3):
        raise RuntimeError(f"pacscan collect exited {code}: {done.stderr}")
    return elapsed, code, peak * 1024


def count(paths: list[Path]) -> tuple[int, int]:
    """Resources and failed calls in these snapshot files."""
    resources = errors = 0
    for path in paths:
        snapshot = json.loads(path.read_text())
        resources += len(snapshot["resources"])
        errors += len(snapshot["errors"])
    return resources, errors


def report(label: str, seconds: float, peak: int, files: list[Path]) -> None:
    resources, errors = count(files)
    print(
        f"{label}: {seconds:.0f} s, peak RSS {peak / 1024**2:.0f} MB; "
        f"{resources} resources, {errors} failed calls, {len(files)} file(s)"
    )


def bench(work: Path, members: int, per_account: bool) -> bool:
    """With ``per_account`` False, only single-file runs (what pacscan 0.1 could do)."""
    moto, url = start(serve_moto_quietly)
    try:
        accounts = populate(url, members)
        print(f"organisation of {len(accounts)} accounts, resources in {', '.join(REGIONS)}")
        modes = (
            ["one file per account", "one snapshot file"] if per_account else ["one snapshot file"]
        )
        peaks: dict[str, list[int]] = {}
        ok = True
        for mode in modes:
            for selection in (["--account", accounts[0]], ["--organization"]):
                folder = work / f"{modes.index(mode)}-{selection[0].strip('-')}"
                folder.mkdir()
                output = folder / ("{account}.json" if mode.endswith("account") else "all.json")
                args = ["--all-regions", "--role-arn", ROLE, *selection, "-o", str(output)]
                seconds, _, peak = measured(url, args)
                files = sorted(folder.glob("*.json"))
                read = 1 if selection[0] == "--account" else len(accounts)
                report(f"{read} account(s), {mode}", seconds, peak, files)
                peaks.setdefault(mode, []).append(peak)
                ok = ok and len(files) == (read if mode.endswith("account") else 1)
        for mode, (alone, every) in peaks.items():
            print(f"{mode}: peak with {len(accounts)} accounts / with 1: {every / alone:.2f}x")
        alone, every = peaks[modes[0]]
        if every / alone > PEAK_RATIO_TARGET:
            print(f"  MISSED: memory grows with the accounts (target {PEAK_RATIO_TARGET}x)")
            ok = False
        return ok
    finally:
        moto.terminate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int, default=4, help="accounts in the organisation")
    parser.add_argument(
        "--single-file-only",
        action="store_true",
        help="only one-snapshot-file runs (to measure a pacscan without {account} in -o)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-collect-memory-") as temporary:
        ok = bench(Path(temporary), options.accounts - 1, not options.single_file_only)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
