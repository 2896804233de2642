"""``pacscan fix`` and SARIF ``fixes`` on Terraform: the installed command on copies of
fixtures/terraform/fix, exact bytes after, and every refusal with its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.fix.edits import Text, apply_edits
from scanner.fix.hcl_edit import Change, block_edits, resource_block
from scanner.fix.text_ops import CannotEdit
from scanner.loaders.terraform.hcl import parse_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "terraform" / "fix"
EXPECTED = ROOT / "fixtures" / "terraform" / "fix_expected"
POLICIES = [
    *("--policy", "PAC-S3-009", "--policy", "PAC-KMS-001"),
    *("--policy", "PAC-DYNAMODB-00[12]", "--policy", "PAC-CLOUDFRONT-010"),
]
UNCHANGED = "modules/store/main.tf"


def _pacscan() -> str:
    beside = Path(sys.executable).with_name("pacscan")
    found = str(beside) if beside.exists() else shutil.which("pacscan")
    if found is None:
        pytest.fail("the pacscan command is not installed (pip install -e '.[test]')")
    return found


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_pacscan(), *args, "--no-config"], cwd=cwd, capture_output=True, text=True, timeout=180
    )


def _copy(target: Path) -> Path:
    shutil.copytree(FIXTURE, target)
    return target


def test_fix_writes_exact_bytes_and_says_why_it_left_the_rest(tmp_path: Path) -> None:
    work = _copy(tmp_path / "module")
    done = _run(work, "fix", ".", *POLICIES)
    for name in ("main.tf", "versioning.tf"):
        assert (work / name).read_bytes() == (EXPECTED / f"{name}.txt").read_bytes(), name
    assert (work / UNCHANGED).read_bytes() == (FIXTURE / UNCHANGED).read_bytes()
    assert done.returncode == 1, done.stderr  # the refused findings still fail
    out = done.stdout
    for line in (
        # a split resource in another file, its comment kept
        "fixed  versioning.tf:5:5 PAC-S3-009 aws_s3_bucket.data",
        "fixed  main.tf:21:5 PAC-S3-009 aws_s3_bucket.legacy",
        # one edit for every instance of a counted resource
        "fixed  main.tf:39:1 PAC-KMS-001 aws_kms_key.tenant[0]",
        "fixed  main.tf:39:1 PAC-KMS-001 aws_kms_key.tenant[1]",
        "fixed  main.tf:50:1 PAC-DYNAMODB-001 aws_dynamodb_table.orders",
        "not fixed  main.tf:25:1 PAC-S3-009 aws_s3_bucket.bare Properties.VersioningConfiguration:"
        " Properties.VersioningConfiguration is set by a separate aws_s3_bucket_versioning"
        " resource and aws_s3_bucket.bare has none; add one (its name is left to the author)",
        "not fixed  main.tf:36:3 PAC-KMS-001 aws_kms_key.shared Properties.EnableKeyRotation:"
        " the value comes from variable rotate (`var.rotate`)",
        'not fixed  main.tf:47:3 PAC-KMS-001 aws_kms_key.keyed["green"]'
        " Properties.EnableKeyRotation: the value differs by instance (`each.value`)",
        "not fixed  main.tf:73:5 PAC-DYNAMODB-001 aws_dynamodb_table.events Properties"
        ".PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: the value comes from"
        " local value `local.pitr`",
        "PAC-KMS-001 module.store.aws_kms_key.store Properties.EnableKeyRotation: written in the"
        " source of module.store, which every call of that module shares",
        "PAC-KMS-001 aws_kms_key.store Properties.EnableKeyRotation: modules/store/main.tf is"
        " also the source of module.store",
    ):
        assert line in out, out
    assert out.endswith("8 findings fixed in 2 files; 6 not fixed\n"), out
    again = _run(work, "fix", ".", *POLICIES)  # nothing left that can be fixed
    assert again.stdout.endswith("0 findings fixed in 0 files; 6 not fixed\n"), again.stdout


def test_diff_shows_the_edit_and_writes_nothing(tmp_path: Path) -> None:
    work = _copy(tmp_path / "module")
    done = _run(work, "fix", ".", "--diff", "--policy", "PAC-S3-009")
    assert done.stdout == (
        "--- a/versioning.tf\n+++ b/versioning.tf\n@@ -2,6 +2,6 @@\n"
        "   bucket = aws_s3_bucket.data.id\n \n   versioning_configuration {\n"
        '-    status = "Suspended" # until the backfill ends\n'
        '+    status = "Enabled" # until the backfill ends\n   }\n }\n'
        "--- a/main.tf\n+++ b/main.tf\n@@ -18,7 +18,7 @@\n"
        '   bucket = "example-legacy"\n \n   versioning {\n'
        "-    enabled = false # turned off during the migration\n"
        "+    enabled = true # turned off during the migration\n   }\n }\n \n"
    )
    for path in FIXTURE.rglob("*.tf"):
        assert (work / path.relative_to(FIXTURE)).read_bytes() == path.read_bytes()


def _replay(cwd: Path, log: dict[str, Any]) -> set[str]:
    """Make every replacement of every result's fix on the file it names."""
    changes: dict[str, list[tuple[int, int, int, str]]] = {}
    for n, result in enumerate(log["runs"][0]["results"]):
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                found = changes.setdefault(change["artifactLocation"]["uri"], [])
                for replacement in change["replacements"]:
                    region = replacement["deletedRegion"]
                    new = replacement["insertedContent"]["text"]
                    found.append((region["charOffset"], n, region["charLength"], new))
    for uri, replacements in changes.items():
        text = (cwd / uri).read_text("utf-8")
        out, last = [], 0
        for offset, _, length, new in sorted(replacements, key=lambda r: r[:2]):
            assert offset >= last, f"{uri}: replacements overlap at {offset}"
            out += [text[last:offset], new]
            last = offset + length
        out.append(text[last:])
        (cwd / uri).write_text("".join(out), "utf-8")
    return set(changes)


