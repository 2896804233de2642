from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.cli import cli, main
from scanner.errors import UsageError
from scanner.loaders import LoadOptions, load_inputs
from scanner.model import (
    BaselineState,
    Document,
    Finding,
    LiveOrigin,
    PolicyInfo,
    Resource,
    Severity,
    Status,
    Suppressed,
    Triage,
    locate,
)
from scanner.outcome import exit_code
from scanner.report import json_report, sarif, text
from scanner.result import ReportOptions, ScanResult
from scanner.triage.baseline import apply_baseline, load_baseline, load_baseline_if_present

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
VERSIONING = PolicyInfo("PAC-S3-014", "V", "Versioning", Severity.MEDIUM, ("AWS::S3::Bucket",))
OPEN_SSH = PolicyInfo("PAC-EC2-001", "S", "SSH", Severity.HIGH, ("AWS::EC2::SecurityGroup",))
POLICIES = (VERSIONING, OPEN_SSH)

BEFORE = """\
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties: {}
  Uploads:
    Type: AWS::S3::Bucket
    Properties: {}
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties: {}
"""

# Lines inserted above every resource, Bastion fixed (gone), a new bucket.
AFTER = """\
Description: the same stack, edited
Resources:
  # comment lines move everything down
  Logs:
    Type: AWS::S3::Bucket
    Properties: {}
  Uploads:
    Type: AWS::S3::Bucket
    Properties: {}
  Scratch:
    Type: AWS::S3::Bucket
    Properties: {}
"""


def _resources(root: Path, text: str) -> dict[str, Resource]:
    path = root / "stacks" / "app.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    loaded = load_inputs([str(path)], LoadOptions(jobs=1))
    assert not loaded.errors
    return {r.id: r for r in loaded.resources}


def _finding(
    policy: PolicyInfo, resource: Resource, status: Status = Status.FAIL, message: str = ""
) -> Finding:
    path = ("Properties",)
    text = message or f"{resource.id} fails {policy.id}"
    return Finding(policy, resource, status, text, path, locate(resource, path))


def _result(root: Path, findings: list[Finding]) -> ScanResult:
    return ScanResult(findings=tuple(findings), policies=POLICIES, root=str(root))


def _before(root: Path) -> ScanResult:
    res = _resources(root, BEFORE)
    return _result(
        root,
        [
            _finding(VERSIONING, res["Logs"]),
            _finding(VERSIONING, res["Uploads"], Status.UNKNOWN, "Status is unknown"),
            _finding(OPEN_SSH, res["Bastion"]),
        ],
    )


def _after(root: Path) -> ScanResult:
    res = _resources(root, AFTER)
    return _result(
        root,
        [
            _finding(VERSIONING, res["Logs"]),
            _finding(VERSIONING, res["Uploads"]),
            _finding(VERSIONING, res["Scratch"]),
        ],
    )


Writer = Callable[[ScanResult, ReportOptions], str]


def _write(root: Path, writer: Writer, result: ScanResult, name: str) -> str:
    path = root / name
    path.write_text(writer(result, ReportOptions()), encoding="utf-8")
    return str(path)


def _states(result: ScanResult) -> dict[str, str]:
    return {
        f.resource.id: str(f.triage.baseline and f.triage.baseline.value) for f in result.findings
    }


@pytest.fixture(scope="module")
def validate() -> Callable[[dict[str, Any]], None]:
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))

    def check(log: dict[str, Any]) -> None:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
        assert not errors, errors

    return check


