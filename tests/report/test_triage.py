from __future__ import annotations

from datetime import date
from pathlib import Path

from report_fixtures import OPEN_SSH, VERSIONING, Factory, finding, scan_result

from scanner.config import load_config
from scanner.model import BaselineState, Severity, Status
from scanner.outcome import exit_code
from scanner.triage import triage
from scanner.triage.baseline import apply_baseline

CONFIG = """\
policies:
  severity: {PAC-EC2-001: critical, PAC-NOPE-001: low}
suppressions:
  - policy: PAC-S3-014
    resource: Logs
    reason: logs are write-once
  - policy: PAC-S3-014
    resource: Uploads
    reason: temporary
    expires: 2024-01-31
"""


def test_overrides_then_suppressions_then_baseline(make: Factory, tmp_path: Path) -> None:
    path = tmp_path / ".pacscan.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(str(path))
    res = make.resources(make.document())
    result = scan_result(
        make.root,
        [
            finding(VERSIONING, res["Logs"]),
            finding(VERSIONING, res["Uploads"]),
            finding(OPEN_SSH, res["Bastion"]),
        ],
    )
    previous = apply_baseline(result, [])  # nothing known before: all new
    assert {f.triage.baseline for f in previous.findings} == {BaselineState.NEW}

    triaged = triage(result, config, today=date(2024, 6, 1), baseline=[])
    logs, uploads, bastion = triaged.findings
    assert logs.status is Status.SUPPRESSED
    assert uploads.status is Status.FAIL  # its suppression expired
    assert bastion.policy.severity is Severity.CRITICAL
    assert {f.triage.baseline for f in triaged.findings} == {BaselineState.NEW}
    assert [(d.code, d.severity) for d in triaged.errors] == [
        ("C003", "warning"),
        ("S003", "warning"),
    ]
    assert exit_code(triaged, Severity.CRITICAL) == 1  # raised from high by the override
    on_last_day = triage(result, config, today=date(2024, 1, 31))
    assert on_last_day.findings[1].status is Status.SUPPRESSED
    assert on_last_day.absent == () and on_last_day.findings[0].triage.baseline is None
