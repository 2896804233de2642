"""Dask is the ``dask`` extra: no command imports it unless ``--cluster`` is given, and
``--cluster`` without it says what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

ROOT = Path(__file__).resolve().parents[2]

# Runs pacscan with the given arguments, then prints which Dask modules were imported.
# With "block" first, importing dask or distributed fails as it does when not installed.
PROBE = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
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
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
print("exit", code, "dask-modules", loaded)
"""


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["audit", "--help"],
        ["collect", "--help"],
        ["scan", "fixtures/example", "--no-config", "--fail-on", "critical"],
    ],
)
def test_commands_without_cluster_never_import_dask(args: list[str]) -> None:
    done = probe("block", *args)
    assert done.stdout.splitlines()[-1] == "exit 0 dask-modules []", done.stdout + done.stderr


@pytest.mark.parametrize("command", ["collect", "audit"])
def test_cluster_without_dask_says_what_to_install(command: str) -> None:
    done = probe("block", command, "--region", "eu-west-1", "--cluster", "local")
    assert done.stdout.splitlines()[-1] == "exit 2 dask-modules []"
    assert done.stderr.splitlines() == [
        "error[DASK-EXTRA]: --cluster needs Dask distributed, which is not installed",
        "  hint: install the dask extra: pip install 'pacscan[dask]'",
    ]


def test_dask_is_the_dask_extra_and_the_tests_pull_it_in() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [d.split(">")[0].split("[")[0] for d in project["dependencies"]]
    assert "dask" not in names
    extras = project["optional-dependencies"]
    assert "dask[distributed]" in [d.split(">")[0] for d in extras["dask"]]
    assert "dask[distributed]" in [d.split(">")[0] for d in extras["test"]]