@pytest.mark.parametrize(
    ("writer", "name"), [(sarif.render, "previous.sarif"), (json_report.render, "previous.json")]
)
def test_every_baseline_state(
    tmp_path: Path, writer: Writer, name: str, validate: Callable[[dict[str, Any]], None]
) -> None:
    previous = load_baseline(_write(tmp_path, writer, _before(tmp_path), name))
    compared = apply_baseline(_after(tmp_path), previous)
    assert _states(compared) == {"Logs": "unchanged", "Uploads": "updated", "Scratch": "new"}
    assert [(f.policy.id, f.resource.id) for f in compared.absent] == [("PAC-EC2-001", "Bastion")]
    gone = compared.absent[0]
    assert gone.triage.baseline is BaselineState.ABSENT
    assert gone.location is not None and gone.location.line == 10

    log = json.loads(sarif.render(compared, ReportOptions()))
    validate(log)
    results = log["runs"][0]["results"]
    assert sorted((r["ruleId"], r["baselineState"]) for r in results) == [
        ("PAC-EC2-001", "absent"),
        ("PAC-S3-014", "new"),
        ("PAC-S3-014", "unchanged"),
        ("PAC-S3-014", "updated"),
    ]
    absent = next(r for r in results if r["baselineState"] == "absent")
    before_log = json.loads(sarif.render(_before(tmp_path), ReportOptions()))
    bastion = next(r for r in before_log["runs"][0]["results"] if r["ruleId"] == "PAC-EC2-001")
    assert absent["partialFingerprints"] == bastion["partialFingerprints"]
    assert absent["locations"] == bastion["locations"]
    assert "1 gone since the baseline" in text.render(compared, ReportOptions())


def test_new_only_fails_on_new_findings_alone(tmp_path: Path) -> None:
    previous = load_baseline(_write(tmp_path, sarif.render, _before(tmp_path), "p.sarif"))
    compared = apply_baseline(_after(tmp_path), previous)
    assert exit_code(compared, Severity.LOW, new_only=True) == 1
    without_scratch = replace(
        compared, findings=tuple(f for f in compared.findings if f.resource.id != "Scratch")
    )
    assert exit_code(without_scratch, Severity.LOW, new_only=True) == 0
    assert exit_code(without_scratch, Severity.LOW) == 1


def test_changed_message_is_updated(tmp_path: Path) -> None:
    before = _before(tmp_path)
    previous = load_baseline(_write(tmp_path, sarif.render, before, "p.sarif"))
    reworded = [replace(f, message="Status is still unknown") for f in before.findings]
    compared = apply_baseline(replace(before, findings=tuple(reworded)), previous)
    assert set(_states(compared).values()) == {"updated"}
    assert apply_baseline(before, previous).absent == ()
    assert set(_states(apply_baseline(before, previous)).values()) == {"unchanged"}


def test_suppressed_results_compare_as_suppressed(tmp_path: Path) -> None:
    before = _before(tmp_path)
    suppressed = [
        replace(f, status=Status.SUPPRESSED, triage=Triage(Suppressed("external")))
        for f in before.findings
    ]
    result = replace(before, findings=tuple(suppressed))
    for writer, name in ((sarif.render, "s.sarif"), (json_report.render, "s.json")):
        previous = load_baseline(_write(tmp_path, writer, result, name))
        assert [p.status for p in previous] == [Status.SUPPRESSED] * 3
        assert set(_states(apply_baseline(result, previous)).values()) == {"unchanged"}


def test_live_findings_match_by_arn(tmp_path: Path) -> None:
    def live(snapshot: str) -> ScanResult:
        arn = "arn:aws:iam::123456789012:role/admin"
        resource = Resource(
            "AWS::IAM::Role",
            arn,
            {"Type": "AWS::IAM::Role"},
            Document(str(tmp_path / snapshot), "snapshot"),
            origin=LiveOrigin(arn=arn, account="123456789012", region="", name="admin"),
        )
        return _result(tmp_path, [_finding(OPEN_SSH, resource, message="admin role")])

    for writer, name in ((sarif.render, "l.sarif"), (json_report.render, "l.json")):
        previous = load_baseline(_write(tmp_path, writer, live("monday.json"), name))
        compared = apply_baseline(live("tuesday.json"), previous)
        assert _states(compared) == {"arn:aws:iam::123456789012:role/admin": "unchanged"}


def test_other_tools_runs_are_ignored(tmp_path: Path) -> None:
    log = json.loads(sarif.render(_before(tmp_path), ReportOptions()))
    other = json.loads(json.dumps(log["runs"][0]))
    other["tool"]["driver"]["name"] = "othertool"
    log["runs"].append(other)
    path = tmp_path / "merged.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    assert len(load_baseline(str(path))) == 3


