"""The language semantics as data: every case in tests/lang/cases/*.yaml.

A case is a policy snippet, a resource body and the expected status (and, where given,
the exact message and finding path). ``expr`` is shorthand for ``policy: assert EXPR``.
``!unknown ""`` in YAML is the UNKNOWN value; ``with`` adds resources to the same template;
``conditions`` sets the Fn::If conditions a loader assumed; ``params`` overrides params.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.engine.evaluate import evaluate
from scanner.loaders.cfn_values import declared_names, typed
from scanner.model import UNKNOWN, Document, Resource, TemplateOrigin
from scanner.policyset.compiler import PolicySource, compile_sources

CASES = Path(__file__).parent / "cases"
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
TYPE = "Test::Spec::Thing"
FIELDS = {"name", "expr", "policy", "prelude", "input", "status", "message", "path", "with"}
FIELDS |= {"conditions", "params", "contains"}


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unknown", lambda loader, node: UNKNOWN)


def _load() -> list[Any]:
    cases = []
    for file in sorted(CASES.glob("*.yaml")):
        for case in yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader):
            cases.append(pytest.param(case, id=f"{file.stem}:{case['name']}"))
    return cases


ALL = _load()


def _source(case: dict[str, Any]) -> str:
    body = case.get("policy") or f"assert {case['expr']}"
    return (
        f"{case.get('prelude', '')}\n"
        "policy CASE {\n"
        '  id = "PAC-CASE-1"\n'
        '  title = "case"\n'
        "  severity = low\n"
        f"  resource {TYPE}\n"
        f"{body}\n"
        "}\n"
    )


@pytest.mark.parametrize("case", ALL)
def test_case(case: dict[str, Any]) -> None:
    unknown_fields = set(case) - FIELDS
    assert not unknown_fields, f"unknown case fields {unknown_fields}"
    result = compile_sources([PolicySource("case.policy", _source(case))], case.get("params"))
    assert result.diagnostics == [], [d.message for d in result.diagnostics]
    document = Document("case.yaml", "cloudformation")
    body = {"Type": TYPE, **(case.get("input") or {})}
    subject = _resource(TYPE, "Subject", body, document, case.get("conditions") or {})
    others = [
        _resource(str(value.get("Type", TYPE)), name, value, document, {})
        for name, value in (case.get("with") or {}).items()
    ]
    findings = evaluate(result.program, [subject, *others], now=NOW)
    finding = findings[0]
    assert finding.status.value == case["status"], finding.message
    if "message" in case:
        assert finding.message == case["message"]
    if "contains" in case:
        assert case["contains"] in finding.message
    if "path" in case:
        assert list(finding.path) == case["path"]


def _resource(
    kind: str, name: str, body: dict[str, Any], document: Document, conditions: dict[str, bool]
) -> Resource:
    """A case's resource as the template loader hands it over: intrinsics in its long-form
    data as typed values, the name it declares in its origin."""
    body = typed(body)
    names, nameable = declared_names(kind, body)
    origin = TemplateOrigin(conditions=conditions, names=names, nameable=nameable)
    return Resource(kind, name, body, document=document, origin=origin)


def test_there_are_at_least_150_cases() -> None:
    assert len(ALL) >= 150
