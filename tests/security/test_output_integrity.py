"""Output integrity: reports are written whole or not at all, user mistakes get their
documented exit code (never 70), and nothing hostile reaches the terminal or the log.

Each case runs the real ``pacscan`` in a subprocess with a timeout and a memory limit, on
a directory that also holds good templates, and checks the clear error, the exit code
and that the rest of the work was still done.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

TIMEOUT = 120  # seconds; every case here takes a few
MEMORY = 2 << 30  # bytes of address space for the pacscan process

BUCKET = "  {name}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {name}\n"
BROKEN = "Resources: [\n"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
}


def _limits(file_size: int | None = None) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    if file_size is not None:  # writes past it fail with EFBIG instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))


def _environment(cwd: Path) -> dict[str, str]:
    """This process's environment without AWS settings, with a cache outside the scan."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**kept, "XDG_CACHE_HOME": str(cwd.parent / "cache")}


def pacscan(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    file_size: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run pacscan; output stays bytes, so what reaches the terminal is checked exactly."""
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *map(os.fsencode, args)],
        cwd=cwd,
        env={**_environment(cwd), **(env or {})},
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=lambda: _limits(file_size),
    )


def templates(root: Path, buckets: int = 3) -> Path:
    """Good templates (one failing bucket each) and one broken file under ``root/repo``."""
    repo = root / "repo"
    repo.mkdir()
    for n in range(buckets):
        text = "Resources:\n" + BUCKET.format(name=f"Bucket{n}")
        (repo / f"good{n}.yaml").write_text(text, encoding="utf-8")
    (repo / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return repo


def stderr(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stderr.decode("utf-8", "replace")


def assert_one_clear_error(done: subprocess.CompletedProcess[bytes], *words: str) -> None:
    text = stderr(done)
    assert "Traceback" not in text and "internal error" not in text, text
    assert text.count("error[") == 1, text
    for word in words:
        assert word in text, text


# -- reports are replaced atomically -------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str = "64k") -> Iterator[Path]:
    """A real file system of ``size`` bytes (tmpfs); skip where mounting is not allowed."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until only about ``leave`` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def test_a_full_disk_keeps_the_previous_report(tmp_path: Path) -> None:
    repo = templates(tmp_path, buckets=60)  # a JSON report of about 20 KB
    with small_disk(tmp_path / "disk") as disk:
        report = disk / "report.json"
        report.write_text("the previous report\n", encoding="utf-8")
        fill(disk, leave=8192)
        args = ("scan", "--no-config", ".", "--policy", "PAC-S3-009", "--format", "json")
        done = pacscan(*args, "-o", report, cwd=repo)
        assert done.returncode == 2, stderr(done)
        text = stderr(done)
        assert "error[OUTPUT]: cannot write the report to" in text
        assert "No space left on device (the previous file is unchanged)" in text
        assert "broken.yaml:2:1: error[I005]" in text  # the scan itself was done
        assert report.read_text(encoding="utf-8") == "the previous report\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "report.json"]

        (disk / "filler").unlink()
        again = pacscan(*args, "-o", report, cwd=repo)
        assert again.returncode == 4, stderr(again)  # findings and the broken file
        findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
        assert {f["file"] for f in findings if f["policy_id"] == "PAC-S3-009"} == {
            f"good{n}.yaml" for n in range(60)
        }


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_a_write_that_fails_midway_keeps_the_previous_report(tmp_path: Path, fmt: str) -> None:
    """RLIMIT_FSIZE makes the write fail with EFBIG part of the way through."""
    repo = templates(tmp_path, buckets=60)
    report = tmp_path / f"report.{fmt}"
    report.write_text("the previous report\n", encoding="utf-8")
    env = {"PACSCAN_NO_CACHE": "1"}
    done = pacscan(
        "scan", "--no-config", ".", "--format", fmt, "-o", report,
        cwd=repo, env=env, file_size=4096,
    )  # fmt: skip
    assert done.returncode == 2, stderr(done)
    text = stderr(done)
    assert "Traceback" not in text and text.count("error[OUTPUT]") == 1, text
    assert "cannot write the report to" in text and "File too large" in text
    if fmt != "text":  # the other formats put input errors on stderr: the scan was done
        assert "broken.yaml:2:1: error[I005]" in text
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert {p.name for p in tmp_path.iterdir()} == {report.name, "repo"}  # no temp file left


def test_an_interrupted_report_never_replaces_a_symlink_target(tmp_path: Path) -> None:
    """A report path that is a symlink (planted in a repository) is replaced, not followed."""
    repo = templates(tmp_path)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n", encoding="utf-8")
    (repo / "report.json").symlink_to(precious)
    done = pacscan("scan", "--no-config", ".", "--format", "json", "-o", "report.json", cwd=repo)
    assert done.returncode == 4, stderr(done)
    assert precious.read_text(encoding="utf-8") == "keep me\n"
    assert not (repo / "report.json").is_symlink()
    assert json.loads((repo / "report.json").read_text(encoding="utf-8"))["findings"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_on_a_full_stdout_is_an_output_error(tmp_path: Path) -> None:
    repo = templates(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "."],
            cwd=repo, env=env, stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT,
        )  # fmt: skip
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, "cannot write the report to stdout: No space left on device")


