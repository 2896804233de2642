"""Output integrity: nothing hostile reaches the terminal or the log, and internal errors
are told apart from user mistakes.

Each case runs the real ``pacscan`` in a subprocess with a timeout and a memory limit, on
a directory that also holds good templates, and checks the clear output, the exit code
and that the rest of the work was still done.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds; every case here takes a few
MEMORY = 2 << 30  # bytes of address space for the pacscan process

BUCKET = "  {name}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {name}\n"
BROKEN = "Resources: [\n"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def pacscan(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run pacscan; output stays bytes, so what reaches the terminal is checked exactly."""
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *map(os.fsencode, args)],
        cwd=cwd,
        env={**os.environ, "XDG_CACHE_HOME": str(cwd.parent / "cache"), **(env or {})},
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limits,
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


# -- internal errors are 70, and say so -------------------------------------------------------


def test_an_internal_error_is_70_and_says_how_to_get_the_traceback(tmp_path: Path) -> None:
    """70 is left for bugs: a crash inside pacscan, provoked here by a scan that raises."""
    (tmp_path / "scanner_crash.py").write_text(
        "import sys, scanner.commands.scan as scan\n"
        "def boom(*args, **kwargs):\n"
        "    raise RuntimeError('bug\\n::error::forged')\n"
        "scan.run_scan = boom\n"
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
