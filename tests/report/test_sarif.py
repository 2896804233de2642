from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import sarif_om as om
from jschema_to_python.to_json import to_json
from report_fixtures import (
    ENCRYPTION,
    OPEN_SSH,
    VERSIONING,
    Factory,
    finding,
    input_error,
    scan_result,
    template_edits,
)

from scanner.errors import Diagnostic
from scanner.model import FixOp, Location, PolicyInfo, Severity, Status
from scanner.report import sarif as sarif_module
from scanner.report.sarif import render
from scanner.report.sarif_fixes import finding_fixes, sarif_fix
from scanner.report.sarif_rules import LEVEL
from scanner.result import ReportOptions, ScanResult
from scanner.triage.fingerprint import FINGERPRINT_KEY, fingerprints
from scanner.triage.locations import (
    file_uri,
    finding_file,
    live_identity,
    pseudo_path,
    result_message,
)

Validate = Callable[[str], dict[str, Any]]
STATUS_PATH = ("Properties", "VersioningConfiguration", "Status")


def _log(result: ScanResult, validate: Validate, **options: Any) -> dict[str, Any]:
    return validate(render(result, ReportOptions(**options)))


def _run(result: ScanResult, validate: Validate, **options: Any) -> dict[str, Any]:
    run: dict[str, Any] = _log(result, validate, **options)["runs"][0]
    return run


def _template_findings(make: Factory) -> tuple[ScanResult, dict[str, Any]]:
    res = make.resources(make.document())
    findings = [
        finding(VERSIONING, res["Logs"], path=STATUS_PATH, message="bucket Logs keeps no versions"),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, path=("Properties",)),
        finding(OPEN_SSH, res["Bastion"], path=("Properties", "SecurityGroupIngress", 0)),
        finding(ENCRYPTION, res["Logs"], Status.PASS),
        finding(ENCRYPTION, res["Uploads"], Status.SKIP),
    ]
    return scan_result(make.root, findings), res


def test_clean_scan_has_an_empty_results_array(make: Factory, sarif_validator: Validate) -> None:
    log = _log(scan_result(make.root, []), sarif_validator)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "PAC-S3-014",
        "PAC-EC2-001",
        "PAC-S3-001",
    ]
    assert run["invocations"][0]["executionSuccessful"] is True


def test_rules_carry_policy_metadata(make: Factory, sarif_validator: Validate) -> None:
    rule = _run(scan_result(make.root, []), sarif_validator)["tool"]["driver"]["rules"][0]
    assert rule["name"] == "S3_BUCKET_VERSIONING"
    assert rule["shortDescription"]["text"] == VERSIONING.title
    assert rule["fullDescription"]["text"] == VERSIONING.description
    assert rule["help"]["text"].startswith("Set `VersioningConfiguration.Status`")
    assert "**Controls:** `aws-fsbp:S3.14`" in rule["help"]["markdown"]
    assert rule["helpUri"] == VERSIONING.help_url
    assert rule["defaultConfiguration"]["level"] == "warning"  # a default sarif-om drops
    props = rule["properties"]
    assert props["tags"] == [
        "security",
        "s3",
        "data-protection",
        "aws-fsbp:S3.14",
        "cis-aws-3.0:2.1.1",
    ]
    assert props["precision"] == "high"
    assert props["security-severity"] == "5.5"
    assert props["equivalents"] == ["checkov:CKV_AWS_21"]


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
        (Severity.INFO, "note", "1.0"),
    ],
)
def test_severity_maps_to_level_and_security_severity(
    make: Factory, sarif_validator: Validate, severity: Severity, level: str, score: str
) -> None:
    policy = replace(VERSIONING, severity=severity)
    res = make.resources(make.document())
    result = scan_result(make.root, [finding(policy, res["Logs"])], policies=[policy])
    run = _run(result, sarif_validator)
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"]["security-severity"] == score
    assert run["results"][0]["level"] == level
    assert run["results"][0]["kind"] == "fail"


def test_tags_are_capped_at_twenty(make: Factory, sarif_validator: Validate) -> None:
    policy = replace(VERSIONING, tags=tuple(f"t{i}" for i in range(15)), controls=("c",) * 1)
    policy = replace(policy, controls=tuple(f"ctl:{i}" for i in range(10)))
    run = _run(scan_result(make.root, [], policies=[policy]), sarif_validator)
    tags = run["tool"]["driver"]["rules"][0]["properties"]["tags"]
    assert len(tags) == 20
    assert tags[0] == "security"