def test_sarif_fixes_give_the_bytes_fix_writes(tmp_path: Path) -> None:
    replayed, fixed = _copy(tmp_path / "sarif"), _copy(tmp_path / "fix")
    done = _run(replayed, "scan", ".", "--format", "sarif", "-o", "../scan.sarif", *POLICIES)
    assert done.returncode == 1, done.stderr
    log = json.loads((tmp_path / "scan.sarif").read_text("utf-8"))
    descriptions = [
        f["description"]["text"] for r in log["runs"][0]["results"] for f in r.get("fixes", [])
    ]
    assert (
        "Set Properties.EnableKeyRotation to true. The same change fixes PAC-KMS-001 on "
        "aws_kms_key.tenant[1]." in descriptions
    )
    assert _replay(replayed, log) == {"main.tf", "versioning.tf"}
    _run(fixed, "fix", ".", *POLICIES)
    for path in FIXTURE.rglob("*.tf"):
        name = path.relative_to(FIXTURE)
        assert (replayed / name).read_bytes() == (fixed / name).read_bytes(), name


def _edit(text: str, steps: tuple[str | int, ...], value: Any) -> str:
    parsed = parse_file("t.tf", text)
    block = resource_block(parsed.body, "aws_x", "y")
    assert block is not None
    return apply_edits(text, block_edits(Text(text), block, [Change(steps, value)]))


@pytest.mark.parametrize(
    ("text", "steps", "value", "expected"),
    [
        # an empty block written on one line opens up
        (
            'resource "aws_x" "y" {}\n',
            ("name",),
            "a",
            'resource "aws_x" "y" {\n  name = "a"\n}\n',
        ),
        # HCL template markers in a new string are escaped
        (
            'resource "aws_x" "y" {\n  a = 1\n}\n',
            ("b",),
            "${x} %{y}",
            'resource "aws_x" "y" {\n  a = 1\n  b = "$${x} %%{y}"\n}\n',
        ),
        # nested blocks that do not exist are written together
        (
            'resource "aws_x" "y" {\n    a = 1\n}\n',
            ("outer", "inner", "c"),
            True,
            'resource "aws_x" "y" {\n    a = 1\n\n    outer {\n      inner {\n'
            "        c = true\n      }\n    }\n}\n",
        ),
        # CRLF line ends are kept
        (
            'resource "aws_x" "y" {\r\n  a = 1\r\n}\r\n',
            ("b",),
            2,
            'resource "aws_x" "y" {\r\n  a = 1\r\n  b = 2\r\n}\r\n',
        ),
    ],
)
def test_block_edits(text: str, steps: tuple[str | int, ...], value: Any, expected: str) -> None:
    assert _edit(text, steps, value) == expected


@pytest.mark.parametrize(
    ("text", "steps", "reason"),
    [
        ('resource "aws_x" "y" {\n  a = <<EOF\nx\nEOF\n}\n', ("a",), "computed by the expression"),
        ('resource "aws_x" "y" {\n  a = "v-${var.env}"\n}\n', ("a",), "from variable env"),
        ('resource "aws_x" "y" {\n  a = upper("x")\n}\n', ("a",), '`upper("x")`'),
        ('resource "aws_x" "y" {\n  b { c = 1 }\n}\n', ("b", "d"), "written on one line"),
        (
            'resource "aws_x" "y" {\n  dynamic "b" {\n    for_each = []\n'
            "    content {\n      c = 1\n    }\n  }\n}\n",
            ("b", "c"),
            "dynamic block",
        ),
        ('resource "aws_x" "y" {\n  b = { c = 1 }\n}\n', ("b", "c"), "written as an expression"),
    ],
)
def test_what_is_not_a_literal_is_refused(
    text: str, steps: tuple[str | int, ...], reason: str
) -> None:
    with pytest.raises(CannotEdit, match=reason.replace("(", r"\(").replace(")", r"\)")):
        _edit(text, steps, "new")
