"""The catalogue says which policies run on a live account, and the claim stays true.

Every type a built-in policy targets is either produced by a collector or declared
template-only with a reason (scanner/data/template_only.yaml); docs/aws.md renders that list.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.aws.registry import all_collectors
from scanner.catalogue import Catalogue
from scanner.catalogue_docs import TEMPLATE_ONLY_HEADING, render_template_only
from scanner.catalogue_live import (
    LiveCoverage,
    TemplateOnly,
    collector_types,
    live_coverage,
    parse_template_only,
)
from scanner.cli import cli

AWS_DOC = Path(__file__).resolve().parents[2] / "docs" / "aws.md"


def test_collected_types_are_exactly_what_the_registered_collectors_declare() -> None:
    declared = {t for collector in all_collectors() for t in collector.types}
    assert live_coverage().collected == declared
    assert "AWS::S3::Bucket" in declared and "Pacscan::IAM::PasswordPolicy" in declared


def test_every_target_is_collected_or_declared_template_only(catalogue: Catalogue) -> None:
    undeclared = live_coverage().undeclared(catalogue.policies)
    assert undeclared == {}, (
        "these policy targets are neither collected nor listed with a reason in "
        f"scanner/data/template_only.yaml: {undeclared}"
    )


def test_no_template_only_entry_is_collected() -> None:
    stale = live_coverage().stale()
    assert stale == [], (
        f"scanner/data/template_only.yaml is stale for {stale}: the type is collected now "
        "(delete its entry), or its live_as type is not collected"
    )


def test_every_template_only_entry_is_targeted_by_some_policy(catalogue: Catalogue) -> None:
    targeted = {t for p in catalogue.policies for t in p.resource_types}
    assert set(live_coverage().template_only) - targeted == set()


def test_docs_aws_md_lists_every_template_only_type(catalogue: Catalogue) -> None:
    text = AWS_DOC.read_text(encoding="utf-8")
    assert TEMPLATE_ONLY_HEADING + "\n" in text, "docs/aws.md lacks the template-only section"
    start = text.index(TEMPLATE_ONLY_HEADING + "\n")
    end = text.find("\n## ", start)
    section = text[start : end if end != -1 else len(text)]
    expected = render_template_only(catalogue, live_coverage())
    assert section == expected, f"docs/aws.md is stale; its section should read:\n\n{expected}"


def test_the_library_is_mostly_live(catalogue: Catalogue) -> None:
    live = [p for p in catalogue.policies if live_coverage().is_live(p)]
    assert len(live) >= 0.9 * len(catalogue.policies)


def test_a_folded_type_is_live_only_through_a_collected_type() -> None:
    coverage = LiveCoverage(
        frozenset({"AWS::EC2::SecurityGroup"}),
        {
            "AWS::EC2::SecurityGroupIngress": TemplateOnly(
                "AWS::EC2::SecurityGroupIngress", "folded", "AWS::EC2::SecurityGroup"
            ),
            "AWS::EC2::SpotFleet": TemplateOnly("AWS::EC2::SpotFleet", "not collected yet"),
            "AWS::X::Y": TemplateOnly("AWS::X::Y", "folded into nothing", "AWS::X::Z"),
        },
    )
    assert coverage.judged_live("AWS::EC2::SecurityGroupIngress")
    assert not coverage.judged_live("AWS::EC2::SpotFleet")
    assert not coverage.judged_live("AWS::X::Y")
    assert coverage.stale() == ["AWS::X::Y"]


def test_list_json_marks_each_policy_live_or_not() -> None:
    result = CliRunner().invoke(cli, ["policies", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    by_id = {p["id"]: p for p in json.loads(result.output)}
    assert by_id["PAC-S3-001"]["live"] is True
    assert by_id["PAC-EC2-001"]["live"] is True  # SecurityGroupIngress: inside its group live
    assert by_id["PAC-EC2-016"]["live"] is False  # Client VPN endpoints are not collected
    assert all(isinstance(p["live"], bool) for p in by_id.values())


def test_list_table_and_show_say_whether_a_policy_is_live() -> None:
    table = CliRunner().invoke(cli, ["policies", "list"]).output
    assert table.splitlines()[0].split() == ["ID", "SEVERITY", "FIX", "LIVE", "TITLE"]
    assert next(r for r in table.splitlines() if r.startswith("PAC-EC2-016 ")).split()[3] == "-"
    shown = CliRunner().invoke(cli, ["policies", "show", "PAC-EC2-016"]).output
    assert "Live:        no, not collected: AWS::EC2::ClientVpnEndpoint" in shown


def test_listing_policies_never_imports_boto3() -> None:
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from scanner.cli import cli\n"
        "r = CliRunner().invoke(cli, ['policies', 'list', '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'A = "AWS::A::A"\nT = (A, "AWS::B::B")\n'
            'COLLECTORS = (Collector("a", "a", R, run, T),\n'
            '    Collector("b", "b", G, f, ("X::Y::Z",)))',
            ("AWS::A::A", "AWS::B::B", "X::Y::Z"),
        ),
        ('COLLECTORS = (Collector("a", "a", R, run, types=("AWS::A::A",)),)', ("AWS::A::A",)),
        ('COLLECTORS = (Collector("a", "a", R, run),)', ()),
    ],
)
def test_collector_types_are_read_from_the_source(source: str, expected: tuple[str, ...]) -> None:
    assert collector_types(source, "m") == expected


@pytest.mark.parametrize(
    "source",
    [
        'COLLECTORS = (Collector("a", "a", R, run, make_types()),)',
        'COLLECTORS = (Collector("a", "a", R, run, T),)',  # T is not defined here
        "COLLECTORS = build()",
    ],
)
def test_types_that_cannot_be_read_statically_are_an_error(source: str) -> None:
    with pytest.raises(ValueError, match="^m: "):
        collector_types(source, "m")


@pytest.mark.parametrize(
    "data",
    [
        ["AWS::A::A"],
        {"AWS::A::A": {"live_as": "AWS::B::B"}},
        {"AWS::A::A": {"reason": "  "}},
        {"AWS::A::A": {"reason": "x", "live_as": 3}},
    ],
)
def test_a_malformed_template_only_file_is_an_error(data: object) -> None:
    with pytest.raises(ValueError, match="template_only.yaml"):
        parse_template_only(data)
