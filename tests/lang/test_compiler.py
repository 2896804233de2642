from __future__ import annotations

from scanner.engine.evaluate import evaluate
from scanner.model import Resource, Status
from scanner.policyset.compiler import PolicySource, compile_sources

POLICY = """
policy VERSIONING {
  id = "PAC-S3-014"
  title = "S3 buckets keep object versions"
  severity = medium
  resource AWS::S3::Bucket
  let cfg = Properties.VersioningConfiguration
  assert cfg.Status == "Enabled" else "bucket {id} has Status {cfg.Status}"
  fix set Properties.VersioningConfiguration.Status = "Enabled"
}
"""


def _bucket(rid: str, props: dict[str, object]) -> Resource:
    return Resource("AWS::S3::Bucket", rid, {"Type": "AWS::S3::Bucket", "Properties": props})


def test_compiled_policy_passes_and_fails_resources() -> None:
    result = compile_sources([PolicySource("v.policy", POLICY)])
    assert result.diagnostics == []
    good = _bucket("Good", {"VersioningConfiguration": {"Status": "Enabled"}})
    bad = _bucket("Bad", {"VersioningConfiguration": {"Status": "Suspended"}})
    findings = evaluate(result.program, [good, bad])
    assert [f.status for f in findings] == [Status.PASS, Status.FAIL]
    assert findings[1].message == "bucket Bad has Status Suspended"
    assert findings[1].path == ("Properties", "VersioningConfiguration", "Status")
    assert findings[1].fix[0].path == ("Properties", "VersioningConfiguration", "Status")


def test_errors_in_one_file_do_not_stop_the_others() -> None:
    broken = PolicySource("broken.policy", "policy P {")
    result = compile_sources([broken, PolicySource("v.policy", POLICY)])
    assert [d.code for d in result.diagnostics] == ["P001"]
    assert [p.info.id for p in result.program.policies] == ["PAC-S3-014"]


def test_duplicate_policy_ids_across_files_are_reported() -> None:
    result = compile_sources([PolicySource("a.policy", POLICY), PolicySource("b.policy", POLICY)])
    assert [d.code for d in result.diagnostics] == ["P024"]
    assert result.diagnostics[0].location is not None
    assert result.diagnostics[0].location.file == "b.policy"
    assert len(result.program.policies) == 1
