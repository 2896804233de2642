"""Every bad policy in tests/lang/bad/policies.yaml gives exactly one precise error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.errors import render_diagnostic
from scanner.policyset.compiler import PolicySource, compile_sources

CASES = yaml.safe_load((Path(__file__).parent / "bad" / "policies.yaml").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_policy_reports_code_at_line_and_column(case: dict[str, Any]) -> None:
    result = compile_sources([PolicySource("bad.policy", case["source"])], case.get("params"))
    assert len(result.diagnostics) == 1, [render_diagnostic(d) for d in result.diagnostics]
    diag = result.diagnostics[0]
    assert diag.code == case["code"], render_diagnostic(diag)
    assert case["message"] in diag.message
    if case["at"] is None:
        assert diag.location is None
    else:
        assert diag.location is not None
        assert [diag.location.line, diag.location.column] == case["at"], render_diagnostic(diag)
        assert diag.source_line == case["source"].splitlines()[case["at"][0] - 1]


def test_at_least_25_distinct_bad_policies() -> None:
    assert len({c["name"] for c in CASES}) >= 25
    assert len({c["code"] for c in CASES}) >= 25


def test_a_bad_policy_does_not_drop_the_good_one_in_the_same_file() -> None:
    text = """
policy GOOD {
  id = "PAC-X-1"  title = "t"  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName exists
}
policy BAD {
  id = "PAC-X-2"  title = "t"  severity = low
  resource AWS::S3::Bucket
  assert Properties.BucketName == nope
}
"""
    result = compile_sources([PolicySource("mixed.policy", text)])
    assert [d.code for d in result.diagnostics] == ["P010"]
    assert [p.info.id for p in result.program.policies] == ["PAC-X-1"]
