"""How many of checkov's and cfn-guard's rules pacscan's policies cover.

Reads the rule lists (ids and titles) from an installed checkov and a checkout of the
AWS CloudFormation Guard rules registry into scanner/data/peer_rules.json, prints the
share of each tool's rules that some policy names among its ``equivalents`` together
with the FSBP coverage, and rewrites docs/policies.md, whose section "Coverage of
checkov and cfn-guard rules" shows the same figures and the uncovered rules with the
reason from scanner/data/peer_gaps.yaml.

Usage:
  python tools/peer_coverage.py [--checkov SITE_PACKAGES/checkov] [--guard REGISTRY]
                                [--write-docs]

Without --checkov or --guard the rule lists already in scanner/data are used (run it so
after policies change). REGISTRY is a work tree or a bare git directory of
aws-cloudformation/aws-guard-rules-registry. checkov's rules are the CloudFormation
checks for AWS: the resource checks and the graph checks.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.catalogue import load_catalogue  # noqa: E402
from scanner.catalogue_docs import render_reference  # noqa: E402
from scanner.catalogue_peers import GAPS, RULES, peer_tools  # noqa: E402

DATA = ROOT / "scanner" / "data"
DOC = ROOT / "docs" / "policies.md"
MAX_RULE_FILE = 1024 * 1024


def checkov_rules(package: Path) -> tuple[str, dict[str, str]]:
    """checkov's version and its CloudFormation AWS checks (id -> name)."""
    checks = package / "cloudformation" / "checks"
    rules: dict[str, str] = {}
    for source in sorted((checks / "resource" / "aws").glob("*.py")):
        found = _check_class(source.read_text(encoding="utf-8"))
        if found:
            rules[found[0]] = found[1]
    for source in sorted((checks / "graph_checks").glob("*.json")):
        meta = json.loads(source.read_text(encoding="utf-8")).get("metadata") or {}
        if str(meta.get("id", "")).startswith("CKV2_AWS_"):
            rules[meta["id"]] = meta.get("name", "")
    version_text = (package / "version.py").read_text(encoding="utf-8")
    version = re.search(r"""["']([^"']+)["']""", version_text)
    return (version.group(1) if version else "unknown"), rules


# the security group port checks take their name from a shared base class
_PORT_CHECKS = {
    "CKV_AWS_24": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
    "CKV_AWS_25": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
    "CKV_AWS_260": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
}


def _check_class(text: str) -> tuple[str, str] | None:
    """The ``id`` and ``name`` a check's ``__init__`` assigns."""
    values: dict[str, str] = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.keyword) and node.arg in ("check_id", "id", "name"):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                values["id" if node.arg == "check_id" else node.arg] = node.value.value
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("id", "name"):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    values[target.id] = node.value.value
    if values.get("id", "").startswith(("CKV_AWS_", "CKV2_AWS_")):
        return values["id"], values.get("name", "") or _PORT_CHECKS.get(values["id"], "")
    return None


def guard_rules(registry: Path) -> tuple[str, dict[str, str]]:
    """The registry's commit and its rules (identifier -> description), one per rule
    file that declares a rule; files holding only comments (Config rules that a template
    cannot show) are left out."""
    texts = _guard_files(registry)
    rules: dict[str, str] = {}
    for text in texts.values():
        if not re.search(r"(?m)^\s*rule\s+\w+", text):
            continue
        ident = re.search(r"(?m)^#\s*Rule Identifier:\s*\n#\s*(\w+)", text)
        if not ident:
            continue
        about = re.search(r"(?m)^#\s*Description:\s*\n#\s*(.+)$", text)
        rules.setdefault(ident.group(1), about.group(1).strip() if about else "")
    return _commit(registry), rules


def _guard_files(registry: Path) -> dict[str, str]:
    if (registry / "rules").is_dir():
        return {
            str(p): p.read_text(encoding="utf-8")
            for p in sorted((registry / "rules").rglob("*.guard"))
            if p.stat().st_size <= MAX_RULE_FILE
        }
    names = _git(registry, "ls-tree", "-r", "--name-only", "HEAD", "rules").split("\n")
    return {
        name: _git(registry, "show", f"HEAD:{name}") for name in names if name.endswith(".guard")
    }


def _commit(registry: Path) -> str:
    try:
        return _git(registry, "rev-parse", "--short", "HEAD").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _git(repo: Path, *args: str) -> str:
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
    )
    return result.stdout


def refresh(checkov: Path | None, guard: Path | None) -> None:
    path = DATA / RULES
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if checkov is not None:
        version, rules = checkov_rules(checkov)
        data["checkov"] = {
            "title": "checkov CloudFormation checks for AWS",
            "source": f"checkov {version}",
            "rules": rules,
        }
    if guard is not None:
        commit, rules = guard_rules(guard)
        data["cfn-guard"] = {
            "title": "cfn-guard rules registry",
            "source": f"aws-guard-rules-registry {commit}",
            "rules": rules,
        }
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    peer_tools.cache_clear()


def report() -> int:
    catalogue = load_catalogue()
    missing_reason = 0
    for tool in peer_tools():
        covered = tool.covered(catalogue.policies)
        total = len(tool.rules)
        print(f"{tool.title} ({tool.source}): {len(covered)} / {total} "
              f"= {100.0 * len(covered) / total:.1f} %")  # fmt: skip
        if tool.name == "checkov":
            resource = [r for r in tool.rules if r.startswith("CKV_AWS_")]
            hit = [r for r in resource if r in covered]
            print(f"  resource checks only: {len(hit)} / {len(resource)} "
                  f"= {100.0 * len(hit) / len(resource):.1f} %")  # fmt: skip
        unexplained = sorted(r for r in tool.rules if r not in covered and r not in tool.gaps)
        missing_reason += len(unexplained)
        if unexplained:
            print(f"  uncovered without a reason in scanner/data/{GAPS}: {', '.join(unexplained)}")
    for name, framework in catalogue.frameworks.items():
        covered, total = framework.coverage("resource")
        account, account_total = framework.coverage("account")
        print(f"{name}: {covered} / {total} resource-level and "
              f"{account} / {account_total} account-level controls covered")  # fmt: skip
    return missing_reason


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", type=Path, help="the checkov package directory")
    parser.add_argument("--guard", type=Path, help="the guard rules registry (tree or git dir)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/policies.md")
    args = parser.parse_args()
    if args.checkov is not None or args.guard is not None:
        refresh(args.checkov, args.guard)
    report()
    if args.write_docs:
        DOC.write_text(render_reference(load_catalogue()), encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
