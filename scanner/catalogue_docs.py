"""The policy reference (docs/policies.md) rendered from the catalogue.

``render_reference`` is the whole document; ``pacscan policies list --format markdown``
prints it, and a test fails when the checked-in copy differs.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.catalogue import Catalogue, Framework
from scanner.catalogue_live import LiveCoverage, live_coverage
from scanner.catalogue_peers import render_peer_coverage
from scanner.model import PolicyInfo, path_text

REGENERATE = "pacscan policies list --format markdown > docs/policies.md"

SERVICE_NAMES = {
    "APIGATEWAY": "API Gateway",
    "CLOUDFRONT": "CloudFront",
    "CLOUDTRAIL": "CloudTrail",
    "CLOUDWATCH": "CloudWatch",
    "CODEBUILD": "CodeBuild",
    "CONFIG": "AWS Config",
    "DOCDB": "DocumentDB",
    "DYNAMODB": "DynamoDB",
    "ELASTICACHE": "ElastiCache",
    "ELB": "Elastic Load Balancing",
    "FIREHOSE": "Data Firehose",
    "GUARDDUTY": "GuardDuty",
    "KINESIS": "Kinesis",
    "LAMBDA": "Lambda",
    "LOGS": "CloudWatch Logs",
    "NEPTUNE": "Neptune",
    "OPENSEARCH": "OpenSearch",
    "REDSHIFT": "Redshift",
    "SAGEMAKER": "SageMaker",
    "SECRETS": "Secrets in templates",
    "SECRETSMANAGER": "Secrets Manager",
    "SECURITYHUB": "Security Hub",
}

PREFIXES = (
    ("aws-fsbp", "AWS Foundational Security Best Practices control (Security Hub id)"),
    ("cis-aws-3.0", "CIS AWS Foundations Benchmark v3.0.0 recommendation"),
    ("aws-securityhub", "Security Hub control outside FSBP (CIS, NIST or PCI standards)"),
    ("nist-800-53-r5", "NIST SP 800-53 Rev. 5 control"),
)


def service_of(policy: PolicyInfo) -> str:
    """The display name of the service a policy belongs to (from its id, PAC-<SVC>-NNN)."""
    parts = policy.id.split("-")
    key = parts[1] if len(parts) >= 3 else policy.id
    return SERVICE_NAMES.get(key, key)


def render_reference(catalogue: Catalogue) -> str:
    out: list[str] = [
        "# Built-in policies",
        "",
        f"<!-- Rendered from the policy catalogue; regenerate with `{REGENERATE}`. -->",
        "",
    ]
    out += _overview(catalogue)
    out += _coverage(catalogue.frameworks.values())
    out += render_peer_coverage(catalogue.policies)
    out += _policy_tables(catalogue)
    out += _policy_details(catalogue)
    for framework in catalogue.frameworks.values():
        out += _framework_section(framework)
    return "\n".join(out).rstrip("\n") + "\n"


def _overview(catalogue: Catalogue) -> list[str]:
    policies = catalogue.policies
    services = sorted({service_of(p) for p in policies})
    fixes = sum(1 for p in policies if p.fixes)
    live = sum(1 for p in policies if live_coverage().is_live(p))
    lines = [
        f"{len(policies)} policies for {len(services)} services; {fixes} of them carry a "
        "`fix` clause, the edit that template remediation applies, and "
        f"{live} run on live accounts too (column Live: every resource type they target is "
        "collected by `pacscan collect`; docs/aws.md lists the others). Every policy is "
        "tested by its own examples (`pacscan test`). Control ids in the tables use these "
        "prefixes:",
        "",
    ]
    lines += [f"- `{prefix}:` {meaning}" for prefix, meaning in PREFIXES]
    return lines + [""]


def _coverage(frameworks: Iterable[Framework]) -> list[str]:
    lines = [
        "## Framework coverage",
        "",
        "Controls with at least one policy, out of the controls of each level.",
        "",
        "| Framework | Resource-level | Account-level | Manual | Scope |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fw in frameworks:
        cells = []
        for level in ("resource", "account", "manual"):
            covered, total = fw.coverage(level)
            cells.append(f"{covered} / {total}" if total else "-")
        lines.append(f"| {fw.title} | {' | '.join(cells)} | {_cell(fw.scope)} |")
    return lines + [""]


def _policy_tables(catalogue: Catalogue) -> list[str]:
    lines = ["## Policies", ""]
    for service in sorted({service_of(p) for p in catalogue.policies}):
        members = [p for p in catalogue.policies if service_of(p) == service]
        lines += [
            f"### {service}",
            "",
            "| ID | Title | Severity | Resource types | Controls | Fix | Live |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in members:
            live = "yes" if live_coverage().is_live(p) else ""
            lines.append(
                f"| [{p.id}](#{_anchor(p.id)}) | {_cell(p.title)} | {p.severity.value} | "
                f"{_codes(p.resource_types)} | {_codes(p.controls)} | "
                f"{'yes' if p.fixes else ''} | {live} |"
            )
        lines.append("")
    return lines


def _policy_details(catalogue: Catalogue) -> list[str]:
    lines = ["## Policy reference", ""]
    for p in catalogue.policies:
        lines += [f"### {p.id}", "", f"**{p.title}**", ""]
        if p.description:
            lines += [p.description, ""]
        lines += [
            f"- Severity: {p.severity.value}",
            f"- Resource types: {_codes(p.resource_types)}",
            f"- Controls: {_codes(p.controls)}",
        ]
        if p.equivalents:
            lines.append(f"- Equivalent checks: {_codes(p.equivalents)}")
        if p.fixes:
            lines.append(f"- Automatic fix: {'; '.join(_fix_text(op) for op in p.fixes)}")
        lines.append(f"- Source: `policies/{catalogue.source_of(p)}`")
        if p.help_url:
            lines.append(f"- Reference: <{p.help_url}>")
        lines.append("")
        if p.help:
            lines += [_demote(p.help.strip()), ""]
    return lines


TEMPLATE_ONLY_HEADING = "## Template-only resource types"


def render_template_only(catalogue: Catalogue, coverage: LiveCoverage) -> str:
    """The section of docs/aws.md on policy targets that no collector produces."""
    lines = [
        TEMPLATE_ONLY_HEADING,
        "",
        "<!-- Rendered from scanner/data/template_only.yaml; tests/policies/"
        "test_live_coverage.py prints it when it is stale. -->",
        "",
        "Built-in policies target these types, which `pacscan collect` does not produce. "
        "Where the same content is collected under another type (*live as*), the policy "
        "still judges it on a live account; otherwise a live audit does not see resources "
        "of the type.",
        "",
        "| type | live as | policies | reason |",
        "| --- | --- | --- | --- |",
    ]
    for resource_type, entry in sorted(coverage.template_only.items()):
        targeting = [p for p in catalogue.policies if resource_type in p.resource_types]
        ids = ", ".join(p.id + ("" if coverage.is_live(p) else " (not live)") for p in targeting)
        live_as = f"`{entry.live_as}`" if entry.live_as else "not collected"
        # the type unquoted: rows that start with a quoted type are collected types'
        # property lists (tools/build_schema_index.py reads them)
        lines.append(f"| {resource_type} | {live_as} | {ids or 'none'} | {_cell(entry.reason)} |")
    live = sum(1 for p in catalogue.policies if coverage.is_live(p))
    lines += [
        "",
        f"{live} of the {len(catalogue.policies)} built-in policies run on live accounts; "
        '`pacscan policies list` shows which (column LIVE; `"live"` in its JSON).',
    ]
    return "\n".join(lines) + "\n"


def _framework_section(fw: Framework) -> list[str]:
    lines = [
        f"## {fw.title}",
        "",
        f"<{fw.url}>",
        "",
        "| Control | Title | Level | Policies |",
        "| --- | --- | --- | --- |",
    ]
    for control in fw.controls:
        covered = ", ".join(f"[{pid}](#{_anchor(pid)})" for pid in control.policies)
        title = control.title + (f" ({control.note})" if control.note else "")
        lines.append(
            f"| {control.id} | {_cell(title)} | {control.level} | {covered or 'not covered'} |"
        )
    return lines + [""]


def _fix_text(op: object) -> str:
    kind = getattr(op, "kind", "")
    path = path_text(tuple(getattr(op, "path", ())))
    return f"{kind} `{path}`"


def _demote(markdown: str) -> str:
    """Headings inside help text become bold lines so they do not break the outline."""
    lines = []
    in_code = False
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_code = not in_code
        elif not in_code and stripped.startswith("#") and not line.startswith("    "):
            line = f"**{stripped.lstrip('#').strip()}**"
        lines.append(line)
    return "\n".join(lines)


def _codes(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(policy_id: str) -> str:
    return policy_id.lower()
