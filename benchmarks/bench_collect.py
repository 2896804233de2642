"""How fast live collection runs, and how fast a very large snapshot scans.

1. Collection: about 2,000 resources are made in a moto server across 4 regions
   (security groups, EBS volumes, KMS keys, S3 buckets, IAM users), then the installed
   ``pacscan collect`` snapshots them with ``--workers 1`` and with ``--workers 8``.
   Twice: straight against moto on this machine, where every call costs CPU in the
   moto process and nothing else; and through a proxy that holds each request for
   50 ms, as a real AWS endpoint (network plus service time) would.
2. Buckets and roles: 2,000 S3 buckets and 1,000 IAM roles (``--buckets``, ``--roles``)
   in a fresh moto server, collected through the 50 ms proxy with ``--workers 1`` and
   with the default workers: every bucket costs eleven calls, read bucket by bucket in
   parallel within the worker budget.
3. Scan: a generated snapshot of 100,000 resources (the collectors' shapes, 10 accounts,
   4 regions, about half of them failing some policy) is scanned by ``pacscan scan`` with
   every bundled policy; wall time and peak memory (max RSS) of the whole process. Then
   the evaluation alone, in this process: (policy, resource) pairs per CPU second.

Targets: concurrent collection at least 3x faster than serial (checked on the 50 ms
run: against a local moto both sides share the same 2 cores, so concurrency can only
overlap client and server work); the 100k scan within 10 s and 1 GB; at least 100,000
pairs per second evaluated. Exits 1 when a target is missed.

Usage: ``python benchmarks/bench_collect.py [--skip-collect] [--skip-items] [--skip-scan]
[--buckets N] [--roles N]``
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import logging
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
LATENCY = 0.05
COLLECT_SPEEDUP_TARGET = 3.0
SCAN_SECONDS_TARGET = 10.0
SCAN_MEMORY_TARGET = 1024**3
SCAN_RESOURCES = 100_000
PAIRS_TARGET = 100_000  # (policy, resource) pairs per CPU second, library policies
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def pacscan() -> list[str]:
    script = Path(sys.executable).parent / "pacscan"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from scanner.cli import main; sys.exit(main())"]


# -- collection --------------------------------------------------------------------------


def serve_moto(port: Any) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port.value = server.get_host_and_port()[1]
    while True:
        time.sleep(3600)


def serve_delay(target: str, delay: float, port: Any) -> None:
    """A forwarding proxy that holds every request ``delay`` seconds first."""
    parts = urlsplit(target)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:
            pass

        def _any(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            time.sleep(delay)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            conn.request(self.command, self.path, body=body or None, headers=dict(self.headers))
            answer = conn.getresponse()
            data = answer.read()
            conn.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


def start(target: Any, *args: Any) -> tuple[multiprocessing.Process, str]:
    port = multiprocessing.Value("i", 0)
    process = multiprocessing.Process(target=target, args=(*args, port), daemon=True)
    process.start()
    for _ in range(600):
        if port.value:
            return process, f"http://127.0.0.1:{port.value}"
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def populate(endpoint: str) -> None:
    """Per region: 240 security groups, 200 volumes, 40 KMS keys, 15 buckets; 40 users."""
    import boto3

    os.environ.update(FAKE_ENV, AWS_ENDPOINT_URL=endpoint)
    for region in REGIONS:
        ec2 = boto3.client("ec2", region_name=region)
        for n in range(240):
            group = ec2.create_security_group(GroupName=f"g{n}", Description="bench")["GroupId"]
            if n % 3 == 0:
                ec2.authorize_security_group_ingress(
                    GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="0.0.0.0/0"
                )
        for n in range(200):
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=8, Encrypted=n % 2 == 0)
        kms = boto3.client("kms", region_name=region)
        for n in range(40):
            kms.create_key(Description=f"key {n}")
        s3 = boto3.client("s3", region_name=region)
        for n in range(15):
            config = {} if region == "us-east-1" else {"LocationConstraint": region}
            name = f"bench-{region}-{n}"
            if config:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
            else:
                s3.create_bucket(Bucket=name)
    iam = boto3.client("iam")
    for n in range(40):
        iam.create_user(UserName=f"user-{n}")


def populate_items(endpoint: str, buckets: int, roles: int) -> None:
    """``buckets`` buckets in us-east-1 (every third versioned), ``roles`` IAM roles."""
    import boto3

    os.environ.update(FAKE_ENV, AWS_ENDPOINT_URL=endpoint)
    s3 = boto3.client("s3", region_name="us-east-1")
    for n in range(buckets):
        s3.create_bucket(Bucket=f"item-bench-{n:05d}")
        if n % 3 == 0:
            s3.put_bucket_versioning(
                Bucket=f"item-bench-{n:05d}", VersioningConfiguration={"Status": "Enabled"}
            )
    iam = boto3.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for n in range(roles):
        iam.create_role(RoleName=f"bench-role-{n:05d}", AssumeRolePolicyDocument=trust)


def timed_collect(
    endpoint: str,
    workers: int | None,
    out: Path,
    services: tuple[str, ...] = ("ec2", "kms", "s3", "iam"),
    regions: tuple[str, ...] = REGIONS,
) -> tuple[float, int, int]:
    """Seconds, resources and errors of one ``pacscan collect``; ``None``: default workers."""
    args = [*pacscan(), "collect", "--quiet", "-o", str(out)]
    if workers is not None:
        args += ["--workers", str(workers)]
    for service in services:
        args += ["--service", service]
    for region in regions:
        args += ["--region", region]
    env = {**os.environ, **FAKE_ENV, "AWS_ENDPOINT_URL": endpoint}
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(done.stderr)
    snapshot = json.loads(out.read_text())
    return elapsed, len(snapshot["resources"]), len(snapshot["errors"])


def bench_collect(work: Path) -> bool:
    moto, moto_url = start(serve_moto)
    proxy, proxy_url = start(serve_delay, moto_url, LATENCY)
    try:
        started = time.perf_counter()
        populate(moto_url)
        print(f"made the resources in {time.perf_counter() - started:.1f} s")
        timed_collect(moto_url, 8, work / "warm.json")  # moto builds its backends lazily
        ok = True
        for label, url in (("moto, no latency", moto_url), (f"{LATENCY * 1000:.0f} ms", proxy_url)):
            serial, count, errors = timed_collect(url, 1, work / "serial.json")
            concurrent, count2, errors2 = timed_collect(url, 8, work / "concurrent.json")
            speedup = serial / concurrent
            print(
                f"collect ({label}): {count} resources, {errors + errors2} errors; "
                f"--workers 1: {serial:.1f} s, --workers 8: {concurrent:.1f} s, "
                f"speedup {speedup:.1f}x"
            )
            if url == proxy_url and speedup < COLLECT_SPEEDUP_TARGET:
                print(f"  MISSED: concurrent collection is not {COLLECT_SPEEDUP_TARGET}x faster")
                ok = False
        return ok
    finally:
        proxy.terminate()
        moto.terminate()


def bench_collect_items(work: Path, buckets: int, roles: int) -> bool:
    moto, moto_url = start(serve_moto)
    proxy, proxy_url = start(serve_delay, moto_url, LATENCY)
    try:
        started = time.perf_counter()
        populate_items(moto_url, buckets, roles)
        print(f"made {buckets} buckets and {roles} roles in {time.perf_counter() - started:.1f} s")
        scope = {"services": ("s3", "iam"), "regions": ("us-east-1",)}
        serial, count, errors = timed_collect(proxy_url, 1, work / "items-1.json", **scope)
        concurrent, count2, errors2 = timed_collect(proxy_url, None, work / "items.json", **scope)
        same = (
            json.loads((work / "items-1.json").read_text())["resources"]
            == json.loads((work / "items.json").read_text())["resources"]
        )
        speedup = serial / concurrent
        print(
            f"collect buckets and roles ({LATENCY * 1000:.0f} ms): {count} resources, "
            f"{errors + errors2} errors; --workers 1: {serial:.1f} s, default workers: "
            f"{concurrent:.1f} s, speedup {speedup:.1f}x; same resources: {same}"
        )
        ok = same and count == count2 and count >= buckets + roles
        if speedup < COLLECT_SPEEDUP_TARGET:
            print(f"  MISSED: concurrent collection is not {COLLECT_SPEEDUP_TARGET}x faster")
            ok = False
        return ok
    finally:
        proxy.terminate()
        moto.terminate()


# -- scan of a large snapshot ------------------------------------------------------------


def synthetic_resource(rng: random.Random, n: int) -> dict[str, Any]:
    account = f"{100000000000 + n % 10:012d}"
    region = REGIONS[n % len(REGIONS)]
    bad = rng.random() < 0.5
    kind = n % 10
    if kind == 0:
        name = f"bucket-{n}"
        props: dict[str, Any] = {
            "BucketName": name,
            "VersioningConfiguration": {"Status": "Suspended" if bad else "Enabled"},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": not bad, "RestrictPublicBuckets": True,
            },
            "ObjectLockEnabled": False,
            "AccessControl": "PublicRead" if bad and n % 7 == 0 else "Private",
            "Tags": [{"Key": "team", "Value": f"t{n % 13}"}],
        }  # fmt: skip
        if not bad:
            props["BucketEncryption"] = {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
                ]
            }
        return live(f"arn:aws:s3:::{name}", "AWS::S3::Bucket", name, account, region, props)
    if kind == 1:
        name = f"bucket-{n - 1}"
        statement = {
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }  # fmt: skip
        props = {
            "Bucket": name,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        }
        arn = f"arn:aws:s3:::{name}#policy"
        return live(arn, "AWS::S3::BucketPolicy", name, account, region, props)
    if kind in (2, 3):
        group = f"sg-{n:017x}"
        rule = {"IpProtocol": "tcp", "FromPort": 22 if bad else 443, "ToPort": 22 if bad else 443,
                "CidrIp": "0.0.0.0/0"}  # fmt: skip
        egress = {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIp": "0.0.0.0/0"}
        props = {"GroupName": f"group-{n}", "GroupDescription": "app", "VpcId": "vpc-1",
                 "SecurityGroupIngress": [rule], "SecurityGroupEgress": [egress]}  # fmt: skip
        arn = f"arn:aws:ec2:{region}:{account}:security-group/{group}"
        return live(arn, "AWS::EC2::SecurityGroup", group, account, region, props)
    if kind == 4:
        volume = f"vol-{n:017x}"
        props = {"AvailabilityZone": f"{region}a", "Encrypted": not bad, "Size": 8,
                 "VolumeType": "gp3"}  # fmt: skip
        arn = f"arn:aws:ec2:{region}:{account}:volume/{volume}"
        return live(arn, "AWS::EC2::Volume", volume, account, region, props)
    if kind == 5:
        instance = f"i-{n:017x}"
        props = {
            "ImageId": "ami-1", "InstanceType": "t3.micro", "SubnetId": "subnet-1",
            "SecurityGroupIds": [f"sg-{n - 2:017x}"],
            "MetadataOptions": {"HttpTokens": "optional" if bad else "required",
                                "HttpEndpoint": "enabled"},
            "NetworkInterfaces": [{"DeviceIndex": "0", "AssociatePublicIpAddress": bad}],
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                                     "Ebs": {"Encrypted": not bad, "VolumeSize": 8}}],
            "Monitoring": False,
        }  # fmt: skip
        arn = f"arn:aws:ec2:{region}:{account}:instance/{instance}"
        return live(arn, "AWS::EC2::Instance", instance, account, region, props)
    if kind == 6:
        user = f"user-{n}"
        props = {
            "UserName": user, "Path": "/", "Groups": ["dev"],
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"] if bad else [],
            "Policies": [],
            "AccessKeys": [{"AccessKeyId": f"AKIA{n:016d}", "Status": "Active",
                            "CreateDate": "2020-01-01T00:00:00Z" if bad else "2999-01-01"}],
            "MFADevices": [],
        }  # fmt: skip
        arn = f"arn:aws:iam::{account}:user/{user}"
        return live(arn, "AWS::IAM::User", user, account, "global", props)
    if kind == 7:
        key = f"{n:08d}-0000-0000-0000-000000000000"
        props = {
            "Enabled": True, "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS",
            "EnableKeyRotation": not bad,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"}]},
        }  # fmt: skip
        arn = f"arn:aws:kms:{region}:{account}:key/{key}"
        return live(arn, "AWS::KMS::Key", key, account, region, props)
    if kind == 8:
        db = f"db-{n}"
        props = {
            "DBInstanceIdentifier": db, "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
            "StorageEncrypted": not bad, "PubliclyAccessible": bad, "MultiAZ": not bad,
            "BackupRetentionPeriod": 1 if bad else 7, "DeletionProtection": not bad,
            "AutoMinorVersionUpgrade": True, "EnableIAMDatabaseAuthentication": not bad,
            "CopyTagsToSnapshot": True, "MonitoringInterval": 60,
            "EnableCloudwatchLogsExports": ["postgresql", "upgrade"], "MasterUsername": "app",
            "VPCSecurityGroups": [f"sg-{n - 6:017x}"],
        }  # fmt: skip
        arn = f"arn:aws:rds:{region}:{account}:db:{db}"
        return live(arn, "AWS::RDS::DBInstance", db, account, region, props)
    fn = f"fn-{n}"
    props = {
        "FunctionName": fn, "Runtime": "python3.7" if bad else "python3.12",
        "Role": f"arn:aws:iam::{account}:role/fn", "Handler": "app.handle",
        "MemorySize": 128, "Timeout": 3, "TracingConfig": {"Mode": "PassThrough"},
    }  # fmt: skip
    arn = f"arn:aws:lambda:{region}:{account}:function:{fn}"
    return live(arn, "AWS::Lambda::Function", fn, account, region, props)


def live(
    arn: str, type_: str, name: str, account: str, region: str, props: dict[str, Any]
) -> dict[str, Any]:
    return {"type": type_, "id": arn, "name": name, "account": account, "region": region,
            "properties": props, "tags": {}}  # fmt: skip


def write_large_snapshot(path: Path) -> int:
    rng = random.Random(5)
    resources = [synthetic_resource(rng, n) for n in range(SCAN_RESOURCES)]
    snapshot = {
        "format": "pacscan-snapshot",
        "version": 1,
        "tool": {"name": "pacscan", "version": "bench"},
        "collected_at": "2024-05-01T02:00:00Z",
        "accounts": sorted({r["account"] for r in resources}),
        "regions": sorted({r["region"] for r in resources}),
        "resources": resources,
        "errors": [],
    }
    data = json.dumps(snapshot).encode()
    path.write_bytes(gzip.compress(data, compresslevel=6))
    return len(data)


def bench_scan(work: Path) -> bool:
    path = work / "large-snapshot.json.gz"
    size = write_large_snapshot(path)
    print(
        f"snapshot: {SCAN_RESOURCES} resources, {size / 1024**2:.0f} MB of JSON, "
        f"{path.stat().st_size / 1024**2:.1f} MB gzip-compressed"
    )
    best = float("inf")
    peak = 0
    for _ in range(2):
        args = [*pacscan(), "scan", "--no-config", "--format", "json", "-o", str(work / "r.json")]
        started = time.perf_counter()
        done = subprocess.run([*args, str(path)], capture_output=True, text=True, cwd=work)
        best = min(best, time.perf_counter() - started)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:])
            return False
    summary = json.loads((work / "r.json").read_text())["summary"]
    print(
        f"scan: {summary['resources']} resources, {summary['fail']} failed and "
        f"{summary['pass']} passed findings; best of 2: {best:.1f} s, "
        f"peak RSS {peak / 1024**2:.0f} MB"
    )
    ok = summary["resources"] == SCAN_RESOURCES
    if best > SCAN_SECONDS_TARGET:
        print(f"  MISSED: the scan took more than {SCAN_SECONDS_TARGET:.0f} s")
        ok = False
    if peak > SCAN_MEMORY_TARGET:
        print("  MISSED: the scan used more than 1 GB")
        ok = False
    return bench_evaluation(path) and ok


def bench_evaluation(path: Path) -> bool:
    """Every bundled policy over the snapshot, evaluation alone (loaded and compiled first;
    the inputs, then the findings, frozen for the garbage collector while it is paused, as
    a scan does)."""
    import gc

    from scanner.engine.evaluate import evaluate
    from scanner.gc_pause import paused_gc
    from scanner.loaders import LoadOptions, load_inputs
    from scanner.policyset import compile_policies

    program = compile_policies((), {}).program
    resources = load_inputs([str(path)], LoadOptions(jobs=1)).resources
    pairs = sum(len(program.by_type.get(r.type) or ()) for r in resources)
    best = float("inf")
    gc.freeze()
    try:
        for _ in range(2):
            started = time.process_time()
            with paused_gc():
                findings = evaluate(program, resources)
                gc.freeze()
            best = min(best, time.process_time() - started)
            gc.unfreeze()
            del findings
            gc.freeze()  # the inputs only, again
    finally:
        gc.unfreeze()
    rate = pairs / best
    print(f"evaluate: {pairs:,} pairs in {best:.2f} s cpu = {rate:,.0f} pairs/s (library policies)")
    if rate < PAIRS_TARGET:
        print(f"  MISSED: fewer than {PAIRS_TARGET:,} pairs/s")
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--skip-collect", action="store_true")
    parser.add_argument("--skip-items", action="store_true")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--buckets", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=1000)
    options = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as temporary:
        work = Path(temporary)
        if not options.skip_collect:
            ok = bench_collect(work) and ok
        if not options.skip_items:
            ok = bench_collect_items(work, options.buckets, options.roles) and ok
        if not options.skip_scan:
            ok = bench_scan(work) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