def test_unreadable_baselines_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read baseline") as missing:
        load_baseline(str(tmp_path / "nope.sarif"))
    assert missing.value.code == "B001"
    broken = tmp_path / "broken.sarif"
    broken.write_text('{\n  "runs": [\n    oops\n', encoding="utf-8")
    with pytest.raises(UsageError, match="not valid JSON") as bad_json:
        load_baseline(str(broken))
    assert bad_json.value.location is not None
    assert (bad_json.value.location.line, bad_json.value.location.column) == (3, 5)
    other = tmp_path / "other.json"
    other.write_text('{"results": []}', encoding="utf-8")
    with pytest.raises(UsageError, match="neither a SARIF log nor a pacscan JSON report"):
        load_baseline(str(other))


def test_a_baseline_that_does_not_exist_yet_is_empty_with_a_warning(tmp_path: Path) -> None:
    previous, warning = load_baseline_if_present(str(tmp_path / "first-run.sarif"))
    assert previous == []
    assert warning is not None and warning.code == "B004" and warning.severity == "warning"
    assert "every finding counts as new" in warning.message


def test_first_run_with_new_only_fails_on_every_finding(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n"
        "      EnableKeyRotation: false\n"
    )
    missing = tmp_path / "baseline.sarif"
    args = ["scan", "--no-config", str(template), "--baseline", str(missing), "--new-only"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "warning[B004]" in result.output


MALFORMED = [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "B002", "nested too deeply"),
    ("runs.sarif", '{"runs": [1]}', "B003", "runs[0]: 1 is not of type 'object'"),
    (
        "locations.sarif",
        '{"runs": [{"tool": {"driver": {"name": "pacscan"}}, "results": [{"ruleId": "X",'
        ' "partialFingerprints": {"primaryLocationLineHash": "f"}, "locations": {"0": 5}}]}]}',
        "B003",
        "runs[0].results[0].locations: {'0': 5} is not of type 'array'",
    ),
    (
        "rules.sarif",
        '{"runs": [{"tool": {"driver": {"name": "pacscan", "rules": 3}}, "results": []}]}',
        "B003",
        "runs[0].tool.driver.rules: 3 is not of type 'array'",
    ),
    ("findings.json", '{"version": 1, "findings": 7}', "B003", "findings: 7 is not of type"),
    (
        "path.json",
        '{"version": 1, "findings": [{"resource": {"type": "T", "id": "x"}, "path": 3}]}',
        "B003",
        "findings[0].path: 3 is not of type 'array'",
    ),
]


@pytest.mark.parametrize(("name", "text", "code", "message"), MALFORMED)
def test_malformed_baselines_are_one_usage_error(
    tmp_path: Path, name: str, text: str, code: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_baseline(str(path))
    assert caught.value.code == code
    assert message in str(caught.value)


def test_a_baseline_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.sarif"
    path.write_bytes(b'{"runs": ["\xff\xfe"]}')
    with pytest.raises(UsageError, match="not UTF-8") as caught:
        load_baseline(str(path))
    assert caught.value.code == "B002"


def test_malformed_baseline_exits_2_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    baseline = tmp_path / "previous.sarif"
    baseline.write_text(
        '{"runs": [{"tool": {"driver": {"name": "pacscan"}}, "results": [{"ruleId": "X",'
        ' "partialFingerprints": {"primaryLocationLineHash": "f"}, "locations": {"a": 1}}]}]}',
        encoding="utf-8",
    )
    args = ["scan", "--no-config", str(template), "--baseline", str(baseline)]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "error[B003]" in err
    assert "runs[0].results[0].locations: {'a': 1} is not of type 'array'" in err
    assert "Traceback" not in err and "internal error" not in err


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "runs",
                    "tool",
                    "driver",
                    "name",
                    "rules",
                    "results",
                    "locations",
                    "ruleId",
                    "partialFingerprints",
                    "primaryLocationLineHash",
                    "physicalLocation",
                    "region",
                    "artifactLocation",
                    "uri",
                    "logicalLocations",
                    "suppressions",
                    "kind",
                    "message",
                    "text",
                    "properties",
                    "startLine",
                    "version",
                    "findings",
                    "resource",
                    "path",
                    "location",
                    "line",
                    "column",
                    "file",
                    "status",
                    "severity",
                    "id",
                    "type",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=JSON_VALUES,
    envelope=st.sampled_from(["sarif", "json"]),
)
def test_any_json_baseline_loads_or_is_a_usage_error(
    tmp_path: Path, body: Any, envelope: str
) -> None:
    if envelope == "sarif":
        data: Any = {"runs": [{"tool": {"driver": {"name": "pacscan"}}, "results": [body]}]}
    else:
        data = {"version": 1, "findings": [body]}
    path = tmp_path / "generated.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        previous = load_baseline(str(path))
    except UsageError as exc:
        assert exc.code == "B003"
        return
    result = ScanResult(findings=(), policies=POLICIES, root=str(tmp_path))
    apply_baseline(result, previous)