def test_results_have_relative_uris_and_full_regions(
    make: Factory, sarif_validator: Validate
) -> None:
    result, res = _template_findings(make)
    run = _run(result, sarif_validator)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == make.root.resolve().as_uri() + "/"
    first = run["results"][0]
    assert first["ruleId"] == "PAC-S3-014"
    assert first["ruleIndex"] == 0
    assert first["message"]["text"] == "bucket Logs keeps no versions."
    physical = first["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "templates/app.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 9, "startColumn": 9, "endLine": 9, "endColumn": 26}
    assert run["automationDetails"]["id"] == "pacscan/iac/"
    assert run["columnKind"] == "unicodeCodePoints"


def test_pass_and_skip_results_only_when_asked(make: Factory, sarif_validator: Validate) -> None:
    result, _ = _template_findings(make)
    default = _run(result, sarif_validator)
    assert [r["kind"] for r in default["results"]] == ["fail", "review", "fail"]
    everything = _run(result, sarif_validator, include_passed=True)
    kinds = sorted((r["ruleId"], r["kind"], r["level"]) for r in everything["results"])
    assert ("PAC-S3-001", "pass", "none") in kinds
    assert ("PAC-S3-001", "notApplicable", "none") in kinds


def test_unknown_is_a_review_result_without_a_level(
    make: Factory, sarif_validator: Validate
) -> None:
    result, _ = _template_findings(make)
    unknown = _run(result, sarif_validator)["results"][1]
    assert (unknown["kind"], unknown["level"]) == ("review", "none")


def test_category_sets_automation_id(make: Factory, sarif_validator: Validate) -> None:
    run = _run(scan_result(make.root, []), sarif_validator, category="pacscan/aws/123")
    assert run["automationDetails"]["id"] == "pacscan/aws/123/"


