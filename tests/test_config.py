from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from scanner.config import ConfigError, find_config, load_config
from scanner.errors import render_diagnostic
from scanner.model import Finding, PolicyInfo, Resource, Severity, Status
from scanner.result import ScanResult
from scanner.triage.severity import override_severity

FULL = """\
version: 1
policies:
  paths: [policies/, extra.policy]
  enable: [PAC-S3-014, PAC-EC2-001]
  disable: [PAC-KMS-002]
  severity: {PAC-S3-014: high}
  params: {max_key_age: 60, allowed: [a, b]}
suppressions:
  - policy: PAC-S3-*
    file: "stacks/**/*.yaml"
    reason: "  legacy stacks, being replaced  "
    expires: 2025-06-30
  - resource: LogsBucket
baseline: .pacscan/baseline.sarif
report:
  format: sarif
  output: out/pacscan.sarif
  fail_on: high
  category: pacscan/iac/
  include_passed: false
  omit_suppressed: true
  new_only: true
"""


def _write(tmp_path: Path, text: str, name: str = ".pacscan.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [render_diagnostic(d).replace(path, "CFG") for d in caught.value.diagnostics]


def test_full_config(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL))
    assert config.policy_paths == (
        os.path.join(tmp_path, "policies/"),
        os.path.join(tmp_path, "extra.policy"),
    )
    assert config.enable == frozenset({"PAC-S3-014", "PAC-EC2-001"})
    assert config.disable == frozenset({"PAC-KMS-002"})
    assert config.severity == {"PAC-S3-014": Severity.HIGH}
    assert config.params == {"max_key_age": 60, "allowed": ["a", "b"]}
    assert config.baseline == os.path.join(tmp_path, ".pacscan/baseline.sarif")
    assert config.output == os.path.join(tmp_path, "out/pacscan.sarif")
    assert (config.format, config.fail_on, config.category) == (
        "sarif",
        Severity.HIGH,
        "pacscan/iac/",
    )
    assert (config.include_passed, config.omit_suppressed, config.new_only) == (False, True, True)
    first, second = config.suppressions
    assert (first.policy, first.file, first.resource) == ("PAC-S3-*", "stacks/**/*.yaml", None)
    assert first.reason == "legacy stacks, being replaced"
    assert first.expires == date(2025, 6, 30)
    assert first.kind == "external"
    assert first.location is not None and first.location.line == 9
    assert (second.resource, second.reason, second.expires) == ("LogsBucket", None, None)


def test_unset_values_stay_unset(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "version: 1\n"))
    assert config.enable is None and config.fail_on is None and config.format is None
    assert load_config(_write(tmp_path, "# only a comment\n")).suppressions == ()


