"""Hostile policy files: each ends in a clear error (or a normal result) in bounded time
and memory, and the good policies of the same run are still used.

Every case runs ``pacscan`` in a subprocess with a timeout and an address-space limit.
Without the fixes these inputs took minutes or forever (a regex with an overlapping
alternation, 40 chained defs, nested quantifiers) or gigabytes (a 5 MB string literal).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

TIMEOUT = 30  # seconds; the unbounded versions take minutes or never finish
MEMORY = 1536 << 20  # bytes of address space for the pacscan process
BOMB_TYPE = "Custom::Bomb"  # a type without a schema: policies may read any property

GOOD = """
policy GOOD {
  id = "PAC-GOOD-001"  title = "buckets keep versions"  severity = high
  resource AWS::S3::Bucket
  assert Properties.VersioningConfiguration.Status == "Enabled"
}
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _pacscan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / ".cache")}
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )


def _scan(tmp_path: Path, policies: dict[str, str], properties: dict[str, Any]) -> Any:
    """Scan a bucket (for GOOD) and a BOMB_TYPE resource with these ``properties`` against
    GOOD and these policy files: the process, and the findings that did not pass by id."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "good.policy").write_text(GOOD, encoding="utf-8")
    for name, text in policies.items():
        (folder / name).write_text(text, encoding="utf-8")
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {}}
    thing = {"Type": BOMB_TYPE, "Properties": properties}
    template = {"Resources": {"Bucket": bucket, "Thing": thing}}
    (tmp_path / "template.json").write_text(json.dumps(template), encoding="utf-8")
    done = _pacscan(tmp_path, "scan", "template.json", "--policies", "policies", "--format", "json")
    report = json.loads(done.stdout)
    found = {f["policy_id"]: f for f in report["findings"]}  # findings that did not pass
    assert found["PAC-GOOD-001"]["status"] == "fail", done.stderr  # the good policy ran
    found["passed"] = report["summary"]["pass"]
    return done, found


def _policy(policy_id: str, body: str, before: str = "") -> str:
    return f"""{before}