def test_live_findings_use_a_pseudo_path_and_the_arn(
    make: Factory, sarif_validator: Validate
) -> None:
    live = make.live("acme/logs bucket")
    result = scan_result(make.root, [finding(VERSIONING, live, message="versioning is off")])
    found = _run(result, sarif_validator)["results"][0]
    location = found["locations"][0]
    uri = location["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "aws/123456789012/us-east-1/AWS%3A%3AS3%3A%3ABucket/acme%2Flogs%20bucket"
    assert "arn:" not in uri
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    assert location["logicalLocations"] == [
        {
            "fullyQualifiedName": "arn:aws:s3:::acme/logs bucket",
            "kind": "resource",
            "name": "acme/logs bucket",
        }
    ]
    assert found["message"]["text"] == "versioning is off (arn:aws:s3:::acme/logs bucket)."
    assert found["properties"]["arn"] == "arn:aws:s3:::acme/logs bucket"
    assert found["properties"]["account"] == "123456789012"
    assert "fixes" not in found


def _fixed(text: str, fix: dict[str, Any]) -> str:
    """``text`` with one SARIF fix made (replacements by charOffset/charLength)."""
    out, last = [], 0
    for replacement in fix["artifactChanges"][0]["replacements"]:
        region = replacement["deletedRegion"]
        assert region["charOffset"] >= last
        out += [text[last : region["charOffset"]], replacement["insertedContent"]["text"]]
        last = region["charOffset"] + region["charLength"]
    return "".join([*out, text[last:]])


def test_set_fix_replaces_the_scalar_region(make: Factory, sarif_validator: Validate) -> None:
    document = make.document()
    res = make.resources(document)
    result = scan_result(make.root, [finding(VERSIONING, res["Logs"], path=STATUS_PATH)])
    fixes = _run(result, sarif_validator)["results"][0]["fixes"]
    assert len(fixes) == 1
    change = fixes[0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "templates/app.yaml", "uriBaseId": "%SRCROOT%"}
    replacement = change["replacements"][0]
    assert replacement["insertedContent"] == {"text": "Enabled"}
    region = replacement["deletedRegion"]
    assert document.text is not None
    start, length = region["charOffset"], region["charLength"]
    assert document.text[start : start + length] == "Suspended"
    line = document.source_line(region["startLine"]) or ""
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "Suspended"
    assert fixes[0]["description"]["text"] == (
        'Set Properties.VersioningConfiguration.Status to "Enabled".'
    )


@pytest.mark.parametrize(
    ("resource_id", "fix", "old", "new"),
    [
        (  # a property missing from the file: new lines at the mapping's indentation
            "Uploads",
            FixOp("set", STATUS_PATH, "Enabled"),
            "      BucketName: uploads\n",
            "      BucketName: uploads\n      VersioningConfiguration:\n        Status: Enabled\n",
        ),
        (
            "Logs",
            FixOp("remove", ("Properties", "VersioningConfiguration")),
            "      BucketName: logs\n      VersioningConfiguration:\n        Status: Suspended\n",
            "      BucketName: logs\n",
        ),
        (
            "Logs",
            FixOp("set", ("Properties", "VersioningConfiguration"), {"Status": "Enabled"}),
            "        Status: Suspended\n",
            "        Status: Enabled\n",
        ),
    ],
)
def test_insertions_and_removals_are_exact_fixes(
    make: Factory, sarif_validator: Validate, resource_id: str, fix: FixOp, old: str, new: str
) -> None:
    document = make.document()
    res = make.resources(document)
    policy = replace(VERSIONING, fixes=(fix,))
    result = scan_result(make.root, [finding(policy, res[resource_id])], policies=[policy])
    fixes = _run(result, sarif_validator)["results"][0]["fixes"]
    assert document.text is not None and old in document.text
    assert _fixed(document.text, fixes[0]) == document.text.replace(old, new, 1)


def test_no_fix_below_the_threshold_or_when_suppressed(
    make: Factory, sarif_validator: Validate
) -> None:
    res = make.resources(make.document())
    findings = [finding(VERSIONING, res["Logs"], path=STATUS_PATH)]
    high = _run(scan_result(make.root, findings, fixes_at=Severity.HIGH), sarif_validator)
    assert "fixes" not in high["results"][0]
    suppressed = [finding(VERSIONING, res["Logs"], Status.SUPPRESSED, path=STATUS_PATH)]
    assert "fixes" not in _run(scan_result(make.root, suppressed), sarif_validator)["results"][0]


def test_only_verified_edits_are_offered(make: Factory, sarif_validator: Validate) -> None:
    res = make.resources(make.document())
    findings = [finding(VERSIONING, res["Logs"], path=STATUS_PATH)]
    unverified = scan_result(make.root, findings, fixes_at=None)
    assert "fixes" not in _run(unverified, sarif_validator)["results"][0]
    verified = scan_result(make.root, findings)
    assert "fixes" in _run(verified, sarif_validator)["results"][0]
    (edit,) = template_edits(tuple(findings), Severity.LOW)
    other = replace(edit, text=edit.text + "# not what fix writes\n")
    assert finding_fixes(findings, [edit], str(make.root))
    assert finding_fixes(findings, [other], str(make.root)) == []


def test_no_fix_for_a_value_resolved_from_a_reference(
    make: Factory, sarif_validator: Validate
) -> None:
    text = (
        "Parameters:\n  Mode:\n    Type: String\n    Default: Suspended\n"
        "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      VersioningConfiguration:\n        Status: !Ref Mode\n"
    )
    logs = make.resources(make.document("ref.yaml", text))["Logs"]
    assert logs.body["Properties"]["VersioningConfiguration"]["Status"] == "Suspended"
    result = scan_result(make.root, [finding(VERSIONING, logs, path=STATUS_PATH)])
    assert "fixes" not in _run(result, sarif_validator)["results"][0]


def test_suppressed_results_carry_suppressions_and_the_rest_empty_arrays(
    make: Factory, sarif_validator: Validate
) -> None:
    res = make.resources(make.document())
    suppression = {"kind": "inSource", "justification": "bastion is behind the VPN"}
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"]),
            finding(OPEN_SSH, res["Bastion"], Status.SUPPRESSED, suppression=suppression),
        ],
    )
    results = _run(result, sarif_validator)["results"]
    assert results[0]["suppressions"] == []
    assert results[1]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "bastion is behind the VPN"}
    ]
    assert results[1]["kind"] == "fail"
    omitted = _run(result, sarif_validator, omit_suppressed=True)["results"]
    assert [r["ruleId"] for r in omitted] == ["PAC-S3-014"]
    assert "suppressions" not in omitted[0]


def test_external_suppression_without_reason_has_no_justification(
    make: Factory, sarif_validator: Validate
) -> None:
    res = make.resources(make.document())
    suppressed = finding(
        OPEN_SSH, res["Bastion"], Status.SUPPRESSED, suppression={"kind": "external"}
    )
    results = _run(scan_result(make.root, [suppressed]), sarif_validator)["results"]
    assert results[0]["suppressions"] == [{"kind": "external", "status": "accepted"}]