# -- output locations are checked before any work ----------------------------------------


@contextlib.contextmanager
def listening() -> Iterator[tuple[str, socket.socket]]:
    """A TCP endpoint that records whether anyone connected (an AWS call was made)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}", server


def connected(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return False
    return True


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["collect", "-o", "missing/snapshot.json"], ["error[OUTPUT]", "missing does not exist"]),
        (["audit", "-o", "missing/report.txt"], ["error[OUTPUT]", "missing does not exist"]),
        (["audit", "--snapshot-dir", "f/snaps"], ["error[OUTPUT]", "f/snaps: Not a directory"]),
        (["audit", "-o", "{account}/r.txt"], ["error[USAGE]", "{account} in its file name only"]),
    ],
    ids=["collect -o", "audit -o", "audit --snapshot-dir", "audit -o {account}/"],
)
def test_a_bad_output_location_stops_live_commands_before_any_aws_call(
    tmp_path: Path, command: list[str], words: list[str]
) -> None:
    (tmp_path / "f").write_text("a file, not a directory\n", encoding="utf-8")
    with listening() as (url, server):
        env = {**FAKE_AWS, "AWS_ENDPOINT_URL": url}
        done = pacscan(*command, "--region", "us-east-1", "-q", cwd=tmp_path, env=env)
        assert not connected(server), "an AWS call was made before the output was checked"
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, *words)


@pytest.mark.parametrize(
    ("args", "config", "words"),
    [
        (["-o", "missing/report.sarif"], None, ["missing does not exist"]),
        (["-o", "good0.yaml/report.sarif"], None, ["good0.yaml is not a directory"]),
        ([], "report: {output: missing/report.sarif}\n", ["missing does not exist"]),
    ],
    ids=["-o missing directory", "-o under a file", "config output"],
)
def test_a_bad_report_location_stops_the_scan_before_it_starts(
    tmp_path: Path, args: list[str], config: str | None, words: list[str]
) -> None:
    repo = templates(tmp_path)
    if config is not None:
        (repo / ".pacscan.yaml").write_text(f"version: 1\n{config}", encoding="utf-8")
    done = pacscan("scan", ".", "--format", "sarif", *args, cwd=repo)
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, "error[OUTPUT]: cannot write the report to", *words)
    assert "broken.yaml" not in stderr(done)  # refused before anything was scanned


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_an_account_whose_report_cannot_be_written_does_not_stop_the_others(
    tmp_path: Path, moto_url: str
) -> None:
    (tmp_path / "out" / "report-222222222222.sarif").mkdir(parents=True)  # in the way
    args = [
        "audit", "-q", "--no-config", "--service", "iam", "--policy", "PAC-IAM-008",
        "--format", "sarif", "--role-arn", "arn:aws:iam::{account}:role/Audit",
        "--account", "111111111111", "--account", "222222222222",
        "-o", "out/report-{account}.sarif",
    ]  # fmt: skip
    done = pacscan(*args, cwd=tmp_path, env={**FAKE_AWS, "AWS_ENDPOINT_URL": moto_url})
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, "cannot write the report to out/report-222222222222.sarif")
    written = json.loads((tmp_path / "out" / "report-111111111111.sarif").read_text("utf-8"))
    assert written["runs"][0]["automationDetails"]["id"] == "pacscan/aws/111111111111/"


# -- user mistakes are usage errors (2), not internal errors (70) -------------------------


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("args", "files", "words"),
    [
        (["--param", f"x={_deep_json(40)}"], {}, ["--param x", "more than 32 levels"]),
        (["--param", f"x={_deep_json(60_000)}"], {}, ["--param x", "more than 32 levels"]),
        (["--parameters-file", "p.yaml"], {"p.yaml": b"\xff\xfe"}, ["is not UTF-8 text"]),
        (
            ["--parameters-file", "p.yaml"],
            {"p.yaml": b"a: " + b"[" * 20_000 + b"]" * 20_000},
            ["nests too deeply"],
        ),
        (
            ["--parameters-file", "p.yaml"],
            {"p.yaml": b"Env: {nested: map}\n"},
            ["Env: a value must be a string, number, boolean or a list of them"],
        ),
        (
            ["--parameters-file", "p.yaml"],
            {"p.yaml": b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"},
            ["b: a value must be"],
        ),
    ],
    ids=[
        "--param nested",
        "--param nested past the JSON decoder",
        "parameters file not UTF-8",
        "parameters file nested past the YAML parser",
        "parameters file with a map value",
        "parameters file with aliases",
    ],
)
def test_option_mistakes_exit_2_with_one_message(
    tmp_path: Path, args: list[str], files: dict[str, bytes], words: list[str]
) -> None:
    repo = templates(tmp_path)
    for name, content in files.items():
        (repo / name).write_bytes(content)
    done = pacscan("scan", "--no-config", "good0.yaml", *args, cwd=repo)
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, "error[USAGE]", *words)


def test_an_internal_error_is_70_and_says_how_to_get_the_traceback(tmp_path: Path) -> None:
    """70 is left for bugs: a crash inside pacscan, provoked here by a scan that raises."""
    (tmp_path / "scanner_crash.py").write_text(
        "import sys, scanner.commands.scan as scan\n"
        "def boom(*args, **kwargs):\n"
        "    raise RuntimeError('bug\\n::error::forged')\n"
        "scan.scan_inputs = boom\n"
        "from scanner.cli import main\n"
        "main()\n",
        encoding="utf-8",
    )
    repo = templates(tmp_path)
    command = [sys.executable, str(tmp_path / "scanner_crash.py"), "scan", "--no-config", "."]
    done = subprocess.run(command, cwd=repo, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 70
    text = stderr(done)
    assert "pacscan: internal error: RuntimeError: bug\\n::error::forged" in text
    assert "rerun with --debug" in text and "Traceback" not in text
    debug = subprocess.run(
        [*command[:2], "--debug", *command[2:]], cwd=repo, capture_output=True, timeout=TIMEOUT
    )
    assert b"Traceback" in debug.stderr


# -- nothing hostile reaches the terminal or the log --------------------------------------

HOSTILE_NAMES = [
    b"x\n::warning file=a.yaml::pwned.yaml",
    b"esc\x1b[2J\x1b]0;title\x07.yaml",
    b"cr\roverwritten.yaml",
    b"bidi\xe2\x80\xaeLMX.yaml",  # U+202E RIGHT-TO-LEFT OVERRIDE
    b"not-utf8-\xff.yaml",
]
FORBIDDEN = [b"\x1b", b"\r", b"\x07", "\u202e".encode()]


def hostile_repo(tmp_path: Path) -> Path:
    repo = templates(tmp_path, buckets=1)
    root = os.fsencode(repo)
    for n, name in enumerate(HOSTILE_NAMES):
        text = "Resources:\n" + BUCKET.format(name=f"Hostile{n}")
        with open(os.path.join(root, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(os.path.join(root, b"broken\n::error::forged.yaml"), "w") as handle:
        handle.write(BROKEN)
    quoted = 'Resources:\n  "Id\\e[31mRed\\nNext":\n    Type: AWS::S3::Bucket\n'
    (repo / "hostile-id.yaml").write_text(quoted, encoding="utf-8")
    return repo


def assert_nothing_forged(output: bytes) -> None:
    for line in output.split(b"\n"):
        assert not line.lstrip().startswith(b"::"), line
    for sequence in FORBIDDEN:
        assert sequence not in output


def test_control_characters_in_names_are_escaped_in_text_output(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path)
    done = pacscan("scan", "--no-config", ".", "--policy", "PAC-S3-009", cwd=repo)
    assert done.returncode == 4, stderr(done)
    assert_nothing_forged(done.stdout)
    assert_nothing_forged(done.stderr)
    out = done.stdout.decode("utf-8")
    assert "  x\\n::warning file=a.yaml::pwned.yaml:4:5: low PAC-S3-009" in out
    assert "esc\\x1b[2J\\x1b]0;title\\x07.yaml:4:5" in out
    assert "cr\\roverwritten.yaml:4:5" in out
    assert "bidi\\u202eLMX.yaml:4:5" in out
    assert "not-utf8-\\xff.yaml:4:5" in out
    assert "broken\\n::error::forged.yaml:2:1: error[I005]" in out
    assert "bucket Id\\x1b[31mRed\\nNext does not keep object versions" in out
    assert "good0.yaml:4:5: low PAC-S3-009" in out  # the good file is reported as usual
    assert "9 files, 7 resources: 7 failed, 2 errors" in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_hostile_names_keep_machine_reports_well_formed(tmp_path: Path, fmt: str) -> None:
    repo = hostile_repo(tmp_path)
    done = pacscan("scan", "--no-config", ".", "--policy", "PAC-S3-009", "--format", fmt, cwd=repo)
    assert done.returncode == 4, stderr(done)
    assert_nothing_forged(done.stderr)  # the errors of machine formats go to stderr
    assert_nothing_forged(done.stdout)  # names stay in the report, written as escapes
    assert "broken\\n::error::forged.yaml:2:1: error[I005]" in stderr(done)
    if fmt == "junit":
        suites = ET.fromstring(done.stdout)
        names = {case.get("name") for case in suites.iter("testcase")}
        assert "Bucket0 (good0.yaml)" in names
        assert "Hostile4 (not-utf8-\ufffd.yaml)" in names
        assert len(names) == 9  # seven buckets and two error cases
        return
    report = json.loads(done.stdout)
    if fmt == "json":
        files = {f["file"] for f in report["findings"]}
        assert "good0.yaml" in files and "x\n::warning file=a.yaml::pwned.yaml" in files
        assert "not-utf8-\udcff.yaml" in files
    else:
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in report["runs"][0]["results"]
        }
        assert {"good0.yaml", "not-utf8-%FF.yaml", "cr%0Doverwritten.yaml"} <= uris


def test_a_broken_policy_in_the_catalogue_is_one_rendered_error(tmp_path: Path) -> None:
    (tmp_path / "bad.policy").write_text('policy X {\n  id = "PAC-X-001"\n', encoding="utf-8")
    done = pacscan("policies", "list", "--policies", "bad.policy", cwd=tmp_path)
    assert done.returncode == 2, stderr(done)
    assert_one_clear_error(done, "bad.policy:", "the policies do not compile (1 error;")
    assert "\\n" not in stderr(done)  # no diagnostics folded into one escaped line


# -- echoed source lines do not leak secrets ----------------------------------------------

SECRET_POLICY = """\
policy LITERAL_PASSWORD {
  id       = "TEST-DB-001"
  title    = "Master passwords come from a secret store"
  severity = high
  resource AWS::RDS::DBInstance
  assert Properties.MasterUserPassword == "unset"
    else "instance {id} has a literal master password"
}