def _live_group(tmp_path: Path, name: str, region: str) -> Resource:
    arn = f"arn:aws:ec2:{region}:123456789012:security-group/{name}"
    return Resource(
        "AWS::EC2::SecurityGroup",
        arn,
        {"Type": "AWS::EC2::SecurityGroup", "Properties": {}},
        Document(str(tmp_path / "monday.json"), "snapshot"),
        origin=LiveOrigin(arn=arn, account="123456789012", region=region, name=name),
    )


def _gap(tmp_path: Path, region: str) -> Finding:
    reason = "ec2:DescribeSecurityGroups failed: Throttling: Rate exceeded"
    resource = Resource(
        "AWS::EC2::SecurityGroup",
        f"pacscan:unlisted:123456789012:{region}:AWS::EC2::SecurityGroup",
        {"Type": "AWS::EC2::SecurityGroup"},
        Document(str(tmp_path / "tuesday.json"), "snapshot"),
        origin=LiveOrigin(arn="x", account="123456789012", region=region, gap=reason),
    )
    return Finding(OPEN_SSH, resource, Status.UNKNOWN, f"cannot tell: {reason}")


@pytest.mark.parametrize(
    ("writer", "name"), [(sarif.render, "m.sarif"), (json_report.render, "m.json")]
)
@pytest.mark.parametrize(
    ("gap_region", "carried"),
    [("us-east-1", {"sg-east"}), ("global", {"sg-east", "sg-west"}), ("eu-west-1", set())],
)
def test_findings_under_a_collection_gap_are_carried_not_absent(
    tmp_path: Path, writer: Writer, name: str, gap_region: str, carried: set[str]
) -> None:
    monday = _result(
        tmp_path,
        [
            _finding(OPEN_SSH, _live_group(tmp_path, "sg-east", "us-east-1"), message="open"),
            _finding(OPEN_SSH, _live_group(tmp_path, "sg-west", "us-west-2"), message="open"),
        ],
    )
    previous = load_baseline(_write(tmp_path, writer, monday, name))
    tuesday = apply_baseline(_result(tmp_path, [_gap(tmp_path, gap_region)]), previous)
    kept = {f.resource.id.rsplit("/", 1)[-1]: f for f in tuesday.findings if f.triage.carried}
    assert set(kept) == carried
    for finding in kept.values():
        assert finding.status is Status.FAIL
        assert finding.triage.baseline is BaselineState.UNCHANGED
        assert "DescribeSecurityGroups failed: Throttling" in (finding.triage.carried or "")
    gone = {f.resource.id.rsplit("/", 1)[-1] for f in tuesday.absent}
    assert gone == {"sg-east", "sg-west"} - carried
    assert exit_code(tuesday, Severity.LOW) == (1 if carried else 0)
    # written again, a carried finding keeps its fingerprint: the next run still matches it
    written = load_baseline(_write(tmp_path, writer, tuesday, "tuesday-" + name))
    assert {p.fingerprint for p in previous} - {p.fingerprint for p in written} == {
        p.fingerprint for p in previous if p.metadata and p.metadata["arn"].split("/")[-1] in gone
    }


def test_a_wrong_shape_is_located_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "previous.sarif"
    path.write_text(
        '{\n  "runs": [\n    {\n      "tool": {"driver": {"name": "pacscan"}},\n'
        '      "results": [\n        {"ruleId": "X",\n'
        '         "partialFingerprints": {"primaryLocationLineHash": "f"},\n'
        '         "locations": {"a": 1}}\n      ]\n    }\n  ]\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(UsageError) as caught:
        load_baseline(str(path))
    location = caught.value.location
    assert location is not None
    assert (location.file, location.line, location.column) == (str(path), 8, 23)