def test_baseline_state_is_set_on_every_result(make: Factory, sarif_validator: Validate) -> None:
    res = make.resources(make.document())
    gone = finding(ENCRYPTION, res["Uploads"], baseline_state="absent", fingerprint="abc:1")
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"], baseline_state="unchanged"),
            finding(OPEN_SSH, res["Bastion"], baseline_state="new"),
            finding(VERSIONING, res["Uploads"], Status.UNKNOWN, baseline_state="updated"),
        ],
        absent=(gone,),
    )
    results = _run(result, sarif_validator)["results"]
    states = [(r["ruleId"], r["baselineState"]) for r in results]
    assert states == [
        ("PAC-S3-014", "unchanged"),
        ("PAC-S3-014", "updated"),
        ("PAC-EC2-001", "new"),
        ("PAC-S3-001", "absent"),
    ]
    assert results[3]["partialFingerprints"]["primaryLocationLineHash"] == "abc:1"


def test_input_errors_become_notifications(make: Factory, sarif_validator: Validate) -> None:
    outside = Diagnostic(
        code="P101",
        message="unknown function 'lenght'",
        location=Location("/nonexistent/policies/x.policy", 4, 10, 4, 16),
        hint="did you mean 'len'?",
    )
    warning = Diagnostic(code="S002", message="suppression has no reason", severity="warning")
    whole_file = Diagnostic(code="I002", message="binary file", file=str(make.root / "a.json"))
    result = scan_result(make.root, [], [input_error(make.root), outside, warning, whole_file])
    invocation = _run(result, sarif_validator)["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["startTimeUtc"] == "2024-05-01T12:00:00.000Z"
    assert invocation["endTimeUtc"] == "2024-05-01T12:00:02.500Z"
    notes = invocation["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [
        ("I001", "error"),
        ("P101", "error"),
        ("S002", "warning"),
        ("I002", "error"),
    ]
    first = notes[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "templates/broken.yaml", "uriBaseId": "%SRCROOT%"}
    assert first["region"]["startLine"] == 3
    policy_file = notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert policy_file == {"uri": "file:///nonexistent/policies/x.policy"}
    assert notes[1]["message"]["text"] == "unknown function 'lenght' (hint: did you mean 'len'?)"
    assert "locations" not in notes[2]
    assert notes[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.json"


def test_evaluation_errors_are_notifications_tied_to_their_rule(
    make: Factory, sarif_validator: Validate
) -> None:
    res = make.resources(make.document())
    broken = finding(OPEN_SSH, res["Bastion"], Status.ERROR, message="regex too large")
    run = _run(scan_result(make.root, [broken]), sarif_validator)
    assert run["results"] == []
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["associatedRule"] == {"id": "PAC-EC2-001", "index": 1}
    assert note["message"]["text"] == "PAC-EC2-001 on Bastion: regex too large"
    assert note["level"] == "error"


def test_rules_include_policies_only_named_by_findings(
    make: Factory, sarif_validator: Validate
) -> None:
    extra = PolicyInfo("PAC-X-001", "X", "Extra", Severity.LOW, ("AWS::S3::Bucket",))
    res = make.resources(make.document())
    run = _run(scan_result(make.root, [finding(extra, res["Logs"])]), sarif_validator)
    assert run["tool"]["driver"]["rules"][3]["id"] == "PAC-X-001"
    assert run["results"][0]["ruleIndex"] == 3


def test_output_is_deterministic(make: Factory) -> None:
    result, _ = _template_findings(make)
    shuffled = replace(result, findings=tuple(reversed(result.findings)))
    assert render(result, ReportOptions()) == render(shuffled, ReportOptions())
    assert json.loads(render(result, ReportOptions()))  # valid JSON text


def test_file_uris_are_percent_encoded(make: Factory, sarif_validator: Validate) -> None:
    res = make.resources(make.document("my stacks/app #1.yaml"))
    result = scan_result(make.root, [finding(VERSIONING, res["Logs"], path=STATUS_PATH)])
    found = _run(result, sarif_validator)["results"][0]
    uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20stacks/app%20%231.yaml"
    assert found["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"] == uri


def _varied_result(make: Factory) -> ScanResult:
    """Findings of every kind a result is built from: a fix, a suppression with and
    without a reason, baseline states, a live resource, a pass and a skip, no location."""
    res = make.resources(make.document())
    findings = [
        finding(VERSIONING, res["Logs"], path=STATUS_PATH, baseline_state="new"),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, baseline_state="unchanged"),
        finding(
            OPEN_SSH,
            res["Bastion"],
            Status.SUPPRESSED,
            suppression={"kind": "inSource", "justification": "VPN"},
            baseline_state="updated",
        ),
        finding(
            OPEN_SSH,
            res["Logs"],
            Status.SUPPRESSED,
            suppression={"kind": "external", "justification": ""},
            baseline_state="new",
        ),
        finding(ENCRYPTION, make.live("acme-logs"), baseline_state="new"),
        finding(ENCRYPTION, res["Logs"], Status.PASS, baseline_state="new"),
        finding(ENCRYPTION, res["Uploads"], Status.SKIP, baseline_state="new"),
    ]
    return scan_result(make.root, findings, [input_error(make.root)])


def test_serialise_matches_jschema_to_json(make: Factory) -> None:
    result = _varied_result(make)
    run, _ = sarif_module._run(result, ReportOptions(), list(result.findings))
    log = om.SarifLog(version="2.1.0", schema_uri=sarif_module.SCHEMA_URI, runs=[run])
    assert run.invocations[0].tool_execution_notifications  # notifications go through it too
    assert json.loads(json.dumps(log, default=sarif_module.serialise)) == json.loads(to_json(log))


def _om_result(finding: Any, fingerprint: str, index: int, root: str, fix: Any) -> Any:
    """The same result as sarif-om's objects, the way the SARIF model defines them."""
    kind, level = sarif_module._KIND[finding.status]
    identity = live_identity(finding.resource)
    if identity is not None:
        physical = om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(
                uri=pseudo_path(finding.resource, identity), uri_base_id=sarif_module.SRCROOT
            ),
            region=om.Region(start_line=1),
        )
        logical = om.LogicalLocation(
            fully_qualified_name=identity.arn, name=identity.name, kind="resource"
        )
        location = om.Location(physical_location=physical, logical_locations=[logical])
        uri = None
    else:
        uri = file_uri(finding_file(finding, root))
        loc = finding.location
        region = om.Region(start_line=loc.line, start_column=loc.column)
        region.end_line, region.end_column = loc.end_line, loc.end_column
        location = om.Location(
            physical_location=om.PhysicalLocation(
                artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=sarif_module.SRCROOT),
                region=region,
            )
        )
    item = om.Result(
        rule_id=finding.policy.id,
        rule_index=index,
        kind=kind,
        level=level or LEVEL[finding.policy.severity],
        message=om.Message(text=result_message(finding)),
        locations=[location],
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        properties=sarif_module._properties(finding, identity),
        suppressions=[],
        baseline_state=finding.triage.baseline.value,
    )
    suppression = finding.triage.suppression
    if suppression is not None:
        item.suppressions = [om.Suppression(kind=suppression.kind, state="accepted")]
        if suppression.justification:
            item.suppressions[0].justification = suppression.justification
    if fix is not None and uri is not None and finding.status is not Status.UNKNOWN:
        item.fixes = [sarif_fix(fix, uri, sarif_module.SRCROOT)]
    data = json.loads(to_json(item))
    for each in data.get("suppressions", []):  # sarif-om still calls SARIF 2.1.0's status "state"
        each["status"] = each.pop("state")
    data.setdefault("kind", "fail")
    if data["kind"] == "fail":
        data.setdefault("level", "warning")
    return data


