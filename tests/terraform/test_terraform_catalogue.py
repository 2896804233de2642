"""The catalogue says which policies run on Terraform; the docs list the mapped types."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from scanner.catalogue import render_terraform_types
from scanner.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "terraform.md"
_TABLE = re.compile(
    r"(<!-- terraform-types:start[^\n]*-->\n)(.*?)(<!-- terraform-types:end -->)", re.S
)


def _entries() -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(cli, ["policies", "list", "--format", "json"])
    assert result.exit_code == 0
    return {e["id"]: e for e in json.loads(result.output)}


def test_every_policy_says_whether_it_runs_on_terraform() -> None:
    entries = _entries()
    assert all(type(e["terraform"]) is bool for e in entries.values())
    assert entries["PAC-S3-009"]["terraform"] is True
    # a security group policy also targets standalone rules, which Terraform folds in
    assert entries["PAC-EC2-001"]["terraform"] is True
    # account-wide settings collected live have no Terraform resource
    assert entries["PAC-IAM-007"]["terraform"] is False


def test_a_policy_reading_what_terraform_does_not_map_does_not_run_on_it(
    tmp_path: Path,
) -> None:
    entries = _entries()
    # access keys are collected from a live account; no Terraform argument gives them
    assert entries["PAC-IAM-013"]["terraform"] is False
    # a standalone rule's CidrIp is read on rules only, which Terraform folds into groups
    assert entries["PAC-EC2-002"]["terraform"] is True
    # StageDescription is a deployment's; Terraform writes the stage itself
    assert entries["PAC-APIGATEWAY-002"]["terraform"] is True
    (tmp_path / "lock.policy").write_text(
        'policy LOCK {\n  id = "T-TF-001"\n  title = "t"\n  severity = low\n'
        "  resource AWS::S3::Bucket\n  assert Properties.ObjectLockEnabled == true\n}\n"
        'policy VERSIONED {\n  id = "T-TF-002"\n  title = "t"\n  severity = low\n'
        "  resource AWS::S3::Bucket\n"
        '  assert Properties.VersioningConfiguration.Status == "Enabled"\n}\n'
    )
    result = CliRunner().invoke(
        cli, ["policies", "list", "--policies", str(tmp_path), "--format", "json"]
    )
    flags = {e["id"]: e["terraform"] for e in json.loads(result.output)}
    assert flags == {"T-TF-001": False, "T-TF-002": True}
    from scanner.catalogue import load_catalogue
    from scanner.catalogue_terraform import unmapped_reads

    lock = load_catalogue([str(tmp_path)]).get("T-TF-001")
    assert lock is not None
    assert unmapped_reads(lock) == ["AWS::S3::Bucket Properties.ObjectLockEnabled"]


def test_the_docs_list_every_mapped_type() -> None:
    match = _TABLE.search(DOCS.read_text())
    assert match is not None
    assert match.group(2) == render_terraform_types(), (
        "docs/terraform.md is stale; its table is:\n" + render_terraform_types()
    )


def test_scan_help_names_terraform_and_its_options() -> None:
    result = CliRunner().invoke(cli, ["scan", "--help"])
    assert "Terraform" in result.output
    assert "--var NAME=VALUE" in result.output and "--var-file" in result.output


def test_at_least_80_percent_of_the_library_runs_on_terraform() -> None:
    entries = _entries().values()
    share = sum(1 for e in entries if e["terraform"]) / len(entries)
    assert share >= 0.8


def test_a_type_terraform_has_no_counterpart_for_does_not_hold_a_policy_back() -> None:
    # targets AWS::Lambda::Function and the SAM AWS::Serverless::Function
    assert _entries()["PAC-LAMBDA-002"]["terraform"] is True


def test_scan_takes_var_and_var_file_on_the_command_line(tmp_path: Path) -> None:
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text(
        'variable "open" {}\nvariable "port" {}\n'
        'resource "aws_security_group" "g" {\n  name = "g"\n  ingress {\n'
        '    protocol    = "tcp"\n    from_port   = var.port\n    to_port     = var.port\n'
        "    cidr_blocks = [var.open]\n  }\n}\n"
    )
    values = tmp_path / "prod.tfvars"
    values.write_text("port = 22\n")
    args = ["scan", str(module), "--var-file", str(values), "--format", "json"]
    unknown = json.loads(CliRunner().invoke(cli, args).output)
    assert unknown["summary"]["fail"] == 0 and unknown["summary"]["unknown"] > 0
    result = CliRunner().invoke(cli, [*args, "--var", "open=0.0.0.0/0"])
    findings = json.loads(result.output)["findings"]
    ssh = next(f for f in findings if f["policy_id"] == "PAC-EC2-001")
    assert (ssh["status"], ssh["location"]["line"]) == ("fail", 9)
    assert result.exit_code == 1
