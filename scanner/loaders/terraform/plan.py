"""Terraform plan JSON (``terraform show -json PLAN``), recognised by its content.

The planned values of the root module and of every child module are read: each resource
instance as the HCL loader would give it, mapped by the same tables. A value known only
once applied (``after_unknown``) is unknown and says so; a sensitive value
(``sensitive_values``) is unknown too, so it never reaches a message or report. A link
the plan cannot know yet (``bucket = aws_s3_bucket.b.id`` of a bucket still to be
created) is taken from the plan's configuration as a reference to that resource, so
split resources still fold into the one they configure. The document keeps no source
text: a plan holds sensitive values in clear, and no report quotes its lines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic, InputError
from scanner.loaders.cfn_values import declared_names
from scanner.loaders.json_source import read_json
from scanner.loaders.source import BAD_RESOURCE, Limits, PositionIndex
from scanner.loaders.terraform.canonical import map_instances
from scanner.loaders.terraform.hcl import Body, SourceFile
from scanner.loaders.terraform.module import Instance
from scanner.loaders.terraform.resource_types import FOLDS, TYPES
from scanner.model import Document, Location, Path, Reference, Resource, TemplateOrigin, Unknown

if TYPE_CHECKING:
    from scanner.loaders import LoadOptions, LoadResult

FORMAT = "terraform-plan"
MAX_MODULE_DEPTH = 64
AFTER_APPLY = "known only once applied"
SENSITIVE = "sensitive: not shown"


def load_plan(path: str, text: str, options: LoadOptions) -> LoadResult:
    from scanner.loaders import LoadResult

    limits = Limits(options.max_depth, options.max_nodes, options.max_alias_nodes)
    try:
        parsed = read_json(path, text, limits)
    except InputError as exc:
        diagnostic = exc.diagnostic()
        return LoadResult(
            errors=(
                Diagnostic(diagnostic.code, diagnostic.message, diagnostic.location, file=path),
            )
        )
    plan = parsed.value
    root = _get(plan, "planned_values", "root_module")
    if type(root) is not dict:
        message = "a Terraform plan without planned_values.root_module: nothing to scan"
        return LoadResult(
            errors=(Diagnostic(BAD_RESOURCE, message, file=path, severity="warning"),)
        )
    unknown = _after_unknown(plan)
    links = _configured_links(_get(plan, "configuration", "root_module"), "", 0)
    source = SourceFile(path, "", Body())
    instances: list[Instance] = []
    _module(
        root,
        ("planned_values", "root_module"),
        parsed.positions,
        unknown,
        links,
        source,
        instances,
        0,
    )
    document = Document(path=path, format=FORMAT, positions=parsed.positions, text=None)
    resources = []
    for instance, cfn, properties, written_at, _ in map_instances(instances, TYPES, FOLDS):
        body = {"Type": cfn, "Properties": properties}
        names, nameable = declared_names(cfn, body)
        origin = TemplateOrigin(written_at=written_at, names=names, nameable=nameable)
        resources.append(
            Resource(cfn, instance.address, body, document, instance.doc_path[:-1], origin)
        )
    return LoadResult(documents=(document,), resources=tuple(resources))


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if type(value) is not dict:
            return None
        value = value.get(key)
    return value


def _module(
    module: dict[str, Any],
    at: Path,
    positions: PositionIndex,
    unknown: dict[str, Any],
    links: dict[str, dict[str, Reference]],
    source: SourceFile,
    out: list[Instance],
    depth: int,
) -> None:
    if depth > MAX_MODULE_DEPTH:
        return
    resources = module.get("resources")
    for index, resource in enumerate(resources if type(resources) is list else ()):
        if type(resource) is not dict or resource.get("mode", "managed") != "managed":
            continue
        instance = _instance(resource, (*at, "resources", index), positions, unknown, links, source)
        if instance is not None:
            out.append(instance)
    children = module.get("child_modules")
    for index, child in enumerate(children if type(children) is list else ()):
        if type(child) is dict:
            _module(
                child,
                (*at, "child_modules", index),
                positions,
                unknown,
                links,
                source,
                out,
                depth + 1,
            )


def _instance(
    resource: dict[str, Any],
    at: Path,
    positions: PositionIndex,
    unknown: dict[str, Any],
    links: dict[str, dict[str, Reference]],
    source: SourceFile,
) -> Instance | None:
    address, kind, name = resource.get("address"), resource.get("type"), resource.get("name")
    if not (isinstance(address, str) and isinstance(kind, str) and isinstance(name, str)):
        return None
    values = resource.get("values")
    config = dict(values) if type(values) is dict else {}
    config = _mark(config, unknown.get(address), AFTER_APPLY, 0)
    config = _mark(config, resource.get("sensitive_values"), SENSITIVE, 0)
    for argument, reference in links.get(_config_address(address), {}).items():
        if config.get(argument) is None or type(config.get(argument)) is Unknown:
            config[argument] = reference
    span = positions.get(at)
    here = span.value if span is not None else Location(source.path, 1, 1)
    header = span.key or here if span is not None else here
    return Instance(address, kind, name, source, (*at, "values"), config, {}, "", header, here)


def _mark(value: Any, marks: Any, cause: str, depth: int) -> Any:
    """``value`` with every leaf ``marks`` sets to true replaced by an Unknown."""
    if marks is True:
        return Unknown(f"{cause}")
    if depth > 64 or marks is None or marks is False:
        return value
    if type(marks) is dict:
        base = dict(value) if type(value) is dict else {}
        for key, inner in marks.items():
            marked = _mark(base.get(key), inner, cause, depth + 1)
            if marked is not None:
                base[key] = marked
        return base if base or type(value) is dict else value
    if type(marks) is list and type(value) is list:
        return [_mark(v, m, cause, depth + 1) for v, m in zip(value, marks, strict=False)] + value[
            len(marks) :
        ]
    return value


def _after_unknown(plan: Any) -> dict[str, Any]:
    """Address -> ``after_unknown`` of its planned change."""
    out: dict[str, Any] = {}
    changes = plan.get("resource_changes") if type(plan) is dict else None
    for change in changes if type(changes) is list else ():
        address = _get(change, "address")
        marks = _get(change, "change", "after_unknown")
        if isinstance(address, str) and marks:
            out[address] = marks
    return out


_INDEX = re.compile(r"\[[^\]]*\]")


def _config_address(address: str) -> str:
    """An instance's address without its instance keys (how the configuration names it)."""
    return _INDEX.sub("", address)