policy TAGGED {
  id       = "TEST-DB-002"
  title    = "Instances carry no tags"
  severity = low
  resource AWS::RDS::DBInstance
  assert Properties.Tags[0].Value not exists
    else "instance {id} is tagged"
}
"""
SECRET_TEMPLATE = """\
Parameters:
  DbPass:
    Type: String
    NoEcho: true
    Default: n0echo-default-value
Resources:
  Literal:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: hunter2hunter2
      Tags: [{Key: deploy, Value: AKIAIOSFODNN7EXAMPLE}]
  FromDefault:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: n0echo-default-value
      Tags: [{Key: k, Value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]
  Referenced:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: !Ref DbPass
"""
SECRETS = [
    b"hunter2hunter2",
    b"AKIAIOSFODNN7EXAMPLE",
    b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    b"n0echo-default-value",
    b"s3cr3t-in-a-broken-file",
]


def secret_repo(tmp_path: Path) -> Path:
    repo = templates(tmp_path, buckets=1)
    (repo / "secret.policy").write_text(SECRET_POLICY, encoding="utf-8")
    (repo / "db.yaml").write_text(SECRET_TEMPLATE, encoding="utf-8")
    (repo / "broken-db.yaml").write_text(  # a duplicate key: an error that quotes its line
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      Password: first\n      Password: s3cr3t-in-a-broken-file\n",
        encoding="utf-8",
    )
    return repo


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_echoed_source_lines_mask_secret_looking_values(tmp_path: Path, fmt: str) -> None:
    repo = secret_repo(tmp_path)
    done = pacscan(
        "scan", "--no-config", "--policies", "secret.policy", ".", "--format", fmt, cwd=repo
    )
    assert done.returncode == 4, stderr(done)
    for secret in SECRETS:
        assert secret not in done.stdout and secret not in done.stderr, secret
    text = done.stdout.decode("utf-8") + stderr(done)
    if fmt in ("text", "junit"):
        assert "MasterUserPassword: ***" in text
        assert "Tags: [{Key: deploy, Value: ***}]" in text
        assert 'Tags: [{Key: k, Value: "***"}]' in text
        assert "MasterUserPassword: !Ref DbPass" in text  # a reference is no secret
    assert "broken-db.yaml:6:7: error[I007]" in text
    assert "\n        Password: ***\n" in text  # the duplicate key's line, masked
