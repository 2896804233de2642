from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner import stamps
from scanner.engine.evaluate import evaluate
from scanner.engine.program import Program
from scanner.lang.sources import builtin_policy_dir, discover_policy_files
from scanner.loaders import LoadOptions, load_inputs
from scanner.model import Finding
from scanner.policyset import compile_policies
from scanner.policyset.compiler import compile_sources
from scanner.policyset.deferred import set_key
from scanner.policyset.examples import run_examples
from scanner.policyset.index import SUBDIR, load_index, store_index

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

POLICY = """\
param wanted: string = "Enabled"

policy P {
  id = "PAC-T-001"
  title = "t"
  severity = low
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == wanted else "bucket {id} is off"
  fix set Properties.VersioningConfiguration.Status = "Enabled"
}

policy Q {
  id = "PAC-T-002"
  title = "q"
  severity = high
  resource AWS::SQS::Queue
  assert Properties.KmsMasterKeyId exists
}
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    return tmp_path / "cache" / "pacscan" / SUBDIR


def _verdicts(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [
        (f.policy, f.resource.id, f.status, f.message, f.path, f.location, f.fix) for f in findings
    ]


def _resources() -> list[object]:
    paths = [str(FIXTURES / "compliant"), str(FIXTURES / "cloudformation")]
    return list(load_inputs(paths, LoadOptions(jobs=1)).resources)


def test_a_second_compile_of_the_library_defers_and_finds_the_same(cache_home: Path) -> None:
    eager = compile_policies((), {})
    assert all(p.deferred is None for p in eager.program.policies)
    assert len(list(cache_home.iterdir())) == 1
    deferred = compile_policies((), {})
    assert deferred.diagnostics == ()
    assert all(p.deferred is not None for p in deferred.program.policies)
    assert [p.info for p in deferred.program.policies] == [p.info for p in eager.program.policies]
    resources = _resources()
    assert _verdicts(evaluate(deferred.program, resources, now=NOW)) == _verdicts(
        evaluate(eager.program, resources, now=NOW)
    )


def test_only_the_policies_of_the_types_met_are_compiled(cache_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    program = compile_policies((str(policy),), {}).program
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE)
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    (finding,) = evaluate(program, resources, now=NOW)
    assert (finding.policy.id, finding.status.value) == ("PAC-T-001", "fail")
    assert finding.message == "bucket B is off"
    assert finding.fix == program.policies[0].info.fixes
    assert program.by_type.compiled_types == {"AWS::S3::Bucket"}  # type: ignore[attr-defined]


def test_params_are_part_of_the_key(cache_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    compile_policies((str(policy),), {"wanted": "Suspended"})
    assert len(list(cache_home.iterdir())) == 2
    program = compile_policies((str(policy),), {"wanted": "Suspended"}).program
    template = tmp_path / "t.yaml"
    body = "Properties:\n      VersioningConfiguration: {Status: Suspended}\n"
    template.write_text(TEMPLATE + "    " + body)
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    assert [f.status.value for f in evaluate(program, resources, now=NOW)] == ["pass"]


def test_a_set_with_a_diagnostic_is_compiled_in_full_every_time(
    cache_home: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    for _ in range(2):
        compiled = compile_policies((str(policy),), {"unknown": 1})
        assert compiled.diagnostics
        assert all(p.deferred is None for p in compiled.program.policies)
    assert not cache_home.exists()


def test_a_changed_policy_file_is_compiled_again(cache_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    policy.write_text(POLICY.replace('title = "t"', 'title = "changed"'))
    program = compile_policies((str(policy),), {}).program
    assert all(p.deferred is None for p in program.policies)
    assert program.policies[0].info.title == "changed"


def test_a_policy_edited_after_its_set_was_stamped_is_compiled_from_its_new_text(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index key is remembered by the files' stamp, and files are read only when
    compiled: an edit (the same size, made long enough after the last write for the file
    system's clock to move) gives another stamp, so the new text is compiled."""
    monkeypatch.setattr(stamps, "RECENT", -10_000_000_000)  # files written now count as old
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    assert [p.name for p in (cache_home.parent / stamps.SUBDIR).iterdir()][0].startswith(
        "policy-set-"
    )
    indexed = compile_policies((str(policy),), {}).program
    assert all(p.deferred is not None for p in indexed.policies)
    time.sleep(0.02)
    policy.write_text(POLICY.replace('title = "t"', 'title = "T"'))
    program = compile_policies((str(policy),), {}).program
    assert all(p.deferred is None for p in program.policies)
    assert program.policies[0].info.title == "T"


