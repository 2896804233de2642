"""How fast templates load and scan.

Scans a corpus of CloudFormation templates: the public corpus given with ``--corpus DIR``
(it is not part of the repository), else one generated in a temporary directory (300
templates holding 2,000 resources, YAML and JSON, with parameters, conditions and
intrinsics). Measures:

- ``yaml.compose`` of every file with libyaml's loader: the yardstick;
- ``load_inputs`` of the corpus in this process (one process, and worker processes);
- a whole ``pacscan scan DIR --format json`` process;
- a whole ``pacscan scan`` process on one small template, with the cache warm and empty;
- that ``pacscan scan`` never imports boto3.

Targets: the whole-process scan takes at most 2x the compose time; one small template
at most 0.2 s (warm cache; the empty cache of a fresh CI runner is printed without a
target: an installed wheel reads the built-in library parsed and indexed from its seed,
an editable install parses every policy, and the line says which); no boto3. When cfn-lint or
checkov is installed, it runs once on the same corpus in the same run and the ratio is
printed (absolute times depend on the machine and its load). Each timing is the best
of a few runs (other work on the machine only ever slows a run down). Exits 1 when a
target is missed.

Usage: ``python benchmarks/bench_scan.py [--corpus DIR] [--peers DIR] [--keep] [--parallel]``
(``--peers`` is a directory holding the ``cfn-lint`` and ``checkov`` commands, such as the
``bin`` of a separate virtual environment; ``--keep`` leaves the generated corpus in the
temporary directory; ``--parallel`` also measures where worker processes start to pay).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from scanner.loaders import LoadOptions, load_inputs

TEMPLATES = 300
RESOURCES = 2000
JSON_SHARE = 0.2
RUNS = 3
WHOLE_TARGET = 2.0  # a whole scan process against a libyaml compose of the same files
SMALL_TARGET = 0.2  # seconds: one small template, whole process
SMALL = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-logs"
      VersioningConfiguration: {Status: Enabled}
"""


