"""What ``pacscan policies show`` and ``list`` say about a policy's fix."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scanner.catalogue import load_catalogue
from scanner.cli import cli
from scanner.fix.describe import describe, describe_all
from scanner.model import FixOp


@pytest.mark.parametrize(
    ("op", "text"),
    [
        (
            FixOp("set", ("Properties", "VersioningConfiguration", "Status"), "Enabled"),
            'sets Properties.VersioningConfiguration.Status to "Enabled"',
        ),
        (FixOp("remove", ("Properties", "AccessControl")), "removes Properties.AccessControl"),
        (
            FixOp("append", ("Properties", "Tags"), {"Key": "a", "Value": "b"}),
            'appends {"Key": "a", "Value": "b"} to Properties.Tags if it is not there',
        ),
        (
            FixOp("set", ("Properties", "Rules", 0, "Port"), 443),
            "sets Properties.Rules[0].Port to 443",
        ),
    ],
)
def test_each_kind_of_edit_in_words(op: FixOp, text: str) -> None:
    assert describe(op) == text
    verb, rest = text.split(" ", 1)
    command = {"sets": "Set", "removes": "Remove", "appends": "Append"}[verb]
    assert describe(op, imperative=True) == f"{command} {rest}"


def test_several_edits_in_one_sentence() -> None:
    ops = (FixOp("set", ("Properties", "A"), True), FixOp("remove", ("Properties", "B")))
    assert describe_all(ops) == "sets Properties.A to true and removes Properties.B"


def test_show_says_what_the_fix_does() -> None:
    result = CliRunner().invoke(cli, ["policies", "show", "PAC-S3-003"])
    assert result.exit_code == 0, result.output
    assert "\nFix:         removes Properties.AccessControl\n" in result.output


def test_list_fix_column_and_show_agree_with_the_fix_clauses() -> None:
    catalogue = load_catalogue(None)
    table = CliRunner().invoke(cli, ["policies", "list"]).output.splitlines()
    columns = {line.split()[0]: line.split()[2] for line in table[1:-1]}
    for policy in catalogue.policies:
        assert columns[policy.id] == ("yes" if policy.fixes else "-"), policy.id
    fixable = [p for p in catalogue.policies if p.fixes]
    assert fixable
    for policy in fixable[:: max(1, len(fixable) // 10)]:  # a spread of them: each run is slow
        shown = CliRunner().invoke(cli, ["policies", "show", policy.id]).output
        described = describe_all(policy.fixes, policy.resource_types)
        assert f"\nFix:         {described}\n" in shown, policy.id
