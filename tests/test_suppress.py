from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from scanner.loaders import LoadOptions, load_inputs
from scanner.model import (
    Finding,
    Location,
    PolicyInfo,
    Resource,
    Severity,
    Status,
    Suppressed,
    locate,
)
from scanner.triage.suppress import Suppression, apply_suppressions, glob_match

TODAY = date(2024, 6, 1)
VERSIONING = PolicyInfo("PAC-S3-014", "V", "Versioning", Severity.MEDIUM, ("AWS::S3::Bucket",))
ENCRYPTION = PolicyInfo("PAC-S3-001", "E", "Encryption", Severity.HIGH, ("AWS::S3::Bucket",))
STATUS = ("Properties", "VersioningConfiguration", "Status")

TEMPLATE = """\
Resources:
  # pacscan:ignore PAC-S3-014 logs are write-once
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Suspended

  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Suspended  # pacscan:ignore PAC-S3-014 uploads are re-creatable

  # pacscan:ignore PAC-S3-014,PAC-S3-001 scratch space, wiped nightly
  # pacscan:ignore PAC-S3-099
  Scratch:
    Type: AWS::S3::Bucket
    Properties: {}

  # pacscan:ignore PAC-S3-014 this comment is separated by a blank line

  Archive:
    Type: AWS::S3::Bucket
    Metadata:
      pacscan:
        ignore:
          - id: PAC-S3-001
            reason: encrypted by the archive account's default key
          - PAC-S3-014
          - reason: an entry without an id
    Properties: {}
"""


def _resources(tmp_path: Path, text: str = TEMPLATE) -> dict[str, Resource]:
    path = tmp_path / "app.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_inputs([str(path)], LoadOptions(jobs=1))
    assert not loaded.errors
    return {r.id: r for r in loaded.resources}


def _finding(
    policy: PolicyInfo, resource: Resource, status: Status = Status.FAIL, path: tuple[str, ...] = ()
) -> Finding:
    return Finding(policy, resource, status, "message", path, locate(resource, path))


def _apply(
    findings: list[Finding],
    configured: tuple[Suppression, ...] = (),
    root: Path | None = None,
    unused: bool = False,
) -> tuple[list[Finding], list[tuple[str, str, int | None]]]:
    """Apply suppressions; warnings about unused directives (S005) only when asked, since
    most tests pass a few findings of a template that holds many directives."""
    base = str(root) if root is not None else "."
    out, diags = apply_suppressions(findings, configured, root=base, today=TODAY)
    shown = [d for d in diags if unused or d.code != "S005"]
    return out, [(d.code, d.message, d.location.line if d.location else None) for d in shown]


