"""The coverage of checkov's and cfn-guard's rules shown in docs/policies.md."""

from __future__ import annotations

from scanner.catalogue import Catalogue
from scanner.catalogue_peers import HEADING, peer_tools, render_peer_coverage


def test_both_rule_lists_ship() -> None:
    tools = {tool.name: tool for tool in peer_tools()}
    assert sorted(tools) == ["cfn-guard", "checkov"]
    assert len(tools["checkov"].rules) >= 130 and len(tools["cfn-guard"].rules) >= 190
    assert "CKV_AWS_24" in tools["checkov"].rules
    assert "ELASTICACHE_REPLICATION_GROUP_ENCRYPTION_AT_REST" in tools["cfn-guard"].rules


def test_every_guard_equivalent_names_a_registry_rule(catalogue: Catalogue) -> None:
    # checkov ids may name its Terraform checks too (the password policy), which the
    # CloudFormation list leaves out; every cfn-guard id must be a registry rule
    guard = next(tool for tool in peer_tools() if tool.name == "cfn-guard")
    unknown = [
        (p.id, e)
        for p in catalogue.policies
        for e in p.equivalents
        if e.startswith("cfn-guard:") and e.partition(":")[2] not in guard.rules
    ]
    assert unknown == []


def test_every_gap_reason_is_for_a_known_uncovered_rule(catalogue: Catalogue) -> None:
    for tool in peer_tools():
        covered = tool.covered(catalogue.policies)
        assert sorted(set(tool.gaps) - set(tool.rules)) == [], tool.name
        assert sorted(set(tool.gaps) & set(covered)) == [], tool.name


def test_the_section_counts_a_rule_once_a_policy_names_it(catalogue: Catalogue) -> None:
    text = "\n".join(render_peer_coverage(catalogue.policies))
    assert text.startswith(HEADING)
    assert "| ELASTICACHE_REPLICATION_GROUP_ENCRYPTION_AT_REST |" not in text
    assert "| CKV_AWS_19 | Ensure the S3 bucket has server-side-encryption enabled | S3" in text
