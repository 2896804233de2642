"""A scanned repository reads and writes nothing outside itself through pacscan.

Its ``.pacscan.yaml`` (found by searching upward) may name only paths inside its own
directory: an absolute path, a ``..`` out of it or a symbolic link out of it is config
error C005 with the file, line and column, exit 2, and nothing is read or written. A
config named with ``--config`` and paths typed on the command line are the user's and
may point anywhere. Policy directories are searched without following symbolic links out
of them, and no error quotes a file that is not a policy (or more than a bounded excerpt
of one that is). Every case runs the real ``pacscan`` in a subprocess with a secret in
its environment that must never reach the output.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 60  # seconds; a blocked read of a FIFO would never end
MEMORY = 1536 << 20  # bytes of address space for the pacscan process
SECRET = "AKIAEXAMPLESECRET0123"  # noqa: S105 - a marker, not a credential

GOOD = """\
policy VERSIONED {
  id = "PAC-REPO-001"  title = "buckets keep versions"  severity = high
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == "Enabled"
}
"""
TEMPLATE = {"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {}}}}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _pacscan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PACSCAN_SECRET": SECRET, "XDG_CACHE_HOME": str(cwd.parent / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with a policy directory and a template with one failing bucket."""
    root = tmp_path / "repo"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "good.policy").write_text(GOOD, encoding="utf-8")
    (root / "template.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the checkout holding files the repository must not reach."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secrets.env").write_text(f"PACSCAN_SECRET={SECRET}\n", encoding="utf-8")
    (folder / "victim.txt").write_text("precious\n", encoding="utf-8")
    return folder


def _config(repo: Path, text: str) -> None:
    (repo / ".pacscan.yaml").write_text(text, encoding="utf-8")


def _findings(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    report: dict[str, Any] = json.loads(done.stdout)
    return [(f["policy_id"], f["resource"]["id"]) for f in report["findings"]]


# ---------------------------------------------------------------- .pacscan.yaml found upward


@pytest.mark.parametrize(
    "value",
    ["/proc/self/environ", "{outside}/secrets.env", "../outside/secrets.env", "policies/../../x"],
)
def test_config_policy_paths_out_of_the_repository_are_a_config_error(
    repo: Path, outside: Path, value: str
) -> None:
    value = value.format(outside=outside)
    _config(repo, f"version: 1\npolicies:\n  paths: [policies/, '{value}']\n")
    done = _pacscan(repo, "scan", "template.json", "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(".pacscan.yaml:3:22: error[C005]: policies.paths[1]: policy path")
    assert "--config" in done.stderr  # the hint says how to do it on purpose


@pytest.mark.parametrize("command", [["audit", "--region", "us-east-1"], ["fix", "."]])
def test_every_command_confines_a_config_found_upward(
    repo: Path, outside: Path, command: list[str]
) -> None:
    # audit used to load a config found upward without confining its paths; no AWS call is
    # made here: the config stops the command first
    _config(repo, f"version: 1\npolicies:\n  paths: [policies/, '{outside}/secrets.env']\n")
    done = _pacscan(repo, *command)
    assert done.returncode == 2
    assert done.stderr.startswith(".pacscan.yaml:3:22: error[C005]: policies.paths[1]: policy path")
    assert SECRET not in done.stderr + done.stdout


def test_a_symbolic_link_out_of_the_repository_is_a_config_error(repo: Path, outside: Path) -> None:
    (repo / "rules").symlink_to(outside, target_is_directory=True)
    _config(repo, "version: 1\npolicies: {paths: [rules/secrets.env]}\n")
    done = _pacscan(repo, "scan", "template.json")
    assert done.returncode == 2
    assert "error[C005]" in done.stderr and "symbolic link" in done.stderr


@pytest.mark.parametrize("value", ["{outside}/victim.txt", "../outside/victim.txt", "link.sarif"])
def test_config_report_output_out_of_the_repository_is_refused(
    repo: Path, outside: Path, value: str
) -> None:
    (repo / "link.sarif").symlink_to(outside / "victim.txt")
    _config(
        repo, f"version: 1\nreport:\n  format: sarif\n  output: '{value.format(outside=outside)}'\n"
    )
    done = _pacscan(repo, "scan", "template.json", "--policies", "policies")
    assert done.returncode == 2
    assert done.stderr.startswith(".pacscan.yaml:4:11: error[C005]: report.output: report output")
    assert (outside / "victim.txt").read_text(encoding="utf-8") == "precious\n"


def test_config_baseline_out_of_the_repository_is_refused(repo: Path, outside: Path) -> None:
    _config(repo, f"version: 1\nbaseline: {outside}/secrets.env\n")
    done = _pacscan(repo, "scan", "template.json", "--policies", "policies")
    assert done.returncode == 2
    assert done.stderr.startswith(".pacscan.yaml:2:11: error[C005]: baseline:")


def test_every_escaping_path_is_reported_at_once(repo: Path) -> None:
    _config(repo, "policies: {paths: [/etc]}\nbaseline: ../b.sarif\nreport: {output: /tmp/r}\n")
    done = _pacscan(repo, "scan", "template.json")
    assert done.returncode == 2
    assert [line.split(": error")[0] for line in done.stderr.splitlines() if "error[" in line] == [
        ".pacscan.yaml:1:20",
        ".pacscan.yaml:2:11",
        ".pacscan.yaml:3:18",
    ]


def test_a_config_file_symlinked_out_of_the_repository_is_not_read(
    repo: Path, outside: Path
) -> None:
    (repo / ".pacscan.yaml").symlink_to(outside / "secrets.env")
    done = _pacscan(repo, "scan", "template.json")
    assert done.returncode == 2
    assert done.stderr.startswith(
        ".pacscan.yaml: error[C005]: not followed: the config file is a symbolic link out of"
    )


def test_a_config_that_is_not_a_regular_file_does_not_hang(repo: Path) -> None:
    os.mkfifo(repo / "fifo.yaml")
    done = _pacscan(repo, "scan", "template.json", "--config", "fifo.yaml")
    assert done.returncode == 2
    assert "fifo.yaml: error[C001]: cannot read config file: it is not a regular file" in (
        done.stderr
    )


def test_paths_inside_the_repository_still_work(repo: Path) -> None:
    (repo / "out").mkdir()
    _config(
        repo,
        "version: 1\npolicies: {paths: [./policies]}\nreport: {format: json, output: out/r.json}\n",
    )
    done = _pacscan(repo, "scan", "template.json")
    assert done.returncode == 1, done.stderr
    report = json.loads((repo / "out" / "r.json").read_text(encoding="utf-8"))
    assert [f["policy_id"] for f in report["findings"]] == ["PAC-REPO-001"]


def test_a_config_named_on_the_command_line_may_point_anywhere(repo: Path, outside: Path) -> None:
    """The user typed --config: the same file that is refused when found is trusted."""
    config = (
        f"version: 1\npolicies: {{paths: [{repo}/policies]}}\n"
        f"report: {{format: json, output: {outside}/r.json}}\n"
    )
    _config(repo, config)
    assert _pacscan(repo, "scan", "template.json").returncode == 2
    done = _pacscan(repo, "scan", "template.json", "--config", ".pacscan.yaml")
    assert done.returncode == 1, done.stderr
    assert json.loads((outside / "r.json").read_text(encoding="utf-8"))["findings"]


# ---------------------------------------------------------------- policy files


def _scan_policies(repo: Path, *policies: str) -> subprocess.CompletedProcess[str]:
    args = [arg for p in policies for arg in ("--policies", p)]
    return _pacscan(repo, "scan", "template.json", "--no-config", "--format", "json", *args)


def test_a_policy_symlinked_out_of_the_policy_directory_is_not_followed(
    repo: Path, outside: Path
) -> None:
    (repo / "policies" / "evil.policy").symlink_to(outside / "secrets.env")
    (repo / "policies" / "more").symlink_to(outside, target_is_directory=True)
    (outside / "more.policy").write_text(f"# {SECRET}\nnot a policy\n", encoding="utf-8")
    done = _scan_policies(repo, "policies")
    assert done.returncode == 2  # a policy error, and the good policy still ran
    assert _findings(done) == [("PAC-REPO-001", "Logs")]
    errors = sorted(line for line in done.stderr.splitlines() if "error[" in line)
    assert errors == [
        "policies/evil.policy: error[P003]: not followed: a symbolic link out of 'policies'",
        "policies/more: error[P003]: not followed: a symbolic link out of 'policies'",
    ]


def test_a_symbolic_link_inside_the_policy_directory_is_followed(repo: Path) -> None:
    (repo / "policies" / "shared").mkdir()
    (repo / "policies" / "good.policy").rename(repo / "policies" / "shared" / "good.policy")
    (repo / "policies" / "alias.policy").symlink_to(repo / "policies" / "shared" / "good.policy")
    done = _scan_policies(repo, "policies")
    assert done.returncode == 2  # the same id twice: one file through the link, one direct
    assert "PAC-REPO-001" in done.stderr and "not followed" not in done.stderr


@pytest.mark.parametrize("path", ["/proc/self/environ", "{outside}/secrets.env"])
def test_a_file_that_is_not_a_policy_is_never_quoted(repo: Path, outside: Path, path: str) -> None:
    """Even named on the command line (trusted), a non-policy file is not echoed."""
    done = _scan_policies(repo, "policies", path.format(outside=outside))
    assert done.returncode == 2
    assert _findings(done) == [("PAC-REPO-001", "Logs")]
    assert "error[P003]: not a policy file (policy files are named *.policy)" in done.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (f"{SECRET}\0binary\n".encode(), "binary data (a control character at offset 21)"),
        (b"\xff\xfe" + SECRET.encode(), "not UTF-8 text (bad byte at offset 0)"),
    ],
)
def test_a_binary_policy_file_is_reported_without_its_content(
    repo: Path, content: bytes, message: str
) -> None:
    (repo / "policies" / "bad.policy").write_bytes(content)
    done = _scan_policies(repo, "policies")
    assert done.returncode == 2
    assert _findings(done) == [("PAC-REPO-001", "Logs")]
    assert f"policies/bad.policy: error[P003]: {message}" in done.stderr


def test_a_fifo_named_like_a_policy_does_not_hang(repo: Path) -> None:
    os.mkfifo(repo / "policies" / "pipe.policy")
    done = _scan_policies(repo, "policies")
    assert done.returncode == 2
    assert _findings(done) == [("PAC-REPO-001", "Logs")]
    assert "policies/pipe.policy: error[P003]: not a regular file" in done.stderr


def test_a_policy_error_quotes_a_bounded_excerpt(repo: Path) -> None:
    """A syntax error near the start of a 200 kB line shows 200 characters of it; one far
    along the line shows none (the caret would point past what is shown)."""
    filler = "1, " * 50_000
    (repo / "policies" / "early.policy").write_text(
        f"let x = ) [{filler} '{SECRET}']\n", encoding="utf-8"
    )
    (repo / "policies" / "late.policy").write_text(
        f"let x = [{filler} ) '{SECRET}']\n", encoding="utf-8"
    )
    done = _scan_policies(repo, "policies")
    assert done.returncode == 2
    assert _findings(done) == [("PAC-REPO-001", "Logs")]
    assert "policies/early.policy:1:9: error[P001]" in done.stderr
    assert "policies/late.policy:1:150011: error[P001]" in done.stderr
    assert "  let x = ) [1, 1, " in done.stderr
    assert len(done.stderr) < 2000