def test_a_policy_edited_within_the_clock_tick_of_its_last_write_is_read(
    cache_home: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    policy.write_text(POLICY.replace('title = "t"', 'title = "T"'))  # maybe the same times
    program = compile_policies((str(policy),), {}).program
    assert program.policies[0].info.title == "T"
    stamped = (cache_home.parent / stamps.SUBDIR).glob("policy-set-*")
    assert not list(stamped)  # the files were too new to stamp: read and hashed


def test_a_policy_file_gone_since_its_set_was_indexed_is_an_error_finding(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is read when its policies are first needed; one that cannot be read then
    (deleted while the scan ran) gives an error finding, never a verdict."""
    monkeypatch.setattr(stamps, "RECENT", -10_000_000_000)
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    compile_policies((str(policy),), {})
    program = compile_policies((str(policy),), {}).program
    assert all(p.deferred is not None for p in program.policies)
    policy.unlink()
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE)
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    (finding,) = evaluate(program, resources, now=NOW)
    assert finding.status.value == "error"
    assert "no longer compiles" in finding.message


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'[["p.policy", {"os.system": ["echo"]}]]',
        b'[["p.policy", {"Location": ["p.policy", 1, 1]}]]',
        b'[["p.policy", {"PolicyInfo": [1, 2], "x": []}]]',
        b"{}",
    ],
)
def test_an_entry_that_is_not_policy_metadata_is_ignored(
    cache_home: Path, tmp_path: Path, body: bytes
) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    sources = discover_policy_files([str(policy)])
    key = set_key(sources, {})
    compile_policies((str(policy),), {})
    (entry,) = cache_home.iterdir()
    head = json.dumps({"format": 1, "key": key}).encode()
    entry.write_bytes(head + b"\n" + body)
    assert load_index(key) is None
    program = compile_policies((str(policy),), {}).program
    assert [p.info.id for p in program.policies] == ["PAC-T-001", "PAC-T-002"]
    assert all(p.deferred is None for p in program.policies)


def test_every_builtin_policy_reads_back_as_it_was_written(cache_home: Path) -> None:
    sources = discover_policy_files([builtin_policy_dir()])
    compiled = compile_sources(sources, {})
    infos = [(p.info.source.file, p.info) for p in compiled.program.policies if p.info.source]
    assert len(infos) == len(compiled.program.policies)
    store_index("k" * 64, infos)
    assert load_index("k" * 64) == infos


def test_examples_of_stand_ins_run(cache_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    text = POLICY.replace(
        '  fix set Properties.VersioningConfiguration.Status = "Enabled"\n',
        '  fix set Properties.VersioningConfiguration.Status = "Enabled"\n'
        "  example fail { Properties: {} }\n",
    )
    policy.write_text(text)
    compile_policies((str(policy),), {})
    program: Program = compile_policies((str(policy),), {}).program
    (result,) = run_examples(program, NOW)
    assert result.ok and result.finding.status.value == "fail"


def test_a_policy_that_no_longer_matches_its_entry_is_an_error_on_each_resource(
    cache_home: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY)
    sources = discover_policy_files([str(policy)])
    compiled = compile_sources(sources, {})
    key = set_key(sources, {})
    first = compiled.program.policies[0].info
    store_index(key, [(str(policy), replace(first, title="not what the file says"))])
    program = compile_policies((str(policy),), {}).program
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE)
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    (finding,) = evaluate(program, resources, now=NOW)
    assert finding.status.value == "error"
    assert "no longer compiles to the policy the index holds" in finding.message


def test_a_policy_using_a_builtin_module_runs_from_the_index(
    cache_home: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "sg.policy"
    policy.write_text(
        "use network (open_to_world)\n\n"
        "policy OPEN {\n"
        '  id = "PAC-T-010"\n  title = "t"\n  severity = high\n'
        "  resource AWS::EC2::SecurityGroup\n"
        "  assert none Properties.SecurityGroupIngress[*] as rule: open_to_world(rule)\n"
        "}\n"
    )
    template = tmp_path / "t.yaml"
    template.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  G:\n'
        "    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22,"
        " CidrIp: 0.0.0.0/0}]\n"
    )
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    eager = compile_policies((str(policy),), {})
    assert eager.diagnostics == ()
    deferred = compile_policies((str(policy),), {}).program
    assert all(p.deferred is not None for p in deferred.policies)
    assert _verdicts(evaluate(deferred, resources, now=NOW)) == _verdicts(
        evaluate(eager.program, resources, now=NOW)
    )
    assert [f.status.value for f in evaluate(deferred, resources, now=NOW)] == ["fail"]


FILTER_POLICY = """\
policy F {
  id = "PAC-T-003"
  title = "f"
  severity = low
  resource AWS::EC2::Instance
  assert none Properties.BlockDeviceMappings[? @.Ebs.Encrypted != true] as d: true
  fix set Properties.BlockDeviceMappings[? @.Ebs.Encrypted != true].Ebs.Encrypted = true
  fix set Properties.Tags[Key = "encrypted"].Value = "yes"
}
"""

INSTANCE = """\
Resources:
  I1:
    Type: AWS::EC2::Instance
    Properties:
      BlockDeviceMappings:
        - Ebs: {Encrypted: false}
        - Ebs: {Encrypted: true}
"""


def test_a_fix_with_list_steps_survives_the_index(cache_home: Path, tmp_path: Path) -> None:
    """Keyed steps are stored as records; an Each filter is stored by its text, and the
    deferred policy keeps its own compiled filter, which must still select elements."""
    from scanner.fix.select import concrete

    policy = tmp_path / "f.policy"
    policy.write_text(FILTER_POLICY)
    eager = compile_policies((str(policy),), {}).program
    assert len(list(cache_home.iterdir())) == 1  # the index was written
    program = compile_policies((str(policy),), {}).program
    assert all(p.deferred is not None for p in program.policies)
    template = tmp_path / "t.yaml"
    template.write_text(INSTANCE)
    resources = load_inputs([str(template)], LoadOptions(jobs=1)).resources
    (finding,) = evaluate(program, resources, now=NOW)
    (expected,) = evaluate(eager, resources, now=NOW)
    assert finding.status.value == "fail"
    made = concrete(finding.fix, resources[0])
    assert made == concrete(expected.fix, resources[0])
    assert not isinstance(made, str)
    paths = [".".join(map(str, m.path)) for m in made]
    assert paths[0] == "Properties.BlockDeviceMappings.0.Ebs.Encrypted"