def _configured_links(module: Any, prefix: str, depth: int) -> dict[str, dict[str, Reference]]:
    """Configuration address -> argument -> the resource its expression refers to."""
    out: dict[str, dict[str, Reference]] = {}
    if type(module) is not dict or depth > MAX_MODULE_DEPTH:
        return out
    resources = module.get("resources")
    for resource in resources if type(resources) is list else ():
        address = _get(resource, "address")
        expressions = _get(resource, "expressions")
        if not isinstance(address, str) or type(expressions) is not dict:
            continue
        for argument, expression in expressions.items():
            reference = _reference(_get(expression, "references"), prefix)
            if reference is not None:
                out.setdefault(prefix + address, {})[argument] = reference
    calls = module.get("module_calls")
    for name, call in calls.items() if type(calls) is dict else ():
        out.update(_configured_links(_get(call, "module"), f"{prefix}module.{name}.", depth + 1))
    return out


def _reference(references: Any, prefix: str) -> Reference | None:
    """The resource among an expression's references
    (``["aws_s3_bucket.b.id", "aws_s3_bucket.b"]``)."""
    if type(references) is not list:
        return None
    for text in references:
        if not isinstance(text, str) or text.startswith(
            ("var.", "local.", "module.", "data.", "each.", "count.")
        ):
            continue
        parts = text.split(".")
        if len(parts) >= 2:
            attribute = parts[2] if len(parts) > 2 else None
            return Reference(prefix + ".".join(parts[:2]), attribute, text)
    return None
