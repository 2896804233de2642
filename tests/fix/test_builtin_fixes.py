"""Every built-in fix clause, applied by ``pacscan fix`` to its policy's failing examples."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.fix.apply import fix_file
from scanner.fix.plan import plan
from scanner.fix.targets import applies
from scanner.loaders import LoadOptions
from scanner.model import Severity, Status
from scanner.pipeline import CompiledPolicies, ScanRequest, compile_policies, run_scan

# Failing examples a fix clause does not cover, on purpose: the fix settles one of the
# policy's assertions and the example fails another (or its Ref names nothing here).
NOT_COVERED = {
    ("PAC-CLOUDFRONT-002", 2),  # a second cache behavior allows HTTP
    ("PAC-CLOUDTRAIL-001", 3),  # the trail is not logging
    ("PAC-CLOUDTRAIL-001", 4),  # event selectors leave out read events
    ("PAC-CLOUDTRAIL-001", 5),
    ("PAC-CODEBUILD-001", 2),  # a secondary artifact (a list entry) turns encryption off
    ("PAC-RDS-002", 4),  # the subnet group Ref names no resource of this template
    ("PAC-CLOUDFRONT-008", 2),  # an S3 website endpoint: it speaks HTTP only
    ("PAC-EC2-008", 2),  # an instance: its volumes exist (the fix is for launch templates)
    ("PAC-EC2-008", 4),  # a Spot Fleet, likewise
    ("PAC-EC2-008", 6),  # a launch configuration cannot be changed at all
    ("PAC-ECS-002", 3),  # a task set: its fix is for services only
    ("PAC-GUARDDUTY-002", 2),  # a Features entry, keyed by Name, turns the feature off
    ("PAC-GUARDDUTY-003", 1),
    ("PAC-GUARDDUTY-004", 1),
    ("PAC-LAMBDA-001", 5),  # permissions: the fix is for function URLs only
    ("PAC-LAMBDA-001", 7),
    ("PAC-LAMBDA-001", 8),
    ("PAC-LAMBDA-001", 9),
}


def _resources(example: Any) -> dict[str, Any]:
    """The example's subject (logical id ``Subject``) and its ``with`` resources."""
    found = {"Subject": example.subject, **{other.id: other for other in example.others}}
    return {name: {"Type": r.type, **_plain(r.body)} for name, r in found.items()}


def _plain(value: Any) -> Any:
    """A body as template data: a reference to a resource as the ``Ref`` or ``Fn::GetAtt``
    that wrote it."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    target = getattr(value, "target", None)
    if isinstance(target, str):
        attribute = getattr(value, "attribute", None)
        return {"Fn::GetAtt": [target, attribute]} if attribute else {"Ref": target}
    return value


@pytest.fixture(scope="module")
def builtin() -> CompiledPolicies:
    return compile_policies((), {})


def _fixes(path: Path, policy_id: str, policies: CompiledPolicies) -> bool:
    result = run_scan(ScanRequest(paths=(str(path),)), policies)
    work = plan([f for f in result.findings if f.policy.id == policy_id], Severity.INFO)
    requests = work.requests.get(str(path))
    if not requests or work.refusals:
        return False
    now = datetime.now(timezone.utc)
    outcome = fix_file(str(path), requests, result.findings, policies.program, LoadOptions(), now)
    return outcome.findings is not None and not outcome.refused


def test_every_fix_clause_makes_its_failing_examples_pass(
    builtin: CompiledPolicies, tmp_path: Path
) -> None:
    fixable = [p for p in builtin.program.policies if p.info.fixes]
    assert len(fixable) >= 75
    failed = set()
    fixed = set()
    for policy in fixable:
        for n, example in enumerate(policy.examples):
            if example.status is not Status.FAIL:
                continue
            template = {"Resources": _resources(example)}
            texts = {
                "yaml": yaml.safe_dump(template, sort_keys=False),
                "json": json.dumps(template, indent=2) + "\n",
            }
            for ext, text in texts.items():
                path = tmp_path / f"{policy.info.id}-{n}.{ext}"
                path.write_text(text)
                if _fixes(path, policy.info.id, builtin):
                    fixed.add(policy.info.id)
                else:
                    failed.add((policy.info.id, n))
    assert failed == NOT_COVERED
    assert fixed == {p.info.id for p in fixable}  # each fix clause works on some example


def _create_only(resource_type: str) -> list[tuple[str, ...]] | None:
    """The createOnlyProperties of a type in the schemas cfn-lint carries (None: no schema)."""
    schemas = resources.files("cfnlint") / "data" / "schemas"
    for provider in ("us-east-1.json", "sam.json"):
        found = json.loads((schemas / "providers" / provider).read_text("utf-8"))
        if resource_type in found:
            schema = json.loads(
                (schemas / "resources" / f"{found[resource_type]}.json").read_text()
            )
            return [tuple(p.split("/")[2:]) for p in schema.get("createOnlyProperties", [])]
    return None


def test_no_fix_writes_a_property_whose_change_replaces_the_resource(
    builtin: CompiledPolicies,
) -> None:
    pytest.importorskip("cfnlint", reason="cfn-lint comes with the bench extra")
    replacing, unknown = [], []
    for policy in builtin.program.policies:
        for op in policy.info.fixes:
            keys = tuple(k for k in op.path[1:] if isinstance(k, str))
            for resource_type in policy.info.resource_types:
                if not applies(resource_type, op):
                    continue  # the op is for the policy's other types
                create_only = _create_only(resource_type)
                if create_only is None:
                    unknown.append((policy.info.id, resource_type))
                    continue
                for prop in create_only:
                    shared = min(len(prop), len(keys))
                    if prop[:shared] == keys[:shared]:  # the op writes it, or a block holding it
                        replacing.append((policy.info.id, resource_type, "/".join(prop)))
    assert replacing == []
    assert unknown == []
