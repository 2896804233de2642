"""The policy catalogue: built-in policies, compliance frameworks and their coverage.

A framework (``policies/frameworks/<name>.yaml``) lists the controls of a standard that
can be judged from resource or account configuration, each with the ids of the policies
that cover it. Policies name the same controls in their ``controls`` metadata as
``<framework>:<control id>``; the test suite keeps the two in step.

``compliance_summary`` turns the findings of a scan into one verdict per control:
passed, failed, unknown, not applicable (no resource it applies to) or not covered (no
policy checks it). A control counts only the findings that concern it: those of its
policies, and when it lists ``resource_types`` (a policy over Elasticsearch and OpenSearch
domains covers ES.1 and Opensearch.1, each about one type) only findings on those types.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import PolicyError, UsageError
from scanner.model import Finding, PolicyInfo, Status

FRAMEWORKS_DIR = "frameworks"
LEVELS = ("resource", "account", "manual")


@dataclass(frozen=True, slots=True)
class Control:
    """One control of a framework and the policies that check it."""

    id: str
    title: str
    level: str  # "resource" | "account" | "manual"
    policies: tuple[str, ...] = ()
    note: str = ""
    resource_types: tuple[str, ...] = ()  # empty: findings on any type count

    @property
    def covered(self) -> bool:
        return bool(self.policies)

    def concerns(self, finding: Finding) -> bool:
        """Whether ``finding`` (of one of the control's policies) counts for it."""
        return not self.resource_types or finding.resource.type in self.resource_types


@dataclass(frozen=True, slots=True)
class Framework:
    name: str  # the prefix policies use in `controls`, e.g. "cis-aws-3.0"
    title: str
    version: str
    url: str
    scope: str
    controls: tuple[Control, ...]

    def policy_ids(self) -> frozenset[str]:
        return frozenset(pid for control in self.controls for pid in control.policies)

    def coverage(self, level: str) -> tuple[int, int]:
        """(covered, total) controls of one level."""
        of_level = [c for c in self.controls if c.level == level]
        return sum(1 for c in of_level if c.covered), len(of_level)


@dataclass(frozen=True, slots=True)
class Catalogue:
    policies: tuple[PolicyInfo, ...]
    frameworks: Mapping[str, Framework]
    root: str  # directory the policies were read from (sources are shown relative to it)

    def get(self, policy_id: str) -> PolicyInfo | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def source_of(self, policy: PolicyInfo) -> str:
        if policy.source is None:
            return ""
        prefix = self.root.rstrip("/") + "/"
        path = policy.source.file
        return path[len(prefix) :] if path.startswith(prefix) else path


def _builtin_root() -> Path | Traversable:
    from scanner.lang.sources import builtin_policy_dir

    return builtin_policy_dir()


def load_catalogue(paths: Sequence[str] | None = None) -> Catalogue:
    """Compile the built-in policies (or those under ``paths``) and read the frameworks.

    A policy that does not compile is a ``PolicyError`` at the first problem, saying how
    many there are: the catalogue must describe exactly the policies a scan would run.
    """
    from scanner.lang.sources import discover_policy_files
    from scanner.policyset.compiler import compile_sources

    roots: list[Any] = list(paths) if paths else [_builtin_root()]
    result = compile_sources(discover_policy_files(roots))
    if result.diagnostics:  # the first error, rendered like any other (one line each part)
        first, count = result.diagnostics[0], len(result.diagnostics)
        whole_file = first.location is None and first.file
        raise PolicyError(
            f"{first.file}: {first.message}" if whole_file else first.message,
            code=first.code,
            location=first.location,
            source_line=first.source_line,
            hint=f"the policies do not compile ({count} error{'s' if count != 1 else ''}; "
            "`pacscan check` lists them all)",
        )
    infos = tuple(sorted((cp.info for cp in result.program.policies), key=_policy_order))
    frameworks = {name: load_framework(name) for name in framework_names()}
    root = str(roots[0]) if len(roots) == 1 else ""
    return Catalogue(infos, frameworks, root)


def _policy_order(info: PolicyInfo) -> tuple[str, int, str]:
    head, _, number = info.id.rpartition("-")
    return (head, int(number) if number.isdigit() else 0, info.id)


def framework_names() -> list[str]:
    """Names of the frameworks shipped with the policies, sorted."""
    directory = _builtin_root().joinpath(FRAMEWORKS_DIR)
    if not directory.is_dir():
        return []
    return sorted(e.name[: -len(".yaml")] for e in directory.iterdir() if e.name.endswith(".yaml"))


def load_framework(name: str) -> Framework:
    """The framework called ``name``; a ``UsageError`` listing the known ones otherwise."""
    known = framework_names()
    if name not in known:
        raise UsageError(
            f"unknown framework {name!r}",
            hint=f"known frameworks: {', '.join(known) or 'none'}",
        )
    entry = _builtin_root().joinpath(FRAMEWORKS_DIR, f"{name}.yaml")
    source = f"{FRAMEWORKS_DIR}/{name}.yaml"
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source} is not valid YAML: {exc}") from exc
    return parse_framework(data, source)