def bucket(r: random.Random, name: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "BucketName": {"Fn::Sub": "${AWS::StackName}-" + name.lower()},
        "Tags": [{"Key": "env", "Value": {"Ref": "Env"}}, {"Key": "team", "Value": "data"}],
    }
    if r.random() < 0.6:
        props["VersioningConfiguration"] = {
            "Status": {"Fn::If": ["IsProd", "Enabled", "Suspended"]}
        }
    if r.random() < 0.5:
        rule = {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
        props["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [rule]}
    return {"Type": "AWS::S3::Bucket", "Properties": props}


def bucket_policy(r: random.Random, target: str) -> dict[str, Any]:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [
            {"Fn::GetAtt": [target, "Arn"]},
            {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": target}, "/*"]]},
        ],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": target}, "PolicyDocument": document},
    }


def security_group(r: random.Random) -> dict[str, Any]:
    rules = [
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": cidr}
        for port, cidr in ((443, "0.0.0.0/0"), (r.choice([22, 3389, 5432]), "10.0.0.0/8"))
    ]
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "app", "SecurityGroupIngress": rules},
    }


def role(r: random.Random, target: str) -> dict[str, Any]:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    actions = ["s3:GetObject", "s3:PutObject"] if r.random() < 0.8 else ["*"]
    policy = {
        "PolicyName": "access",
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": actions, "Resource": {"Fn::GetAtt": [target, "Arn"]}}
            ],
        },
    }
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": trust, "Policies": [policy]},
    }


def queue(r: random.Random) -> dict[str, Any]:
    props: dict[str, Any] = {"VisibilityTimeout": r.choice([30, 60, 300])}
    if r.random() < 0.7:
        props["KmsMasterKeyId"] = {"Fn::FindInMap": ["Keys", {"Ref": "Env"}, "Queue"]}
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def function(r: random.Random, role_id: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": r.choice(["python3.12", "nodejs20.x", "python3.8"]),
            "Handler": "app.handler",
            "Role": {"Fn::GetAtt": [role_id, "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            "Environment": {"Variables": {"STAGE": {"Ref": "Env"}}},
        },
    }


def template(r: random.Random, count: int) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    while len(resources) < count:
        n = len(resources)
        b, p, sg, ro, q, fn = (f"{k}{n}" for k in ("Bucket", "Policy", "Sg", "Role", "Queue", "Fn"))
        group = [(b, bucket(r, b)), (p, bucket_policy(r, b)), (sg, security_group(r))]
        group += [(ro, role(r, b)), (q, queue(r)), (fn, function(r, ro))]
        r.shuffle(group)
        resources.update(group[: count - n])
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "AllowedValues": ["prod", "dev"]}},
        "Mappings": {"Keys": {"prod": {"Queue": "alias/prod"}, "dev": {"Queue": "alias/dev"}}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": resources,
    }


def write_corpus(root: Path) -> list[Path]:
    r = random.Random(20240601)
    counts = [RESOURCES // TEMPLATES] * TEMPLATES
    for i in range(RESOURCES - sum(counts)):
        counts[i] += 1
    files = []
    for index, count in enumerate(counts):
        body = template(r, count)
        if r.random() < JSON_SHARE:
            path = root / f"stack-{index:03}.json"
            path.write_text(json.dumps(body, indent=2))
        else:
            path = root / f"stack-{index:03}.yaml"
            path.write_text(yaml.safe_dump(body, sort_keys=False))
        files.append(path)
    return files


def best(action: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """The best wall time and the best CPU time (this process and its children)."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), _cpu()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    return min(walls), min(cpus)


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


TEMPLATE_SUFFIXES = {".yaml", ".yml", ".json", ".template"}


def corpus_templates(corpus: Path) -> list[Path]:
    """The files of a checked-out corpus that are templates: a template suffix, and a
    document libyaml composes (a repository also holds licences, scripts and README files)."""
    files = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEMPLATE_SUFFIXES:
            continue
        try:
            with path.open("rb") as handle:
                yaml.compose(handle, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        files.append(path)
    return files


def compose_all(files: list[Path]) -> None:
    for path in files:
        with path.open("rb") as handle:
            yaml.compose(handle, Loader=yaml.CSafeLoader)


def pacscan(
    *args: str, importtime: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A whole ``pacscan scan`` process of the installed pacscan.

    Run from a neutral directory: ``python -c`` puts the working directory first on the
    path, and from the repository root that is the source tree, which has no
    ``scanner.policies`` unless the install is editable.

    Bytecode may be written (``PYTHONDONTWRITEBYTECODE`` is dropped): pip compiles an
    installed package's modules when it installs them, while a process that may not
    write bytecode compiles every module of an editable install from source on each
    start, 0.14 s of a small template's 0.4 s on a 2-core machine.
    """
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable]
    if importtime:
        command += ["-X", "importtime"]
    script = Path(sys.executable).parent / "pacscan"
    if script.exists():
        command += [str(script)]
    else:
        command += ["-c", "import sys; from scanner.cli import main; sys.exit(main())"]
    return subprocess.run(
        [*command, "scan", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),
        env=env,
    )


def run_scan(*args: str, env: dict[str, str] | None = None) -> None:
    done = pacscan(*args, env=env)
    if done.returncode not in (0, 1, 3, 4):  # 3, 4: input errors reported
        sys.exit(f"pacscan scan failed ({done.returncode}):\n{done.stderr}")


def cold_scan(work: Path, template: Path) -> None:
    """A scan with an empty cache directory, as on a fresh CI runner."""
    with tempfile.TemporaryDirectory(dir=work) as cache:
        run_scan(str(template), "--format", "json", env={**os.environ, "XDG_CACHE_HOME": cache})


def report(label: str, figures: tuple[float, float], yardstick: float | None = None) -> None:
    wall, cpu = figures
    ratio = f"  {wall / yardstick:5.2f}x compose" if yardstick else ""
    print(f"  {label:<42} {wall:7.3f} s wall {cpu:7.3f} s cpu{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="the corpus to scan (default: generated)")
    parser.add_argument("--peers", type=Path, help="where cfn-lint and checkov are installed")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    parser.add_argument("--parallel", action="store_true", help="measure worker processes")
    args = parser.parse_args()
    if not getattr(yaml, "__with_libyaml__", False):
        print("PyYAML was built without libyaml: the compose yardstick needs it")
        return 1
    work = Path(tempfile.mkdtemp(prefix="pacscan-bench-"))
    try:
        return measure(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def measure(work: Path, args: argparse.Namespace) -> int:
    if args.corpus is None:
        corpus = work / "corpus"
        corpus.mkdir()
        files = write_corpus(corpus)
        name = "generated"
    else:
        corpus = args.corpus.resolve()
        files = corpus_templates(corpus)
        name = str(corpus)
    small = work / "small.yaml"
    small.write_text(SMALL)
    size = sum(p.stat().st_size for p in files)
    names = [str(p) for p in files]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"corpus: {name}, {len(files)} templates, {size / 1e6:.2f} MB")
    print(f"cpus: {cpus}, load average: {os.getloadavg()[0]:.1f}")

    compose = best(lambda: compose_all(files))
    report("yaml.compose (libyaml) of every file", compose)
    report(
        "load_inputs, this process",
        best(lambda: load_inputs(names, LoadOptions(jobs=1))),
        compose[0],
    )
    report("load_inputs, automatic jobs", best(lambda: load_inputs(names)), compose[0])
    whole = best(lambda: run_scan(str(corpus), "--format", "json"))
    report("pacscan scan DIR --format json (process)", whole, compose[0])
    small_scan = best(lambda: run_scan(str(small), "--format", "json"))
    report("pacscan scan small.yaml (process)", small_scan)
    from scanner.lang.seed import seed_dir

    seeded = "seeded wheel" if seed_dir() is not None else "no seed: editable install"
    report(f"  the same, empty cache ({seeded})", best(lambda: cold_scan(work, small)))
    loaded = load_inputs(names, LoadOptions(jobs=1))
    print(
        f"  templates loaded: {len(loaded.documents)}, "
        f"resources: {len(loaded.resources)} (condition variants included), "
        f"errors: {len(loaded.errors)}, skipped: {loaded.skipped}"
    )
    for peer, run_peer in peers(corpus, files, args.peers).items():
        seconds = best(run_peer, runs=1)
        print(
            f"  {peer + ' (process, one run)':<42} {seconds[0]:7.3f} s wall "
            f"{seconds[1]:7.3f} s cpu  pacscan is {seconds[0] / whole[0]:5.1f}x faster"
        )
    imports = pacscan(str(small), "--format", "json", importtime=True).stderr
    boto = [line for line in imports.splitlines() if "boto" in line]
    print(f"  boto3 imported by scan: {'yes' if boto else 'no'}")
    if args.parallel:
        parallel_break_even(names, cpus or 1)

    missed = []
    if whole[0] > WHOLE_TARGET * compose[0]:
        limit = WHOLE_TARGET * compose[0]
        missed.append(f"whole scan {whole[0]:.2f} s > {WHOLE_TARGET}x compose ({limit:.2f} s)")
    if small_scan[0] > SMALL_TARGET:
        missed.append(f"small template {small_scan[0]:.2f} s > {SMALL_TARGET} s")
    if boto:
        missed.append("scan imported boto3: " + boto[0].strip())
    for line in missed:
        print("MISSED: " + line)
    return 1 if missed else 0


def peers(corpus: Path, files: list[Path], where: Path | None) -> dict[str, Callable[[], object]]:
    """cfn-lint and checkov on the same corpus, when they are installed: in ``where``,
    beside this Python or on the path (the ``bench`` extra installs cfn-lint; checkov is
    left to the user: it pins many packages, best kept in a virtual environment of its own)."""
    found: dict[str, Callable[[], object]] = {}
    here = Path(sys.executable).parent
    for name in ("cfn-lint", "checkov"):
        places = [where / name] if where else []
        places.append(here / name)
        beside = next((p for p in places if p.exists()), None)
        exe = str(beside) if beside else shutil.which(name)
        if exe is None:
            print(f"  {name}: not installed, not compared")
            continue
        if name == "cfn-lint":
            command = [exe, "--format", "json", *map(str, files)]
        else:
            command = [exe, "-d", str(corpus), "--framework", "cloudformation", "-o", "json"]
        found[name] = lambda command=command: subprocess.run(
            command, capture_output=True, check=False, cwd=tempfile.gettempdir()
        )
    return found


def parallel_break_even(names: list[str], cpus: int) -> None:
    """Where worker processes start to pay (sets loaders.PARALLEL_MIN_BYTES)."""
    print("  parallel loading (wall, best of 3):")
    for copies in (1, 2, 4, 8):
        files = names * copies
        one = best(lambda files=files: load_inputs(files, LoadOptions(jobs=1)))[0]
        many = best(lambda files=files: load_inputs(files, LoadOptions(jobs=cpus)))[0]
        print(f"    {len(files):5} files: 1 process {one:6.3f} s, {cpus} processes {many:6.3f} s")


if __name__ == "__main__":
    sys.exit(main())
