"""``pacscan policies``: list, show and map the policy catalogue to frameworks."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from scanner.catalogue import (
    Catalogue,
    Framework,
    load_catalogue,
    load_framework,
    runs_on_terraform,
)
from scanner.catalogue_docs import render_reference, service_of
from scanner.catalogue_live import live_coverage
from scanner.errors import UsageError
from scanner.escape import printable, printable_lines
from scanner.fix.describe import describe_all
from scanner.lang.scope import did_you_mean
from scanner.model import PolicyInfo

POLICY_PATHS = click.option(
    "--policies",
    "policy_paths",
    multiple=True,
    type=click.Path(),
    help="Read policies from these files or directories instead of the built-in library.",
)


@click.group()
def policies() -> None:
    """List and show the policy catalogue and its compliance framework mappings."""


@policies.command("list")
@click.option("--framework", help="Only policies that cover a control of this framework.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="markdown renders the full reference (docs/policies.md).",
)
@POLICY_PATHS
def list_policies(framework: str | None, fmt: str, policy_paths: tuple[str, ...]) -> None:
    """List the policies: id, severity, fix and title (or JSON, or the markdown reference)."""
    catalogue = load_catalogue(policy_paths or None)
    chosen = list(catalogue.policies)
    if framework is not None:
        wanted = load_framework(framework).policy_ids()
        chosen = [p for p in chosen if p.id in wanted]
    if fmt == "json":
        click.echo(json.dumps([policy_entry(catalogue, p) for p in chosen], indent=2))
    elif fmt == "markdown":
        click.echo(render_reference(_restricted(catalogue, chosen)), nl=False)
    else:
        click.echo(_table(chosen))


def policy_entry(catalogue: Catalogue, policy: PolicyInfo) -> dict[str, Any]:
    """The JSON form of one policy in ``pacscan policies list --format json``."""
    return {
        "id": policy.id,
        "title": policy.title,
        "severity": policy.severity.value,
        "resource_types": list(policy.resource_types),
        "controls": list(policy.controls),
        "equivalents": list(policy.equivalents),
        "has_fix": bool(policy.fixes),
        "live": live_coverage().is_live(policy),
        "terraform": runs_on_terraform(policy),
        "source": catalogue.source_of(policy),
    }


def _restricted(catalogue: Catalogue, chosen: list[PolicyInfo]) -> Catalogue:
    if len(chosen) == len(catalogue.policies):
        return catalogue
    return Catalogue(tuple(chosen), catalogue.frameworks, catalogue.root)


def _table(chosen: list[PolicyInfo]) -> str:
    if not chosen:
        return "no policies"
    width = max(len(p.id) for p in chosen)
    coverage = live_coverage()
    rows = [f"{'ID':<{width}}  {'SEVERITY':<8}  FIX  LIVE  TITLE"]
    for p in chosen:
        fix = "yes" if p.fixes else "-"
        live = "yes" if coverage.is_live(p) else "-"
        rows.append(
            f"{p.id:<{width}}  {p.severity.value:<8}  {fix:<3}  {live:<4}  {printable(p.title)}"
        )
    services = len({service_of(p) for p in chosen})
    live_count = sum(1 for p in chosen if coverage.is_live(p))
    rows.append(f"{len(chosen)} policies, {services} services, {live_count} live")
    return "\n".join(rows)


@policies.command("show")
@click.argument("policy_id")
@POLICY_PATHS
def show(policy_id: str, policy_paths: tuple[str, ...]) -> None:
    """Show everything about one policy: metadata, controls, fix and remediation help."""
    catalogue = load_catalogue(policy_paths or None)
    policy = catalogue.get(policy_id) or catalogue.get(policy_id.upper())
    if policy is None:
        known = [p.id for p in catalogue.policies]
        raise UsageError(f"no policy with id {policy_id!r}{did_you_mean(policy_id, known)}")
    click.echo(describe(catalogue, policy))


def describe(catalogue: Catalogue, policy: PolicyInfo) -> str:
    """The text ``pacscan policies show`` prints for ``policy``."""
    lines = [f"{policy.id}  {printable(policy.title)}", ""]
    fields = [
        ("Severity", policy.severity.value),
        ("Resources", ", ".join(policy.resource_types)),
        ("Controls", ", ".join(policy.controls)),
        ("Equivalents", ", ".join(policy.equivalents)),
        ("Tags", ", ".join(policy.tags)),
        ("Fix", _fix_text(policy)),
        ("Live", _live_text(policy)),
        ("Source", catalogue.source_of(policy)),
        ("Reference", policy.help_url or ""),
    ]
    lines += [f"{name + ':':<13}{printable(value)}" for name, value in fields if value]
    if policy.description:
        lines += ["", printable_lines(textwrap.fill(policy.description, width=88))]
    if policy.help:
        lines += ["", printable_lines(policy.help.strip())]
    return "\n".join(lines)


def _fix_text(policy: PolicyInfo) -> str:
    """What ``pacscan fix`` does to a failing resource, in words ("" without a fix)."""
    if not policy.fixes:
        return ""
    return describe_all(policy.fixes, policy.resource_types)


def _live_text(policy: PolicyInfo) -> str:
    coverage = live_coverage()
    if coverage.is_live(policy):
        return "yes, every resource type it targets is collected"
    missing = [t for t in policy.resource_types if not coverage.judged_live(t)]
    return f"no, not collected: {', '.join(missing)}"


@policies.command("frameworks")
@click.argument("name", required=False)
def frameworks(name: str | None) -> None:
    """Show framework coverage; with NAME, list that framework's controls and policies."""
    if name is not None:
        click.echo(_controls(load_framework(name)))
        return
    catalogue = load_catalogue()
    for fw in catalogue.frameworks.values():
        click.echo(f"{fw.name}: {fw.title}")
        for level in ("resource", "account", "manual"):
            covered, total = fw.coverage(level)
            if total:
                click.echo(f"  {level + '-level':<15}{covered:>4} of {total:<4} covered")


def _controls(fw: Framework) -> str:
    width = max(len(c.id) for c in fw.controls)
    rows = [f"{fw.title}  <{fw.url}>"]
    for control in fw.controls:
        policies_text = ", ".join(control.policies) or "not covered"
        rows.append(f"  {control.id:<{width}}  {control.level:<8}  {policies_text}")
        rows.append(f"  {'':<{width}}  {control.title}")
    return "\n".join(rows)


@policies.command("params")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@POLICY_PATHS
@click.option(
    "--extra-policies",
    "extra_paths",
    multiple=True,
    type=click.Path(),
    help="Also read policies from these files or directories.",
)
def params(fmt: str, policy_paths: tuple[str, ...], extra_paths: tuple[str, ...]) -> None:
    """List every policy param: its type, its default and the policies that use it.

    Override one with `--param NAME=VALUE` or the config's `policies.params`.
    """
    from scanner.policyset.params import declared_params

    found = declared_params(policy_paths, extra_paths)
    if fmt == "json":
        click.echo(json.dumps([p.data() for p in found], indent=2))
        return
    click.echo(_params_table(found))


def _shortened(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _params_table(found: list[Any]) -> str:
    if not found:
        return "no params"
    rows = [("PARAM", "TYPE", "DEFAULT", "POLICIES")]
    rows += [
        (p.name, p.type, _shortened(printable(json.dumps(p.default))), ", ".join(p.policies) or "-")
        for p in found
    ]
    widths = [min(max(len(row[n]) for row in rows), 40) for n in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
