"""CloudFormation templates (YAML or JSON, SAM included) as resources.

A YAML/JSON file is a template when it has ``AWSTemplateFormatVersion`` or a
``Resources`` mapping with at least one resource that has a ``Type`` (or an
``Fn::ForEach`` loop); any other YAML or JSON is skipped (and counted). Text that never
mentions either word is skipped without being parsed, so a repository full of other YAML
costs little.

Every resource becomes one ``Resource`` per condition assumption (see ``variants``):
``id`` is the logical id, ``path`` is ``("Resources", id)``, ``body`` the resolved resource
node. SAM resources (``AWS::Serverless::*``) are scanned as their own types, with the
template's ``Globals`` merged in first (see ``sam_globals``). A resource whose
``Condition`` is false is kept with its origin's ``not_created`` saying why; evaluation
reports it as skipped.
``Fn::ForEach`` loops of the ``AWS::LanguageExtensions`` transform are expanded (see
``foreach``): a resource a loop makes has its expanded logical id as ``id`` and the place
of its output in the loop body as ``path`` (``("Resources", "Fn::ForEach::Buckets", 2,
"${Name}Bucket")``), so its findings point at the lines inside the loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from scanner.errors import Diagnostic, InputError
from scanner.gc_pause import paused_gc
from scanner.loaders.budget import Budget, OverBudget
from scanner.loaders.cfn_values import declared_names
from scanner.loaders.conditions import Cycle, condition_cycles
from scanner.loaders.foreach import LOOP_PREFIX, Entry, resource_entries
from scanner.loaders.json_source import read_json
from scanner.loaders.sam_globals import apply_globals
from scanner.loaders.source import (
    BAD_CONDITION,
    BAD_RESOURCE,
    INTRINSIC_BUDGET,
    JSON_SYNTAX,
    MULTIPLE_DOCUMENTS,
    TOO_DEEP,
    UNSUPPORTED,
    Limits,
    ParsedSource,
    decode,
    input_error,
)
from scanner.loaders.variants import (
    Variant,
    hidden_parameters,
    resolve_resource,
    template_context,
)
from scanner.loaders.yaml_source import read_yaml
from scanner.model import Document, Path, Resource, TemplateOrigin

if TYPE_CHECKING:
    from scanner.loaders import LoadOptions, LoadResult

FORMAT = "cloudformation"
SUFFIXES = frozenset((".yaml", ".yml", ".json", ".template", ".cfn"))
_JSON_START = re.compile(r"\s*[{\[]")


def claims(path: str, head: bytes) -> bool:
    """Any YAML/JSON-looking file: by name, or by a first byte of ``{``."""
    if os.path.splitext(path)[1].lower() in SUFFIXES:
        return True
    return head.lstrip()[:1] == b"{" or b"AWSTemplateFormatVersion" in head


def load(path: str, data: bytes, options: LoadOptions) -> LoadResult:
    from scanner.loaders import LoadResult

    limits = Limits(options.max_depth, options.max_nodes, options.max_alias_nodes)
    try:
        text = decode(path, data)
        if "Resources" not in text and "AWSTemplateFormatVersion" not in text:
            return LoadResult(skipped=True)
        parsed = parse(path, text, limits)
    except InputError as exc:
        return LoadResult(errors=(file_diagnostic(path, exc),))
    document = Document(path=path, format=FORMAT, positions=parsed.positions, text=text)
    problems = shape_problems(document, parsed)
    if not is_template(parsed.value) or (parsed.documents != 1 and not problems):
        return LoadResult(errors=tuple(problems), skipped=not problems)
    resources, errors = template_resources(document, parsed, options)
    errors = [*problems, *errors]
    return LoadResult(documents=(document,), resources=tuple(resources), errors=tuple(errors))


def parse(path: str, text: str, limits: Limits) -> ParsedSource:
    """JSON for ``.json`` files and text starting with a bracket, YAML otherwise."""
    with paused_gc():
        if path.lower().endswith(".json"):
            return read_json(path, text, limits)
        if _JSON_START.match(text):
            try:
                return read_json(path, text, limits)
            except InputError as exc:
                if exc.code != JSON_SYNTAX:
                    raise
                try:  # a YAML flow mapping is not JSON
                    return read_yaml(path, text, limits)
                except InputError:
                    raise exc from None
        return read_yaml(path, text, limits)


def is_template(value: Any) -> bool:
    if type(value) is not dict:
        return False
    if "AWSTemplateFormatVersion" in value:
        return True
    resources = value.get("Resources")
    if type(resources) is not dict:
        return False
    return any(
        (type(node) is dict and "Type" in node) or str(key).startswith(LOOP_PREFIX)
        for key, node in resources.items()
    )


def shape_problems(document: Document, parsed: ParsedSource) -> list[Diagnostic]:
    """A ``Resources`` that is not a mapping, and a second YAML document after a template."""
    value, problems = parsed.value, []
    resources = value.get("Resources", {}) if type(value) is dict else {}
    if type(resources) is not dict and (
        resources is None or type(resources) is list or "AWSTemplateFormatVersion" in value
    ):
        what = "empty" if resources is None else f"a {_KINDS.get(type(resources), 'scalar')}"
        message = (
            f"Resources is {what}, not a mapping of logical ids to resources; "
            "no resource of this template is scanned"
        )
        path: Path = ("Resources",)
        problems.append(_resource_error(document, path, None, message, BAD_RESOURCE, "error"))
    if parsed.documents > 1 and (problems or _template_follows(value, parsed)):
        first = "only the first is scanned" if is_template(value) else "this file is not scanned"
        message = f"a second YAML document starts here; a template is one document: {first}"
        error = input_error(
            MULTIPLE_DOCUMENTS, message, document.path, parsed.text, parsed.second_document
        )
        problems.append(file_diagnostic(document.path, error))
    return problems


_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}


def _template_follows(value: Any, parsed: ParsedSource) -> bool:
    """Whether a file of several YAML documents holds a template: its first, or any later
    one that names a CloudFormation section (a template hidden after an empty document)."""
    if is_template(value):
        return True
    rest = parsed.text[parsed.second_document :]
    return "AWSTemplateFormatVersion" in rest or "Resources:" in rest


def template_resources(
    document: Document, parsed: ParsedSource, options: LoadOptions
) -> tuple[list[Resource], list[Diagnostic]]:
    template = parsed.value
    if type(template.get("Resources")) is not dict:
        return [], []
    context = replace(
        template_context(template, options.parameters, parsed.dynamic), budget=_budget(options)
    )
    errors = [_cycle_error(document, cycle) for cycle in condition_cycles(context.conditions)]
    try:
        entries, problems = resource_entries(template, context, document.positions)
    except OverBudget as exc:
        return [], [*errors, _over_budget(document, exc.src, exc)]
    entries, origins, sam_problems = apply_globals(template, entries, parsed.dynamic)
    problems = [*problems, *sam_problems]
    context = replace(context, resources=frozenset(entry.logical_id for entry in entries))
    errors += [
        _resource_error(document, p.path, None, p.message, p.code, p.severity) for p in problems
    ]
    resources: list[Resource] = []
    hidden = hidden_parameters(template)
    for entry in entries:
        error = _entry_error(document, entry)
        if error is not None:
            errors.append(error)
            continue
        try:
            variants = resolve_resource(
                context, entry.node, options.max_variants, entry.bindings, hidden
            )
        except OverBudget as exc:  # the document's budget is spent: stop here
            errors.append(_over_budget(document, entry.path + exc.src, exc))
            break
        except RecursionError:
            message = f"resource {entry.logical_id} is nested too deeply to resolve"
            errors.append(
                _resource_error(document, entry.path, entry.node, message, TOO_DEEP, "error")
            )
            continue
        resources.extend(_resources(document, entry, variants, origins.get(entry.logical_id)))
    return resources, errors


def _cycle_error(document: Document, cycle: Cycle) -> Diagnostic:
    message = (
        f"{cycle.describe()}; CloudFormation rejects such a template, and pacscan "
        "treats these conditions as unknown"
    )
    return _resource_error(document, cycle.path, None, message, BAD_CONDITION, "error")


def _budget(options: LoadOptions) -> Budget:
    return Budget(
        options.max_intrinsic_steps,
        options.max_intrinsic_bytes,
        options.max_intrinsic_string,
        options.max_loop_iterations,
    )


def _over_budget(document: Document, path: Path, exc: OverBudget) -> Diagnostic:
    """The error for the intrinsic at ``path`` (or its nearest located ancestor)."""
    while path and path not in document.positions:
        path = path[:-1]
    return _resource_error(document, path, None, exc.message, INTRINSIC_BUDGET, "error")


def _entry_error(document: Document, entry: Entry) -> Diagnostic | None:
    if entry.logical_id == "Fn::Transform":
        message = (
            "Fn::Transform in Resources is not expanded; the resources it adds are not scanned"
        )
        return _resource_error(document, entry.path, entry.node, message, UNSUPPORTED, "warning")
    problem = _resource_problem(entry.logical_id, entry.node)
    if problem is None:
        return None
    return _resource_error(document, entry.path, entry.node, problem, BAD_RESOURCE, "error")


def _resources(
    document: Document, entry: Entry, variants: list[Variant], written_at: Any = None
) -> Iterator[Resource]:
    kind = entry.node["Type"]
    for variant in variants:
        names, nameable = declared_names(kind, variant.body)
        origin = TemplateOrigin(
            conditions=variant.conditions,
            path_map=variant.path_map,
            written_at=written_at or {},
            not_created=variant.absent,
            names=names,
            nameable=nameable,
        )
        yield Resource(kind, entry.logical_id, variant.body, document, entry.path, origin)


def _resource_problem(logical_id: str, node: Any) -> str | None:
    if type(node) is not dict:
        return f"resource {logical_id} is not a mapping"
    kind = node.get("Type")
    if kind is None:
        return f"resource {logical_id} has no Type"
    if type(kind) is not str:
        return f"resource {logical_id} has a Type that is not a string; it is not scanned"
    return None


def _resource_error(
    document: Document, path: Path, node: Any, message: str, code: str, severity: str
) -> Diagnostic:
    where = path + ("Type",) if type(node) is dict and "Type" in node else path
    span = document.positions.get(where)
    location = None
    if span is not None:
        location = span.value if where[-1] == "Type" else (span.key or span.value)
    line = document.source_line(location.line) if location is not None else None
    return Diagnostic(
        code=code,
        message=message,
        location=location,
        source_line=line,
        severity=severity,
        file=document.path,
    )


def file_diagnostic(path: str, exc: InputError) -> Diagnostic:
    diag = exc.diagnostic()
    return Diagnostic(
        code=diag.code,
        message=diag.message,
        location=diag.location,
        hint=diag.hint,
        source_line=diag.source_line,
        severity=diag.severity,
        file=path,
    )