def test_comment_above_the_resource_suppresses_only_that_policy(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    (versioning, encryption), diags = _apply(
        [_finding(VERSIONING, res["Logs"], path=STATUS), _finding(ENCRYPTION, res["Logs"])]
    )
    assert versioning.status is Status.SUPPRESSED
    assert versioning.triage.suppression == Suppressed(
        "inSource", "logs are write-once", Status.FAIL
    )
    assert encryption.status is Status.FAIL
    assert diags == []


def test_trailing_comment_on_the_finding_line(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    (found,), _ = _apply([_finding(VERSIONING, res["Uploads"], path=STATUS)])
    assert found.status is Status.SUPPRESSED
    assert found.triage.suppression.justification == "uploads are re-creatable"
    (elsewhere,), _ = _apply([_finding(VERSIONING, res["Uploads"], path=("Properties",))])
    assert elsewhere.status is Status.FAIL  # the comment is on the Status line only


def test_a_line_in_another_file_is_not_read_in_this_one(tmp_path: Path) -> None:
    """A finding located in another file (a setting folded in from there) is not matched
    against the comments of its resource's document at the same line number."""
    res = _resources(tmp_path)
    finding = _finding(VERSIONING, res["Uploads"], path=STATUS)
    assert finding.location is not None
    elsewhere = replace(finding, location=replace(finding.location, file="other.tf"))
    (found,), _ = _apply([elsewhere])
    assert found.status is Status.FAIL


def test_stacked_comments_and_id_lists(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    found, diags = _apply(
        [_finding(VERSIONING, res["Scratch"]), _finding(ENCRYPTION, res["Scratch"])]
    )
    assert [f.status for f in found] == [Status.SUPPRESSED, Status.SUPPRESSED]
    assert found[1].triage.suppression.justification == "scratch space, wiped nightly"
    assert diags == []


def test_blank_line_ends_the_comment_block(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    (found,), _ = _apply([_finding(VERSIONING, res["Archive"], path=("Properties",))])
    assert found.triage.suppression is None or found.triage.suppression.justification is None
    assert found.status is Status.SUPPRESSED  # by the Metadata entry, not the comment


def test_metadata_ignore_entries(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    (encryption, versioning), diags = _apply(
        [_finding(ENCRYPTION, res["Archive"]), _finding(VERSIONING, res["Archive"])]
    )
    assert encryption.status is Status.SUPPRESSED
    assert encryption.triage.suppression == Suppressed(
        "inSource", "encrypted by the archive account's default key", Status.FAIL
    )
    assert versioning.status is Status.SUPPRESSED
    assert ("S004", "Metadata pacscan.ignore entries need an id", 31) in diags
    assert (
        "S002",
        "suppression of policy PAC-S3-014, resource Archive has no reason",
        30,
    ) in diags


def test_metadata_that_is_not_a_list_is_reported(tmp_path: Path) -> None:
    text = (
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
        "    Metadata:\n      pacscan:\n        ignore: PAC-S3-001\n"
    )
    res = _resources(tmp_path, text)
    (found,), diags = _apply([_finding(ENCRYPTION, res["B"])])
    assert found.status is Status.FAIL
    assert diags == [("S004", "Metadata pacscan.ignore must be a list of {id, reason}", 6)]


def test_directive_without_id_is_reported(tmp_path: Path) -> None:
    text = "Resources:\n  # pacscan:ignore\n  B:\n    Type: AWS::S3::Bucket\n"
    res = _resources(tmp_path, text)
    (found,), diags = _apply([_finding(ENCRYPTION, res["B"])])
    assert found.status is Status.FAIL
    assert diags == [("S001", "pacscan:ignore needs a policy id", 2)]


def test_missing_reason_applies_and_warns_once(tmp_path: Path) -> None:
    text = "Resources:\n  # pacscan:ignore PAC-S3-*\n  B:\n    Type: AWS::S3::Bucket\n"
    res = _resources(tmp_path, text)
    found, diags = _apply([_finding(ENCRYPTION, res["B"]), _finding(VERSIONING, res["B"])])
    assert [f.status for f in found] == [Status.SUPPRESSED, Status.SUPPRESSED]
    assert found[0].triage.suppression.justification is None
    assert diags == [("S002", "suppression of policy PAC-S3-* has no reason", 2)]


def test_only_fail_and_unknown_are_suppressed(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    statuses = [Status.PASS, Status.SKIP, Status.ERROR, Status.UNKNOWN]
    found, _ = _apply([_finding(VERSIONING, res["Logs"], status) for status in statuses])
    assert [f.status for f in found] == [Status.PASS, Status.SKIP, Status.ERROR, Status.SUPPRESSED]
    assert found[3].triage.suppression.was is Status.UNKNOWN


CONFIG_LOCATION = Location(".pacscan.yaml", 7, 5, 7, 30)


@pytest.mark.parametrize(
    ("rule", "suppressed"),
    [
        (Suppression("config", policy="PAC-S3-001", reason="r"), True),
        (Suppression("config", policy="PAC-S3-0*", reason="r"), True),
        (Suppression("config", policy="PAC-EC2-*", reason="r"), False),
        (Suppression("config", resource="Logs", reason="r"), True),
        (Suppression("config", resource="Uploads", reason="r"), False),
        (Suppression("config", file="app.yaml", reason="r"), True),
        (Suppression("config", file="templates/**", reason="r"), False),
        (Suppression("config", policy="PAC-S3-001", resource="Uploads", reason="r"), False),
        (Suppression("config", policy="PAC-S3-001", expires=TODAY, reason="r"), True),
    ],
)
def test_config_entries_match_on_every_given_field(
    tmp_path: Path, rule: Suppression, suppressed: bool
) -> None:
    res = _resources(tmp_path)
    (found,), _ = _apply([_finding(ENCRYPTION, res["Logs"])], (rule,), root=tmp_path)
    assert (found.status is Status.SUPPRESSED) is suppressed
    if suppressed:
        assert (found.triage.suppression.kind, found.triage.suppression.justification) == (
            "external",
            "r",
        )


def test_expired_config_entry_stops_applying_and_says_so(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    rule = Suppression(
        "config",
        policy="PAC-S3-001",
        reason="until the migration",
        expires=date(2024, 5, 31),
        location=CONFIG_LOCATION,
    )
    findings = [_finding(ENCRYPTION, res["Logs"]), _finding(ENCRYPTION, res["Uploads"])]
    found, diags = _apply(findings, (rule,), root=tmp_path)
    assert [f.status for f in found] == [Status.FAIL, Status.FAIL]
    assert diags == [
        ("S003", "suppression of policy PAC-S3-001 expired on 2024-05-31; reported again", 7)
    ]


def test_in_source_wins_over_config(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    rule = Suppression("config", policy="PAC-S3-014", reason="config")
    (found,), _ = _apply([_finding(VERSIONING, res["Logs"])], (rule,), root=tmp_path)
    assert found.triage.suppression.kind == "inSource"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.yaml", "a/b/c.yaml", True),
        ("*.yaml", "a/b/c.json", False),
        ("templates/*.yaml", "templates/a.yaml", True),
        ("templates/*.yaml", "templates/x/a.yaml", False),
        ("templates/**/*.yaml", "templates/a.yaml", True),
        ("templates/**/*.yaml", "templates/x/y/a.yaml", True),
        ("**/legacy/*", "stacks/legacy/db.yaml", True),
        ("**/legacy/*", "legacy/db.yaml", True),
        ("stacks/**", "stacks/a/b.yaml", True),
        ("stacks/?.yaml", "stacks/a.yaml", True),
        ("stacks/?.yaml", "stacks/ab.yaml", False),
        ("a+b/*.yaml", "a+b/c.yaml", True),
        ("stacks/legacy", "stacks/legacy/db.yaml", True),  # a directory: what is in it
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_a_directive_that_suppresses_nothing_is_reported(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    findings = [
        _finding(VERSIONING, res["Logs"], path=STATUS),
        replace(_finding(VERSIONING, res["Uploads"], path=STATUS), status=Status.PASS),
    ]
    _, diags = _apply(findings, unused=True)
    unused = [d for d in diags if d[0] == "S005"]
    # Logs' directive was used; the Uploads line comment excuses a finding that now passes,
    # and Scratch/Archive directives name PAC-S3-014 too; PAC-S3-001 did not run at all.
    assert ("S005", "suppression of policy PAC-S3-014 suppresses nothing", 13) in unused
    assert all("PAC-S3-001" not in d[1] and "PAC-S3-099" not in d[1] for d in unused)
    assert not any(d[2] == 2 for d in unused)
