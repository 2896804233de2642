from __future__ import annotations

import random
from dataclasses import replace

from report_fixtures import OPEN_SSH, TEMPLATE, VERSIONING, Factory, finding, scan_result

from scanner.model import Finding, Status
from scanner.triage.fingerprint import (
    finding_fingerprint_base,
    fingerprint_base,
    fingerprints,
    number_occurrences,
)
from scanner.triage.locations import ordered, relative_path

PATH = ("Properties", "VersioningConfiguration", "Status")


def _findings(make: Factory, text: str) -> list[Finding]:
    res = make.resources(make.document(text=text))
    logs = res.get("Logs") or res["AccessLogs"]
    return [
        finding(VERSIONING, logs, path=PATH),
        finding(VERSIONING, res["Uploads"], Status.UNKNOWN, path=("Properties",)),
        finding(OPEN_SSH, res["Bastion"], path=("Properties", "SecurityGroupIngress", 0)),
    ]


def _by_identity(make: Factory, text: str) -> dict[tuple[str, str], str]:
    found = _findings(make, text)
    prints = fingerprints(found, str(make.root))
    return {(f.policy.id, f.resource.id): prints[id(f)] for f in found}


def test_inserting_lines_above_keeps_every_fingerprint(make: Factory) -> None:
    before = _by_identity(make, TEMPLATE)
    shifted = TEMPLATE.replace(
        "Resources:\n",
        "Parameters:\n  Stage:\n    Type: String\n"
        "Resources:\n  # a comment\n  Queue:\n    Type: AWS::SQS::Queue\n",
    )
    after = _by_identity(make, shifted)
    assert after == before
    lines = {f.location.line for f in _findings(make, shifted) if f.location}
    assert lines.isdisjoint({f.location.line for f in _findings(make, TEMPLATE) if f.location})


def test_renaming_the_resource_changes_its_fingerprint(make: Factory) -> None:
    before = _by_identity(make, TEMPLATE)
    after = _by_identity(make, TEMPLATE.replace("  Logs:", "  AccessLogs:"))
    assert after[("PAC-S3-014", "AccessLogs")] != before[("PAC-S3-014", "Logs")]
    assert after[("PAC-EC2-001", "Bastion")] == before[("PAC-EC2-001", "Bastion")]


def test_each_input_changes_the_hash() -> None:
    base = fingerprint_base("PAC-S3-014", file="a.yaml", resource_id="Logs", path=PATH)
    variants = [
        fingerprint_base("PAC-S3-015", file="a.yaml", resource_id="Logs", path=PATH),
        fingerprint_base("PAC-S3-014", file="b.yaml", resource_id="Logs", path=PATH),
        fingerprint_base("PAC-S3-014", file="a.yaml", resource_id="Logz", path=PATH),
        fingerprint_base("PAC-S3-014", file="a.yaml", resource_id="Logs", path=PATH[:2]),
        fingerprint_base("PAC-S3-014", file="a.yaml", resource_id="Logs", path=("0",)),
        fingerprint_base("PAC-S3-014", file="a.yaml", resource_id="Logs", path=(0,)),
    ]
    assert len({base, *variants}) == 7
    assert len(base) == 32


def test_live_fingerprint_is_rule_and_arn_only(make: Factory) -> None:
    live = make.live("acme-logs")
    moved = replace(live, document=replace(live.document, path="elsewhere.json"))  # type: ignore[arg-type]
    one, two = finding(VERSIONING, live), finding(VERSIONING, moved, message="other text")
    prints = fingerprints([one], str(make.root)) | fingerprints([two], str(make.root))
    expected = fingerprint_base("PAC-S3-014", arn="arn:aws:s3:::acme-logs") + ":1"
    assert prints[id(one)] == prints[id(two)] == expected


def test_equal_inputs_are_numbered_in_report_order(make: Factory) -> None:
    assert number_occurrences(["a", "b", "a", "a"]) == ["a:1", "b:1", "a:2", "a:3"]
    logs = make.resources(make.document())["Logs"]
    twins = [finding(VERSIONING, logs, path=PATH), finding(VERSIONING, logs, path=PATH)]
    result = scan_result(make.root, twins)
    prints = fingerprints(result.findings, result.root)
    assert sorted(p.rsplit(":", 1)[1] for p in prints.values()) == ["1", "2"]


def _numbered_in_report_order(
    findings: list[Finding], root: str, wanted: list[Finding] | None
) -> dict[int, str]:
    """The definition: every finding in report order, each base numbered as it recurs."""
    keep = None if wanted is None else {id(f) for f in wanted}
    seen: dict[str, int] = {}
    prints = {}
    for f in ordered(findings, root):
        base = finding_fingerprint_base(f, root)
        seen[base] = seen.get(base, 0) + 1
        if keep is None or id(f) in keep:
            prints[id(f)] = f"{base}:{seen[base]}"
    return prints


def test_numbering_by_groups_is_numbering_in_report_order(make: Factory) -> None:
    """Twins at other lines, other paths and live resources, some of them wanted."""
    rng = random.Random(7)
    res = make.resources(make.document())
    live = [make.live(f"bucket-{n}") for n in range(3)]
    found = []
    for _ in range(300):
        resource = rng.choice([res["Logs"], res["Uploads"], res["Bastion"], *live])
        path = rng.choice([PATH, ("Properties",), ()])
        made = finding(rng.choice([VERSIONING, OPEN_SSH]), resource, path=path)
        if made.location is not None and rng.random() < 0.5:  # a twin written elsewhere
            moved = replace(made.location, line=made.location.line + rng.randrange(1, 5))
            made = replace(made, location=moved)
        found.append(made)
    rng.shuffle(found)
    root = str(make.root)
    wanted = [f for f in found if rng.random() < 0.3]
    assert fingerprints(found, root) == _numbered_in_report_order(found, root, None)
    chosen = fingerprints(found, root, wanted=wanted)
    assert chosen == _numbered_in_report_order(found, root, wanted)
    assert len(chosen) == len(wanted)


def test_report_order_is_by_file_position_policy_and_resource(make: Factory) -> None:
    """``ordered`` groups by place and sorts in passes: the same order as one sort on the
    whole key, ties kept in input order, live resources and other documents mixed in."""
    rng = random.Random(11)
    res = make.resources(make.document())
    other = make.resources(make.document(name="other.yaml"))
    live = [make.live(f"bucket-{n}") for n in range(4)]
    pool = [res["Logs"], res["Uploads"], res["Bastion"], other["Logs"], *live]
    found = []
    for _ in range(400):
        made = finding(rng.choice([VERSIONING, OPEN_SSH]), rng.choice(pool), path=PATH)
        if made.location is not None and rng.random() < 0.5:
            moved = replace(made.location, line=rng.randrange(1, 4), column=rng.randrange(1, 3))
            made = replace(made, location=moved)
        found.append(made)
    root = str(make.root)

    def key(f: Finding) -> tuple[str, int, int, str, str]:
        loc = f.location
        file = loc.file if loc is not None else f.resource.document.path  # type: ignore[union-attr]
        line, column = (loc.line, loc.column) if loc is not None else (0, 0)
        return (relative_path(file, root), line, column, f.policy.id, f.resource.id)

    result = ordered(found, root)
    assert [id(f) for f in result] == [id(f) for f in sorted(found, key=key)]
    assert len({key(f)[:3] for f in found}) > 10