def test_results_are_the_sarif_om_results(make: Factory) -> None:
    result = _varied_result(make)
    fixes = {id(fix.finding): fix for fix in result.fixes}
    findings = sarif_module.reported(result, ReportOptions(include_passed=True))
    index = {p.id: n for n, p in enumerate(sarif_module._policies(result, findings))}
    prints = fingerprints(result.findings, result.root, wanted=findings)
    _, results = sarif_module._run(result, ReportOptions(), findings)
    built = list(results)
    assert len(built) == len(findings) == 7
    assert any("fixes" in r for r in built) and any("justification" in str(r) for r in built)
    for data, f in zip(built, findings, strict=True):
        expected = _om_result(f, prints[id(f)], index[f.policy.id], result.root, fixes.get(id(f)))
        assert data == expected


def test_the_text_is_the_log_with_one_result_a_line(make: Factory) -> None:
    res = make.resources(make.document())
    findings = [finding(VERSIONING, res["Logs"]), finding(OPEN_SSH, res["Bastion"])]
    result = scan_result(make.root, findings)
    options = ReportOptions()
    text = render(result, options)
    log = sarif_module.sarif_log(result, options)
    assert json.loads(text) == json.loads(json.dumps(log))
    lines = text.splitlines()
    opened = lines.index('      "results": [')
    assert [json.loads(line.strip().rstrip(",")) for line in lines[opened + 1 : opened + 3]] == log[
        "runs"
    ][0]["results"]
    assert lines[opened + 3] == "      ],"
    empty = render(scan_result(make.root, []), options)
    assert '"results": []' in empty and json.loads(empty)["runs"][0]["results"] == []
