"""References between the files of a module relate resources; suppression comments and
SARIF locations work in .tf files."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.model import Status
from scanner.report import renderer
from scanner.result import ReportOptions
from tests.terraform.helpers import load, scan, verdicts, write


def test_a_reference_from_another_file_relates_the_trail_to_its_bucket() -> None:
    found = verdicts(scan("relations"))
    # the trail (trail.tf) names the bucket (buckets.tf) through aws_s3_bucket.trail.id
    assert found[("PAC-CLOUDTRAIL-005", "aws_s3_bucket.trail")] == (
        Status.FAIL,
        "relations/buckets.tf:1",
    )
    # a bucket no trail names: the policy does not apply
    assert found[("PAC-CLOUDTRAIL-005", "aws_s3_bucket.other")][0] is Status.SKIP
    # the log target named by its literal name: not asked to log itself
    assert found[("PAC-S3-008", "aws_s3_bucket.trail")][0] is Status.SKIP


def test_a_comment_on_the_findings_line_suppresses_it() -> None:
    result = scan("relations")
    finding = next(
        f
        for f in result.findings
        if f.policy.id == "PAC-S3-009" and f.resource.id == "aws_s3_bucket.other"
    )
    assert finding.status is Status.SUPPRESSED
    assert finding.triage.suppression is not None
    assert finding.triage.suppression.justification == "scratch data, rebuilt nightly"


def test_sarif_locates_findings_in_tf_files() -> None:
    sarif = json.loads(renderer("sarif")(scan("relations"), ReportOptions()))
    regions = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r[
            "locations"
        ][0]["physicalLocation"]["region"]
        for r in sarif["runs"][0]["results"]
    }
    assert regions[("PAC-S3-009", "relations/buckets.tf")] == {
        "startLine": 11,
        "startColumn": 5,
        "endLine": 11,
        "endColumn": 20,
    }
    assert regions[("PAC-CLOUDTRAIL-004", "relations/trail.tf")]["startLine"] == 1


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" { bucket = "one" }\n'})
    first, _ = load(tmp_path)
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" { bucket = "second" }\n'})
    second, _ = load(tmp_path)
    assert first["aws_s3_bucket.b"].properties["BucketName"] == "one"
    assert second["aws_s3_bucket.b"].properties["BucketName"] == "second"
