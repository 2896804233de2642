"""A scan with no Terraform in it never imports the HCL parser or the evaluator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "example" / "app.yaml"
PROBE = """
import sys
from scanner.cli import main
try:
    main(["scan", sys.argv[1], "--format", "json", "-o", "/dev/null", "--fail-on", "critical"])
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m == "hcl2" or m.startswith("scanner.loaders.terraform.")))
"""


def test_a_cloudformation_scan_leaves_terraform_unloaded() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(FIXTURE)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[]", done.stdout
