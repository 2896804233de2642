"""The SARIF ``fixes`` of a scan, made on copies of the files, give the bytes ``pacscan fix``
writes.

The replay follows SARIF 2.1.0 (§3.56, §3.57, §3.30): each replacement deletes
``charLength`` code points at ``charOffset`` of the file as scanned (after a UTF-8 byte
order mark, if any) and inserts ``insertedContent.text`` there. The replacements of every
result on one file are made together on the original text, by ``charOffset``, results
at one offset in log order; they must not overlap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "fix"
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_file())

# Two fix clauses that write into one mapping neither finds: the second is made in a later
# round, inside what the first inserts, so the two cannot be told apart in SARIF.
NESTED = """\
policy FIRST {
  id = "T-FIX-001"
  title = "first"
  severity = high
  resource AWS::SQS::Queue
  assert Properties.RedrivePolicy.maxReceiveCount == 5 else "first"
  fix set Properties.RedrivePolicy.maxReceiveCount = 5
}
policy SECOND {
  id = "T-FIX-002"
  title = "second"
  severity = high
  resource AWS::SQS::Queue
  assert Properties.RedrivePolicy.deadLetterTargetArn == "x" else "second"
  fix set Properties.RedrivePolicy.deadLetterTargetArn = "x"
}
"""


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


def _sarif(cwd: Path, *args: str) -> dict[str, Any]:
    done = _run(cwd, "scan", "--format", "sarif", "-o", "scan.sarif", *args)
    assert done.returncode in (0, 1, 3, 4), done.stderr
    log: dict[str, Any] = json.loads((cwd / "scan.sarif").read_text("utf-8"))
    (cwd / "scan.sarif").unlink()
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text("utf-8"))).validate(log)
    return log


def _replay(cwd: Path, log: dict[str, Any]) -> None:
    """Make every replacement of every result's fix on the file it names."""
    changes: dict[str, list[tuple[int, int, int, str]]] = {}
    for n, result in enumerate(log["runs"][0]["results"]):
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                assert change["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                found = changes.setdefault(change["artifactLocation"]["uri"], [])
                for replacement in change["replacements"]:
                    region = replacement["deletedRegion"]
                    new = replacement.get("insertedContent", {}).get("text", "")
                    found.append((region["charOffset"], n, region["charLength"], new))
    for uri, replacements in changes.items():
        data = (cwd / uri).read_bytes()
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        text = data[len(bom) :].decode("utf-8")
        out, last = [], 0
        for offset, _, length, new in sorted(replacements, key=lambda r: r[:2]):
            assert offset >= last, f"{uri}: replacements overlap at {offset}"
            out += [text[last:offset], new]
            last = offset + length
        out.append(text[last:])
        (cwd / uri).write_bytes(bom + "".join(out).encode("utf-8"))


def _copies(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, Path]:
    pair = (tmp_path / "sarif", tmp_path / "fix")
    for folder in pair:
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
    return pair


def _fixtures() -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes() for name in NAMES}


@pytest.mark.parametrize("fail_on", ["low", "high"])
def test_sarif_fixes_give_the_bytes_pacscan_fix_writes(tmp_path: Path, fail_on: str) -> None:
    replayed, fixed = _copies(tmp_path, _fixtures())
    log = _sarif(replayed, *NAMES, "--fail-on", fail_on)
    _replay(replayed, log)
    done = _run(fixed, "fix", *NAMES, "--fail-on", fail_on)
    assert done.returncode in (0, 1), done.stderr
    changed = 0
    for name in NAMES:
        assert (replayed / name).read_bytes() == (fixed / name).read_bytes(), name
        changed += (fixed / name).read_bytes() != (FIXTURES / name).read_bytes()
    assert changed == len(NAMES) if fail_on == "low" else changed > 0
    with_fix = [r for r in log["runs"][0]["results"] if r.get("fixes")]
    fixed_count = int(done.stdout.rsplit("\n", 2)[-2].split()[0])
    assert len(with_fix) == fixed_count  # every fixed finding's result carries its own fix
    assert not any("same change" in r["fixes"][0]["description"]["text"] for r in with_fix)