policy P {{
  id = "{policy_id}"  title = "t"  severity = low
  resource {BOMB_TYPE}
{body}
}}
"""


def _chain(levels: int, combine: str) -> str:
    """``def d0 .. d{levels-1}``, each calling the one before twice."""
    lines = ["def d0(x) = x.Size == 1"]
    lines += [f"def d{n}(x) = d{n - 1}(x) {combine} d{n - 1}(x)" for n in range(1, levels)]
    return "\n".join(lines)


def test_overlapping_alternation_regex_runs_in_linear_time(tmp_path: Path) -> None:
    # Python's engine backtracks exponentially here (40 s on 26 characters); RE2 does not.
    regex = _policy("PAC-BOMB-001", '  assert not (Properties.BucketName matches "(.|\\\\s)*x$")')
    done, found = _scan(tmp_path, {"regex.policy": regex}, {"BucketName": " " * 60_000 + "y"})
    assert done.returncode == 1, done.stderr
    assert "PAC-BOMB-001" not in found
    assert found["passed"] == 1


def test_regex_constructs_without_linear_time_matching_are_compile_errors(
    tmp_path: Path,
) -> None:
    bad = _policy("PAC-BOMB-002", '  assert Properties.BucketName matches "(a+)\\\\1"')
    done, found = _scan(tmp_path, {"bad.policy": bad}, {"BucketName": "aa"})
    assert done.returncode == 2
    assert "bad.policy:5:40: error[P031]: regular expression uses a backreference" in done.stderr
    assert "Traceback" not in done.stderr
    assert "PAC-BOMB-002" not in found


def test_chained_defs_run_once_per_def(tmp_path: Path) -> None:
    # 31 levels, each calling the previous def twice: 2**30 calls if results are not reused.
    chained = _policy("PAC-BOMB-003", "  assert d30(Properties)", before=_chain(31, "and"))
    done, found = _scan(tmp_path, {"chain.policy": chained}, {"Size": 1})
    assert done.returncode == 1, done.stderr
    assert "PAC-BOMB-003" not in found
    assert found["passed"] == 1


def test_failing_chained_defs_are_explained_once_per_def(tmp_path: Path) -> None:
    # `or` with both sides false: finding the path that explains the failure walks both.
    chained = _policy("PAC-BOMB-004", "  assert d30(Properties)", before=_chain(31, "or"))
    done, found = _scan(tmp_path, {"chain.policy": chained}, {"Size": 2})
    assert done.returncode == 1, done.stderr
    assert found["PAC-BOMB-004"]["status"] == "fail"
    assert found["PAC-BOMB-004"]["path"] == ["Properties", "Size"]


def test_defs_chained_past_the_depth_limit_are_a_compile_error(tmp_path: Path) -> None:
    chained = _policy("PAC-BOMB-005", "  assert d39(Properties)", before=_chain(40, "and"))
    done, found = _scan(tmp_path, {"chain.policy": chained}, {"Size": 1})
    assert done.returncode == 2
    assert "chain.policy:33:1: error[P005]: def `d32` starts a chain of 33 nested def calls" in (
        done.stderr
    )
    assert "PAC-BOMB-005" not in found


def test_pacscan_test_runs_chained_def_examples(tmp_path: Path) -> None:
    examples = """
  example pass { Properties: { Size: 1 } }
  example fail { Properties: { Size: 2 } }"""
    chained = _policy(
        "PAC-BOMB-006", "  assert d30(Properties)" + examples, before=_chain(31, "and")
    )
    (tmp_path / "chain.policy").write_text(chained, encoding="utf-8")
    (tmp_path / "good.policy").write_text(
        GOOD.replace("}\n", "  example fail { Properties: {} }\n}\n"), encoding="utf-8"
    )
    done = _pacscan(tmp_path, "test", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed, 0 failed" in done.stdout


def test_huge_policy_file_is_refused_before_parsing(tmp_path: Path) -> None:
    # A 5 MB string literal once cost 2.2 GB in the lexer; 2 MB is read, then refused.
    huge = _policy("PAC-BOMB-007", f'  assert Properties.BucketName != "{"a" * 2_000_000}"')
    done, found = _scan(tmp_path, {"huge.policy": huge}, {"BucketName": "b"})
    assert done.returncode == 2
    assert "huge.policy:1:1: error[P005]: policy file is 2,000,1" in done.stderr
    assert "the limit is 1,048,576" in done.stderr
    assert "aaaaaaaaaa" not in done.stderr  # the excerpt is not the whole file
    assert "PAC-BOMB-007" not in found


def test_long_string_literal_is_a_compile_error(tmp_path: Path) -> None:
    long = _policy("PAC-BOMB-008", f'  assert Properties.BucketName != "{"a" * 70_000}"')
    done, found = _scan(tmp_path, {"long.policy": long}, {"BucketName": "b"})
    assert done.returncode == 2
    assert "long.policy:5:35: error[P005]: string literal of 70,002 characters" in done.stderr
    assert "PAC-BOMB-008" not in found


def test_nested_quantifiers_stop_at_the_step_budget(tmp_path: Path) -> None:
    # 1,000**3 bodies: hours of work; the budget ends it with an error finding.
    body = (
        "  assert all Properties.L[*] as a: all Properties.L[*] as b:\n"
        "    all Properties.L[*] as c: a >= 0 and b >= 0 and c >= 0"
    )
    loops = _policy("PAC-BOMB-009", body)
    done, found = _scan(tmp_path, {"loops.policy": loops}, {"L": list(range(1000))})
    assert done.returncode == 4, done.stderr  # findings, and a pair not evaluated
    assert found["PAC-BOMB-009"]["status"] == "error"
    assert "evaluation stopped after 200,000 steps" in found["PAC-BOMB-009"]["message"]


def test_string_functions_cannot_build_gigabytes(tmp_path: Path) -> None:
    # 60,000 characters, each replaced by 60,000: 3.6 GB without a bound.
    body = f'  assert replace(Properties.BucketName, "a", "{"b" * 60_000}") != "x"'
    blowup = _policy("PAC-BOMB-010", body)
    done, found = _scan(tmp_path, {"blowup.policy": blowup}, {"BucketName": "a" * 60_000})
    assert done.returncode == 4, done.stderr
    assert found["PAC-BOMB-010"]["status"] == "error"
    assert "replace() result is over the limit of 1,048,576" in found["PAC-BOMB-010"]["message"]


def test_message_placeholders_cost_no_more_deep_in_a_file(tmp_path: Path) -> None:
    # Each `{expr}` was parsed from text padded to its line: cost grew with the line number.
    message = "{lower(id)}" * 3000
    body = f'  assert Properties.Gone exists else "{message}"'
    policies = [
        _policy(f"PAC-BOMB-1{n:02d}", body).replace("policy P", f"policy P{n}") for n in range(3)
    ]
    text = "\n" * 900_000 + "".join(policies)  # just under the 1 MiB file limit
    done, found = _scan(tmp_path, {"messages.policy": text}, {"BucketName": "b"})
    assert done.returncode == 1, done.stderr
    assert found["PAC-BOMB-100"]["message"].startswith("thing" * 3000)
