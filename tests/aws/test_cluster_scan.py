"""What a cluster worker runs to audit an account, without a cluster: the policies it
compiles from the texts the client sent, and a scan that reports what the client's scan
of the written snapshot reports."""

from __future__ import annotations

import json
import pickle
import shutil
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

import pytest
from moto_fixtures import MotoAWS
from test_cluster_options import OTHER, spec
from test_organization_accounts import session_in

from scanner.aws import cluster_policies, cluster_tasks
from scanner.aws.account_report import Reporting, report_account
from scanner.aws.cluster_policies import PolicySet, compiled_policies, describe_policies
from scanner.aws.cluster_scan import Collected, ScanJob, scan_account
from scanner.aws.cluster_tasks import collect_unit, open_account
from scanner.aws.snapshot import build_snapshot, write_snapshot
from scanner.errors import UsageError
from scanner.pipeline import Run, ScanRequest, run_scan, select_policies
from scanner.report.destinations import Destination
from scanner.result import ReportOptions

MODULE = """\
# The team's naming rules.
def team_bucket(name) = name startswith "team-"
"""
POLICY = """\
use names

param prefix_required: bool = true

policy TEAM_BUCKET_NAMES {
  id          = "TEAM-S3-001"
  title       = "Buckets are named team-*"
  description = "A bucket's name starts with team-."
  severity    = low
  resource AWS::S3::Bucket

  assert not prefix_required or team_bucket(Properties.BucketName)
    else "bucket {id} is not a team bucket"
}
"""


def team_policies(root: Path) -> Path:
    """A policy directory: one policy that uses a module of its lib/."""
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "names.policy").write_text(MODULE)
    (root / "s3_names.policy").write_text(POLICY)
    return root


def ids(policies: PolicySet) -> list[str]:
    return [p.info.id for p in compiled_policies(policies).program.policies]


@pytest.mark.parametrize("given", ["directory", "file"])
def test_a_worker_compiles_the_texts_the_client_read(tmp_path: Path, given: str) -> None:
    root = team_policies(tmp_path / "team")
    path = root if given == "directory" else root / "s3_names.policy"
    run = Run(policy_paths=(str(path),), params={"prefix_required": False})
    policies = describe_policies(run, select_policies(run))
    shutil.rmtree(root)  # a worker reads no policy file: the texts travel
    assert not policies.builtin and policies.params == {"prefix_required": False}
    assert [m.path for m in policies.modules] == [str(root / "lib" / "names.policy")]
    assert ids(policies) == ["TEAM-S3-001"]
    assert compiled_policies(policies).diagnostics == ()


def test_extra_policies_come_after_the_built_in_selection(tmp_path: Path) -> None:
    root = team_policies(tmp_path / "team")
    run = Run(extra_policy_paths=(str(root),), only=("PAC-S3-009", "TEAM-S3-001"))
    policies = describe_policies(run, select_policies(run))
    assert policies.builtin and policies.files == ()
    assert [f.path for f in policies.extra] == [
        str(root / "lib" / "names.policy"),
        str(root / "s3_names.policy"),
    ]
    assert ids(policies) == ["PAC-S3-009", "TEAM-S3-001"]


def test_the_built_in_library_is_sent_by_name() -> None:
    run = Run(only=("PAC-S3-*",))
    policies = describe_policies(run, select_policies(run))
    assert policies.builtin and policies.files == policies.extra == policies.modules == ()
    assert "PAC-S3-009" in policies.selected
    assert len(pickle.dumps(policies)) < 4096  # ids and params: no text, no compiled code


def test_a_module_linked_out_of_its_directory_is_sent_without_its_text(tmp_path: Path) -> None:
    root = team_policies(tmp_path / "team")
    (tmp_path / "outside.policy").write_text(MODULE)
    (root / "lib" / "elsewhere.policy").symlink_to(tmp_path / "outside.policy")
    run = Run(policy_paths=(str(root / "s3_names.policy"),))
    policies = describe_policies(run, select_policies(run))
    linked = [m for m in policies.modules if m.module == "elsewhere"]
    assert [(m.text, m.error) for m in linked] == [("", cluster_policies.LINK_OUT)]
    assert ids(policies) == ["TEAM-S3-001"]


