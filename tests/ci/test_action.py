"""The composite action's shell steps, run as GitHub Actions runs them.

action.yml is parsed; each ``run:`` step is run with ``bash --noprofile --norc -eo pipefail``
(GitHub's ``shell: bash``), its ``${{ ... }}`` expressions replaced by the values GitHub
would give (inputs with their defaults, ``github.action_path``, ``runner.temp``, earlier
steps' outputs) and its ``if:`` evaluated. ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``
are files, as on a runner. The action is a copy of this checkout's tracked files and is
installed, as on a runner, into a fresh virtual environment: no pacscan from a package
index, and no boto3. ``uses:`` steps (setup-python, upload-sarif) are GitHub's own and
are not run; the workflow in docs/ci.md is checked to call this action as documented.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.slow


@dataclass
class Runner:
    """One job of a runner: the workspace, the tools' temp dir and the action's checkout."""

    workspace: Path
    temp: Path
    action_path: Path
    bin_dir: Path
    done: set[str] = field(default_factory=set)  # steps run once for the module (the install)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    summary: Path = Path()

    def context(self, name: str, inputs: dict[str, str]) -> str:
        """The value of a context reference such as ``inputs.paths``."""
        if name.startswith("inputs."):
            return inputs[name.removeprefix("inputs.")]
        if name == "github.action_path":
            return str(self.action_path)
        if name == "runner.temp":
            return str(self.temp)
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
        if match:
            return self.outputs.get(match[1], {}).get(match[2], "")
        raise AssertionError(f"the test does not know the context {name!r}")

    def run_action(self, **given: str) -> int:
        """Run every ``run:`` step of the action in order; the exit status of the job."""
        inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        inputs.update({k.replace("_", "-"): v for k, v in given.items()})
        self.summary = self.temp / "step_summary.md"
        failed = False
        for step in ACTION["runs"]["steps"]:
            if "run" not in step or step.get("name") in self.done:
                continue
            if not self.condition(step.get("if", "success()"), inputs, failed):
                continue
            status = self.run_step(step, inputs)
            failed = failed or status != 0
        return 1 if failed else 0

    def run_step(self, step: dict[str, Any], inputs: dict[str, str]) -> int:
        assert step["shell"] == "bash"
        output = self.temp / f"output-{len(self.outputs)}"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PACSCAN"))}
        for name, value in step.get("env", {}).items():
            env[name] = self.substitute(str(value), inputs)
        env.update(
            PATH=f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}",
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_ACTION_PATH=str(self.action_path),
            RUNNER_TEMP=str(self.temp),
            NO_COLOR="1",
        )
        script = self.substitute(step["run"], inputs)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.log.append(done.stdout)
        if "id" in step:
            self.outputs[step["id"]] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
        return done.returncode

    def substitute(self, text: str, inputs: dict[str, str]) -> str:
        return EXPRESSION.sub(lambda m: self.context(m[1], inputs), text)

    def condition(self, expression: str, inputs: dict[str, str], failed: bool) -> bool:
        """The ``if:`` of a step: ``&&`` of ``always()``, ``success()`` and comparisons."""
        verdict = True
        for term in (t.strip() for t in EXPRESSION.sub(r"\1", expression).split("&&")):
            if term == "always()":
                continue
            if term == "success()":
                verdict = verdict and not failed
                continue
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert match, f"the test cannot evaluate {term!r}"
            same = self.context(match[1], inputs) == match[3]
            verdict = verdict and (same if match[2] == "==" else not same)
        return verdict and (not failed or "always()" in expression)

    def annotations(self) -> list[str]:
        return [line for text in self.log for line in text.splitlines() if line.startswith("::")]


def tracked_copy(destination: Path) -> None:
    """The tracked files of this checkout, as GitHub checks out the action at its ref."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.split(b"\0")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in filter(None, listed):
            path = ROOT / name.decode()
            if path.is_file():
                archive.add(path, arcname=name.decode())
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive:
        archive.extractall(destination, filter="data")