def parse_framework(data: Any, source: str) -> Framework:
    """A framework from the parsed YAML of ``source``; a ``PolicyError`` if malformed."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: the file must be a mapping")
    name, title, version, url = (
        _text(data, key, source) for key in ("framework", "title", "version", "url")
    )
    raw_controls = data.get("controls")
    if not isinstance(raw_controls, list) or not raw_controls:
        raise PolicyError(f"{source}: `controls` must be a non-empty list")
    controls = tuple(
        _control(item, f"{source}: controls[{n}]") for n, item in enumerate(raw_controls)
    )
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            raise PolicyError(f"{source}: control {control.id} is listed twice")
        seen.add(control.id)
    scope = data.get("scope", "")
    scope_text = scope if isinstance(scope, str) else ""
    return Framework(name, title, version, url, scope_text, controls)


def _control(item: Any, where: str) -> Control:
    if not isinstance(item, dict):
        raise PolicyError(f"{where}: each control must be a mapping")
    control_id = _text(item, "id", where)
    title = _text(item, "title", where)
    level = item.get("level", "resource")
    if level not in LEVELS:
        raise PolicyError(f"{where}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    policies = item.get("policies") or []
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        raise PolicyError(f"{where}: `policies` must be a list of policy ids")
    note = item.get("note", "")
    types = item.get("resource_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise PolicyError(f"{where}: `resource_types` must be a list of resource types")
    text = note if isinstance(note, str) else ""
    return Control(control_id, title, level, tuple(policies), text, tuple(types))


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PolicyError(
            f'{where}: `{key}` must be a non-empty string (quote numbers such as "1.10")'
        )
    return value


def framework_policy_ids(name: str) -> frozenset[str]:
    """Ids of the policies that cover some control of framework ``name``."""
    return load_framework(name).policy_ids()


class Verdict(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not applicable"
    NOT_COVERED = "not covered"


@dataclass(frozen=True, slots=True)
class ControlResult:
    control: Control
    verdict: Verdict
    failed: int = 0  # failing findings of the control's policies
    unknown: int = 0
    passed: int = 0


@dataclass(frozen=True, slots=True)
class ComplianceSummary:
    framework: Framework
    results: tuple[ControlResult, ...]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.results if r.verdict is verdict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework.name,
            "title": self.framework.title,
            "totals": {v.value: self.count(v) for v in Verdict},
            "controls": [
                {
                    "id": r.control.id,
                    "title": r.control.title,
                    "level": r.control.level,
                    "verdict": r.verdict.value,
                    "policies": list(r.control.policies),
                    **(
                        {"resource_types": list(r.control.resource_types)}
                        if r.control.resource_types
                        else {}
                    ),
                    "failed": r.failed,
                    "unknown": r.unknown,
                    "passed": r.passed,
                }
                for r in self.results
            ],
        }


_PASSING = (Status.PASS, Status.SUPPRESSED)
_UNDECIDED = (Status.UNKNOWN, Status.ERROR)


def compliance_summary(
    framework: str | Framework, findings: Iterable[Finding]
) -> ComplianceSummary:
    """One verdict per control of ``framework`` from the findings of a scan.

    A control fails if any finding of its policies fails; otherwise it is unknown if one
    is unknown (or errored); passed if at least one passed (suppressed findings count as
    passed: someone accepted them); not applicable if its policies found nothing to check.
    """
    fw = load_framework(framework) if isinstance(framework, str) else framework
    by_policy: dict[str, list[Finding]] = {}
    for finding in findings:
        by_policy.setdefault(finding.policy.id, []).append(finding)
    return ComplianceSummary(fw, tuple(_judge(c, by_policy) for c in fw.controls))


def _judge(control: Control, by_policy: Mapping[str, list[Finding]]) -> ControlResult:
    if not control.covered:
        return ControlResult(control, Verdict.NOT_COVERED)
    statuses = [
        f.status for pid in control.policies for f in by_policy.get(pid, ()) if control.concerns(f)
    ]
    failed = sum(1 for s in statuses if s is Status.FAIL)
    unknown = sum(1 for s in statuses if s in _UNDECIDED)
    passed = sum(1 for s in statuses if s in _PASSING)
    if failed:
        verdict = Verdict.FAILED
    elif unknown:
        verdict = Verdict.UNKNOWN
    elif passed:
        verdict = Verdict.PASSED
    else:
        verdict = Verdict.NOT_APPLICABLE
    return ControlResult(control, verdict, failed, unknown, passed)


def render_summary(summary: ComplianceSummary) -> str:
    """The summary as text: totals, then the failed and unknown controls."""
    fw = summary.framework
    totals = ", ".join(f"{summary.count(v)} {v.value}" for v in Verdict)
    lines = [f"{fw.title}: {totals}"]
    for verdict in (Verdict.FAILED, Verdict.UNKNOWN):
        for result in summary.results:
            if result.verdict is verdict:
                counts = result.failed if verdict is Verdict.FAILED else result.unknown
                lines.append(
                    f"  {verdict.value:<8} {result.control.id:<9} {result.control.title} "
                    f"({counts} finding{'s' if counts != 1 else ''})"
                )
    return "\n".join(lines)


# --- Terraform ---------------------------------------------------------------------------

# Resource types policies target that Terraform writes inside another resource: a
# standalone rule is a rule of its security group (aws_security_group_rule folds into it).
TERRAFORM_CARRIED = {
    "AWS::EC2::SecurityGroupIngress": "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress": "AWS::EC2::SecurityGroup",
}
# CloudFormation types Terraform has no resource for (nothing to map), and why.
TERRAFORM_ABSENT = {
    "AWS::IAM::Policy": "an inline policy for several principals: Terraform writes "
    "aws_iam_role_policy, aws_iam_user_policy or aws_iam_group_policy",
    "AWS::Serverless::Function": "a SAM type: Terraform writes aws_lambda_function",
    "AWS::SNS::TopicInlinePolicy": "Terraform writes aws_sns_topic_policy",
    "AWS::SQS::QueueInlinePolicy": "Terraform writes aws_sqs_queue_policy",
}


def terraform_types() -> dict[str, list[str]]:
    """CloudFormation type -> the Terraform resource types mapped to it."""
    from scanner.loaders.terraform.resource_types import TYPES

    found: dict[str, list[str]] = {}
    for name, mapping in TYPES.items():
        found.setdefault(mapping.cfn, []).append(name)
    return found


def runs_on_terraform(policy: PolicyInfo) -> bool:
    """Whether Terraform gives resources of the types ``policy`` targets (each is mapped,
    carried by a mapped type, or has no Terraform counterpart, and one is mapped) and
    every property path it reads (``catalogue_terraform.unmapped_reads``)."""
    from scanner.catalogue_terraform import unmapped_reads

    mapped = terraform_types()

    def judged(kind: str) -> bool:
        return kind in mapped or TERRAFORM_CARRIED.get(kind, "") in mapped

    targets = policy.resource_types
    typed = any(judged(t) for t in targets) and all(
        judged(t) or t in TERRAFORM_ABSENT for t in targets
    )
    return typed and not unmapped_reads(policy)


def render_terraform_types() -> str:
    """The table of mapped Terraform types in docs/terraform.md (a test keeps it current)."""
    from scanner.loaders.terraform.resource_types import FOLDS, TYPES

    rows = ["| Terraform type | Judged as | Properties read from it |", "|---|---|---|"]
    for name, mapping in sorted(TYPES.items()):
        props = ", ".join(sorted(mapping.props))
        rows.append(f"| `{name}` | `{mapping.cfn}` | {props} |")
    for name, fold in sorted(FOLDS.items()):
        into = TYPES[fold.into].cfn
        names = sorted(fold.props)
        if fold.entry is not None:  # the listener of its port, and so on
            entry = fold.entry
            names += [f"{entry.list}[{entry.key} = {entry.argument}].{p}" for p in fold.entry_props]
        props = ", ".join(names)
        how = "adds to" if fold.append else "sets"
        rows.append(f"| `{name}` | folded into its `{fold.into}` ({into}) | {how} {props} |")
    return "\n".join(rows) + "\n"
