"""A scan of one small template with a warm cache imports only what such a scan uses.

Each module here costs milliseconds of the start of every ``pacscan scan``: the parser
(only when a policy file is not in the cache), the static checks (only for a file not
checked before), the config schema validator (only with a config file),
``importlib.resources`` (pacscan finds its own files without it), the baseline (only with
``--baseline``) and boto3 (only live commands).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
"""
NOT_IMPORTED = (
    "lark",
    "scanner.lang.checks",
    "jsonschema",
    "importlib.resources",
    "scanner.triage.baseline",
    "boto3",
)
PROBE = """
import sys
from scanner.cli import main
try:
    main(["scan", sys.argv[1], "--format", "json", "-o", sys.argv[2], "--no-config"])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def _scan(template: Path, cache: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(template), str(template.with_suffix(".json"))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
        cwd=template.parent,
    )
    return set(done.stdout.split())


def test_a_small_scan_leaves_what_it_does_not_use_unimported(tmp_path: Path) -> None:
    template = tmp_path / "small.yaml"
    template.write_text(TEMPLATE)
    cold = _scan(template, tmp_path / "cache")  # parses every policy, fills the cache
    assert "lark" in cold  # the probe sees imports
    warm = _scan(template, tmp_path / "cache")
    assert "scanner.commands.scan" in warm
    assert not [m for m in NOT_IMPORTED if m in warm]
