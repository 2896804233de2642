"""boto3 is the ``aws`` extra: scanning never imports it, and the commands that call AWS
say so in one message when it is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

ROOT = Path(__file__).resolve().parents[2]

# Runs pacscan with the given arguments, then prints which AWS SDK modules were imported.
# With "block" first, importing boto3 or botocore fails as it does when they are not
# installed (ModuleNotFoundError naming the module).
PROBE = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

args = sys.argv[1:]
if args[0] == "block":
    sys.meta_path.insert(0, NotInstalled())
    args = args[1:]
from scanner.cli import main
code = 0
try:
    main(args)
except SystemExit as exc:
    code = exc.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))
print("exit", code, "aws-modules", loaded)
"""


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    "args",
    [
        # templates, Terraform, a snapshot and broken files: every loader
        ["scan", "fixtures", "--no-config", "--format", "sarif", "-o", "/dev/null"],
        ["fix", "fixtures/example", "--no-config", "--diff"],
        ["policies", "list"],
    ],
    ids=["scan", "fix", "policies"],
)
def test_commands_on_files_never_import_boto3(args: list[str]) -> None:
    done = probe(*args)
    assert done.stdout.splitlines()[-1].endswith("aws-modules []"), done.stdout + done.stderr


def test_scan_works_without_boto3() -> None:
    done = probe("block", "scan", "fixtures/example", "--no-config", "--fail-on", "critical")
    assert done.stdout.splitlines()[-1] == "exit 0 aws-modules []", done.stderr
    assert "1 file, 5 resources" in done.stdout


@pytest.mark.parametrize("command", ["collect", "audit", "remediate"])
def test_aws_commands_without_boto3_say_what_to_install(command: str) -> None:
    done = probe("block", command, "--region", "eu-west-1")
    assert done.stdout.splitlines()[-1] == "exit 2 aws-modules []"
    assert done.stderr.splitlines() == [
        f"error[AWS-EXTRA]: pacscan {command} calls AWS and needs boto3, which is not installed",
        "  hint: install the aws extra: pip install 'pacscan[aws]' (scanning templates and "
        "snapshots works without it)",
    ]


def test_boto3_is_the_aws_extra_and_the_tests_pull_it_in() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [d.split(">")[0].split("[")[0] for d in project["dependencies"]]
    assert "boto3" not in names
    extras = project["optional-dependencies"]
    assert [d for d in extras["aws"] if d.startswith("boto3")]
    assert "pacscan[aws]" in extras["test"]