def test_each_result_carries_its_own_insertion_crlf_included(tmp_path: Path) -> None:
    replayed, _ = _copies(tmp_path, _fixtures())
    log = _sarif(replayed, "crlf.yaml", "--policy", "PAC-S3-001", "--policy", "PAC-S3-009")
    fixes = {r["ruleId"]: r["fixes"][0] for r in log["runs"][0]["results"]}
    versioning = fixes["PAC-S3-009"]["artifactChanges"][0]["replacements"]
    assert versioning == [
        {
            "deletedRegion": {
                "charOffset": 328,
                "charLength": 0,
                "startLine": 11,
                "startColumn": 22,
                "endLine": 11,
                "endColumn": 22,
            },
            "insertedContent": {
                "text": "\r\n      VersioningConfiguration:\r\n        Status: Enabled"
            },
        }
    ]
    assert fixes["PAC-S3-009"]["description"]["text"] == (
        'Set Properties.VersioningConfiguration.Status to "Enabled".'
    )
    encryption = fixes["PAC-S3-001"]["artifactChanges"][0]["replacements"]
    assert encryption[0]["deletedRegion"]["charOffset"] == 328
    assert encryption[0]["insertedContent"]["text"].startswith("\r\n      BucketEncryption:\r\n")


def test_edits_that_depend_on_each_other_travel_in_one_fix(tmp_path: Path) -> None:
    template = (
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 0\n"
    )
    replayed, fixed = _copies(tmp_path, {"q.yaml": template.encode()})
    for folder in (replayed, fixed):
        (folder / "nested.policy").write_text(NESTED)
    log = _sarif(replayed, "q.yaml", "--policies", "nested.policy")
    first, second = log["runs"][0]["results"]
    assert "fixes" not in second
    assert first["fixes"][0]["description"]["text"] == (
        "Set Properties.RedrivePolicy.maxReceiveCount to 5. "
        "The same change fixes T-FIX-002 on Jobs."
    )
    _replay(replayed, log)
    done = _run(fixed, "fix", "q.yaml", "--policies", "nested.policy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        (replayed / "q.yaml").read_text()
        == (fixed / "q.yaml").read_text()
        == (
            template
            + "      RedrivePolicy:\n        maxReceiveCount: 5\n        deadLetterTargetArn: x\n"
        )
    )


# A fix that leaves its finding failing (T-FIX-010), one that works (T-FIX-011), and one
# that makes another policy newly fail (T-FIX-012 breaks T-FIX-013): pacscan fix's re-scan
# drops the first and the whole edit of the file the third is in.
DROPPED = """\
policy INEFFECTIVE {
  id = "T-FIX-010"
  title = "ineffective"
  severity = high
  resource AWS::SQS::Queue
  assert Properties.DelaySeconds == 5 else "delay"
  fix set Properties.DelaySeconds = 6
}
policy EFFECTIVE {
  id = "T-FIX-011"
  title = "effective"
  severity = high
  resource AWS::SQS::Queue
  assert Properties.MessageRetentionPeriod == 600 else "retention"
  fix set Properties.MessageRetentionPeriod = 600
}
policy WORSENS {
  id = "T-FIX-012"
  title = "worsens"
  severity = high
  resource AWS::SNS::Topic
  assert Properties.DisplayName == "x" else "name"
  fix set Properties.DisplayName = "x"
}
policy OPPOSED {
  id = "T-FIX-013"
  title = "opposed"
  severity = high
  resource AWS::SNS::Topic
  assert Properties.DisplayName != "x" else "not x"
}
"""


def test_edits_the_re_scan_drops_are_not_offered(tmp_path: Path) -> None:
    files = {
        "queue.yaml": b"Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        b"      DelaySeconds: 0  # seconds\n      MessageRetentionPeriod: 60\n",
        "topic.yaml": b"Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        b"      DisplayName: y\n",
    }
    replayed, fixed = _copies(tmp_path, files)
    for folder in (replayed, fixed):
        (folder / "dropped.policy").write_text(DROPPED)
    log = _sarif(replayed, *files, "--policies", "dropped.policy")
    offered = {r["ruleId"]: "fixes" in r for r in log["runs"][0]["results"]}
    assert offered == {"T-FIX-010": False, "T-FIX-011": True, "T-FIX-012": False}
    _replay(replayed, log)
    done = _run(fixed, "fix", *files, "--policies", "dropped.policy")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the fix does not make the finding pass" in done.stdout
    assert "T-FIX-013 would newly fail on Alerts" in done.stdout
    for name in files:
        assert (replayed / name).read_bytes() == (fixed / name).read_bytes(), name
    assert (fixed / "topic.yaml").read_bytes() == files["topic.yaml"]
    assert (fixed / "queue.yaml").read_bytes() == files["queue.yaml"].replace(b": 60\n", b": 600\n")