def test_found_upward_from_the_working_directory(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    outside = find_config(str(nested))  # nothing in tmp_path; maybe one far above it
    assert outside is None or not outside.startswith(str(tmp_path))
    path = _write(tmp_path / "a", "version: 1\n", ".pacscan.yml")
    assert os.path.abspath(str(find_config(str(nested)))) == path
    closer = _write(nested, "version: 1\n")
    assert os.path.abspath(str(find_config(str(nested)))) == closer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "polices: {}\n",
            "CFG:1:1: error[C002]: unknown key 'polices'\n  polices: {}\n  ^^^^^^^\n"
            "  hint: did you mean 'policies'?",
        ),
        (
            "policies:\n  enable: [PAC-S3-014, s3-bad]\n",
            "CFG:2:24: error[C002]: policies.enable[1]: a policy id is upper case words joined"
            " by '-', like PAC-S3-014\n    enable: [PAC-S3-014, s3-bad]\n"
            "                         ^^^^^^",
        ),
        (
            "policies:\n  severity: {PAC-S3-014: urgent}\n",
            'CFG:2:26: error[C002]: policies.severity."PAC-S3-014": must be one of "critical",'
            ' "high", "medium", "low", "info", not "urgent"\n'
            "    severity: {PAC-S3-014: urgent}\n                           ^^^^^^",
        ),
        (
            "policies:\n  severity: {pac-s3: high}\n",
            "CFG:2:14: error[C002]: policies.severity: key 'pac-s3': a policy id is upper case"
            " words joined by '-', like PAC-S3-014\n    severity: {pac-s3: high}\n"
            "               ^^^^^^",
        ),
        (
            "suppressions:\n  - reason: nothing to match\n",
            "CFG:2:5: error[C002]: suppressions[0]: a suppression needs at least one of"
            " policy, resource, file\n    - reason: nothing to match\n"
            "      ^^^^^^^^^^^^^^^^^^^^^^^^",
        ),
        (
            "suppressions:\n  - policy: PAC-S3-014\n    expires: 2025-02-30\n",
            "CFG:3:14: error[C002]: suppressions[0].expires: expires is a date, YYYY-MM-DD\n"
            "      expires: 2025-02-30\n               ^^^^^^^^^^",
        ),
        (
            "report:\n  include_passed: sometimes\n",
            "CFG:2:19: error[C002]: report.include_passed: must be true or false, not the"
            ' string "sometimes"\n    include_passed: sometimes\n                    ^^^^^^^^^',
        ),
        (
            "baseline: 3\n",
            "CFG:1:11: error[C002]: baseline: must be a string, not the number 3\n"
            "  baseline: 3\n            ^",
        ),
        (
            "- just\n- a list\n",
            "CFG:1:1: error[C002]: must be a mapping, not a list\n  - just\n  ^",
        ),
        (
            "report:\n  format: json\n  format: sarif\n",
            "CFG:3:3: error[C001]: config file: duplicate key 'format' (first defined at"
            " line 2)\n    format: sarif\n    ^",
        ),
    ],
)
def test_error_messages(tmp_path: Path, text: str, expected: str) -> None:
    assert _problems(tmp_path, text) == [expected]


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "policies:\n  enable: [PAC-S3-014\n")
    # the wording is the YAML parser's (libyaml or PyYAML's own)
    assert problem.startswith("CFG:3:1: error[C001]: config file: invalid YAML: ")


def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        "report:\n  format: pdf\n  colour: true\n  color: no\n"
        "policies:\n  enable: [x]\nversion: 2\n",
    )
    heads = [p.splitlines()[0] for p in problems]
    assert heads == [
        'CFG:2:11: error[C002]: report.format: must be one of "text", "json", "sarif",'
        ' "junit", "html", "csv", "markdown", "gitlab-sast", not "pdf"',
        "CFG:3:3: error[C002]: report: unknown key 'colour'",
        "CFG:4:3: error[C002]: report: unknown key 'color'",
        "CFG:6:12: error[C002]: policies.enable[0]: a policy id is upper case words joined"
        " by '-', like PAC-S3-014",
        "CFG:7:10: error[C002]: version: must be one of 1, not 2",
    ]


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path / "missing.yaml"))
    assert render_diagnostic(caught.value.diagnostics[0]).endswith(
        "missing.yaml: error[C001]: cannot read config file: No such file or directory"
    )
    assert caught.value.code == "C001"


def test_severity_overrides_apply_to_policies_and_findings(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, "policies:\n  severity:\n    PAC-S3-014: critical\n    PAC-X-001: low\n")
    )
    policy = PolicyInfo("PAC-S3-014", "V", "Versioning", Severity.MEDIUM, ("AWS::S3::Bucket",))
    bucket = Resource("AWS::S3::Bucket", "Logs", {})
    result = ScanResult(findings=(Finding(policy, bucket, Status.FAIL, "m"),), policies=(policy,))
    updated, warnings = override_severity(result, config)
    assert updated.policies[0].severity is Severity.CRITICAL
    assert updated.findings[0].policy.severity is Severity.CRITICAL
    assert [(w.code, w.severity, w.location.line if w.location else None) for w in warnings] == [
        ("C003", "warning", 4)
    ]
    assert "PAC-X-001" in warnings[0].message