def test_a_worker_compiles_a_set_once(tmp_path: Path) -> None:
    root = team_policies(tmp_path / "team")
    run = Run(policy_paths=(str(root),))
    policies = describe_policies(run, select_policies(run))
    first = compiled_policies(policies)
    assert compiled_policies(describe_policies(run, select_policies(run))) is first
    other = Run(policy_paths=(str(root),), params={"prefix_required": False})
    assert compiled_policies(describe_policies(other, select_policies(other))) is not first


def test_a_worker_of_another_version_refuses_the_set() -> None:
    policies = describe_policies(
        Run(only=("PAC-S3-009",)), select_policies(Run(only=("PAC-S3-009",)))
    )
    with pytest.raises(RuntimeError, match="install the same version on every worker"):
        compiled_policies(PolicySet(**{**_fields(policies), "version": "0.0.1-other"}))


def test_too_much_policy_text_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_policies, "MAX_SENT", 100)
    run = Run(policy_paths=(str(team_policies(tmp_path / "team")),))
    with pytest.raises(UsageError, match="over the limit of 100"):
        describe_policies(run, select_policies(run))


def test_a_scan_on_a_worker_reports_what_a_scan_of_the_file_reports(
    aws: MotoAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_tasks, "_sessions", OrderedDict())  # none of another test
    s3 = session_in(OTHER).client("s3")
    for name in ("team-logs", "scratch"):
        s3.create_bucket(Bucket=name)
    opened = open_account(spec(), OTHER)
    unit = collect_unit(spec(), OTHER, "us-east-1", "s3")
    started = datetime.now(timezone.utc)
    run = Run(
        policy_paths=(str(team_policies(tmp_path / "team")),),
        report=ReportOptions(include_passed=True),
    )
    policies = select_policies(run)
    reports = (Destination("json", "{account}.json"), Destination("sarif", "{account}.sarif"))
    reporting = Reporting(OTHER, run, reports)
    path = str(tmp_path / "snapshots" / f"snapshot-{OTHER}.json.gz")
    job = ScanJob(OTHER, path, str(tmp_path), keep=True, reporting=reporting)
    collected = Collected(opened, ("s3",), (), started)
    scanned = scan_account(job, describe_policies(run, policies), collected, unit)

    (tmp_path / "snapshots").mkdir()  # the client's: the worker wrote nothing
    snapshot = build_snapshot(
        accounts=[OTHER],
        regions=sorted(opened.regions),
        services=["s3"],
        contexts=[],
        setup_errors=[*opened.errors, *unit.errors],
        started=started,
        resources=unit.resources,
    )
    write_snapshot(snapshot, path)
    result = run_scan(ScanRequest(paths=(path,), root=str(tmp_path)), policies)
    expected = report_account(result, reporting)

    assert scanned.report.exit_code == expected.exit_code == 1
    json_report, sarif_report = (json.loads(t) for t in scanned.report.texts)
    assert json_report == json.loads(expected.texts[0])
    assert [(f["resource"]["id"], f["status"], f["file"]) for f in json_report["findings"]] == [
        ("arn:aws:s3:::scratch", "fail", f"snapshots/snapshot-{OTHER}.json.gz"),
        ("arn:aws:s3:::team-logs", "pass", f"snapshots/snapshot-{OTHER}.json.gz"),
    ]
    assert _runs(sarif_report) == _runs(json.loads(expected.texts[1]))
    assert sarif_report["runs"][0]["automationDetails"]["id"].startswith(f"pacscan/aws/{OTHER}/")
    assert (scanned.resources, scanned.errors) == (2, ())
    assert scanned.regions == ("eu-west-1", "us-east-1")  # sorted, as the snapshot has them
    assert scanned.snapshot is not None
    kept = json.loads(_gunzip(scanned.snapshot))
    assert kept["resources"] == json.loads(_gunzip(Path(path).read_bytes()))["resources"]


def _fields(policies: PolicySet) -> dict[str, object]:
    return {name: getattr(policies, name) for name in PolicySet.__slots__}


def _gunzip(data: bytes) -> bytes:
    import gzip

    return gzip.decompress(data)


def _runs(sarif: dict[str, object]) -> object:
    """A SARIF log but for the times of its invocation."""
    runs = json.loads(json.dumps(sarif["runs"]))
    for run in runs:
        run.pop("invocations", None)
    return runs