INSTALL = "Install pacscan"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the action's checkout, the bin directory of the fresh venv it is installed in).

    The install step runs once here (a build of the package, about 15 s), the other
    steps in each test.
    """
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy the action from")
    base = tmp_path_factory.mktemp("actions")
    action_path = base / "pacscan"
    tracked_copy(action_path)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    temp = base / "temp"
    temp.mkdir()
    runner = Runner(base, temp, action_path, venv / "bin")
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("name") == INSTALL]
    inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    assert runner.run_step(step, inputs) == 0, runner.log
    return action_path, venv / "bin"


@pytest.fixture
def runner(installed: tuple[Path, Path], tmp_path: Path) -> Runner:
    action_path, bin_dir = installed
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "fixtures" / "example", workspace / "stacks")
    temp = tmp_path / "temp"
    temp.mkdir()
    return Runner(workspace, temp, action_path, bin_dir, done={INSTALL})


def documented_step() -> dict[str, Any]:
    """The step of docs/ci.md's workflow that runs this action."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    workflows = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)]
    jobs = [w for w in workflows if isinstance(w, dict) and "jobs" in w]
    steps = [s for w in jobs for job in w["jobs"].values() for s in job["steps"]]
    [step] = [s for s in steps if str(s.get("uses", "")).startswith("pacscan/pacscan@")]
    return step


def test_the_documented_workflow_installs_scans_annotates_and_summarises(
    runner: Runner,
) -> None:
    given = documented_step()["with"]
    assert set(given) <= set(ACTION["inputs"])
    status = runner.run_action(**given)

    assert status == 1  # the last step fails the job with pacscan's exit code
    installed = subprocess.run(
        [str(runner.bin_dir / "python"), "-c", "import scanner, importlib.util as u;"
         "print(scanner.__file__, u.find_spec('boto3'))"],
        capture_output=True, text=True, check=True, timeout=60, cwd=runner.workspace,
    ).stdout  # fmt: skip
    assert installed.split()[1] == "None"  # the action's install needs no boto3
    assert str(runner.bin_dir.parent) in installed.split()[0]  # not this test's pacscan
    scan = runner.outputs["scan"]
    assert scan["exit-code"] == "1"
    assert scan["sarif-file"] == "pacscan.sarif"
    sarif = json.loads((runner.workspace / "pacscan.sarif").read_text(encoding="utf-8"))
    [run] = sarif["runs"]
    assert run["automationDetails"]["id"] == "pacscan/iac/"
    failed = [r for r in run["results"] if r.get("kind", "fail") == "fail"]
    counts = runner.outputs["report"]
    assert counts["failed"] == str(len(failed)) != "0"
    assert counts["errors"] == "0"
    annotations = runner.annotations()
    assert len(annotations) == len(failed)
    first = annotations[0]
    assert re.fullmatch(
        r"::error file=stacks/app\.yaml,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,"
        r"title=PAC-[A-Z0-9-]+ \((critical|high)\)%3A [^,:]+::\w+: .+",
        first,
    ), first
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith(f"### :x: pacscan: {len(failed)} failed")  # the Markdown report
    assert "Scanned 1 file, 5 resources." in summary
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "| fail |" in line]
    assert len(rows) == len(failed)
    assert all("`stacks/app.yaml:" in row for row in rows)
    assert summary.endswith("pacscan finished (exit code 1)\n")


def test_findings_below_fail_on_pass_the_job_and_are_still_annotated(runner: Runner) -> None:
    status = runner.run_action(paths="stacks/", fail_on="critical", sarif_file="x.sarif")
    assert status == 0
    assert runner.outputs["scan"] == {"exit-code": "0", "sarif-file": "x.sarif"}
    assert (runner.workspace / "x.sarif").is_file()
    failed = int(runner.outputs["report"]["failed"])
    assert failed > 0
    assert len(runner.annotations()) == failed
    assert "(exit code 0)" in runner.summary.read_text(encoding="utf-8")


def test_a_usage_error_fails_the_job_with_exit_2(runner: Runner) -> None:
    status = runner.run_action(paths="stacks/", args="--policy PAC-NOPE-001")
    assert status == 1
    assert runner.outputs["scan"]["exit-code"] == "2"
    assert "(exit code 2)" in runner.summary.read_text(encoding="utf-8")


def test_annotations_cannot_be_forged_by_a_file_name(runner: Runner) -> None:
    hostile = runner.workspace / "stacks" / "x,line=1::y%0A::warning file=z.yaml"
    hostile.mkdir()
    shutil.move(runner.workspace / "stacks" / "app.yaml", hostile / "app.yaml")
    runner.run_action(paths="stacks/", fail_on="high")
    annotations = runner.annotations()
    assert annotations
    for line in annotations:
        assert line.startswith("::error file=stacks/x%2Cline=1%3A%3Ay%250A%3A%3Awarning ")
        assert line.count("::") == 2


def test_the_docs_install_only_what_exists() -> None:
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert documented_step()["uses"] == "pacscan/pacscan@v0.1.0"
    assert "pip install pacscan" not in doc  # not published on a package index
    assert 'pip install "git+https://github.com/pacscan/pacscan@v0.1.0"' in doc
