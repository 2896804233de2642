"""SAM ``Globals``: properties shared by every ``AWS::Serverless::*`` resource of a kind.

The SAM transform merges ``Globals.<Section>`` into the ``Properties`` of every resource of
type ``AWS::Serverless::<Section>`` before it does anything else, so the loader does the
same before it resolves intrinsics (a ``!Ref`` written in ``Globals`` resolves like one
written in the resource). The rules are SAM's:

- a property the resource does not set is taken from ``Globals``;
- two mappings are merged key by key, recursively, by these same rules;
- two lists are joined: the ``Globals`` items first, then the resource's;
- anything else (strings, numbers, booleans, an intrinsic function such as ``!Ref`` or
  ``!If``, or two values of different kinds): the resource's own value wins.

A resource opts out with the ``IgnoreGlobals`` attribute: ``"*"`` for every property, or
a list of property names. Only the properties SAM accepts in each section are merged; any
other, an unknown section, or a ``Globals`` that is not a mapping is a warning (SAM
rejects such a template) and is left out.

Every merged resource holds its own copy of the merged mappings and lists (and an origin
per list item), so a template with a long ``Globals`` list and many functions could grow
without bound: past ``MAX_MERGED`` such values the remaining resources keep their own
properties only, with one warning.

A merged resource's ``origins`` map a path in its merged node to where that value is
written in the document (``("Globals", "Function", "Runtime")``, or the resource's own
list item that now sits after the ``Globals`` items), so findings point at those lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from scanner.loaders.foreach import Entry, Problem
from scanner.loaders.source import BAD_RESOURCE
from scanner.model import Path

PREFIX = "AWS::Serverless::"

# Section -> the properties SAM merges from it (samtranslator/plugins/globals/globals.py).
SECTIONS: dict[str, frozenset[str]] = {
    "Function": frozenset(
        (
            "Handler",
            "Runtime",
            "CodeUri",
            "DeadLetterQueue",
            "Description",
            "MemorySize",
            "Timeout",
            "VpcConfig",
            "Environment",
            "Tags",
            "PropagateTags",
            "Tracing",
            "KmsKeyArn",
            "AutoPublishAlias",
            "AutoPublishAliasAllProperties",
            "Layers",
            "DeploymentPreference",
            "RolePath",
            "PermissionsBoundary",
            "ReservedConcurrentExecutions",
            "ProvisionedConcurrencyConfig",
            "AssumeRolePolicyDocument",
            "EventInvokeConfig",
            "FileSystemConfigs",
            "CodeSigningConfigArn",
            "Architectures",
            "SnapStart",
            "EphemeralStorage",
            "FunctionUrlConfig",
            "RuntimeManagementConfig",
            "LoggingConfig",
            "RecursiveLoop",
            "SourceKMSKeyArn",
            "TenancyConfig",
            "DurableConfig",
            "CapacityProviderConfig",
            "FunctionScalingConfig",
            "PublishToLatestPublished",
            "VersionDeletionPolicy",
        )
    ),
    "Api": frozenset(
        (
            "Auth",
            "Name",
            "DefinitionUri",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "MergeDefinitions",
            "Variables",
            "EndpointConfiguration",
            "MethodSettings",
            "BinaryMediaTypes",
            "MinimumCompressionSize",
            "Cors",
            "GatewayResponses",
            "AccessLogSetting",
            "CanarySetting",
            "TracingEnabled",
            "OpenApiVersion",
            "Domain",
            "AlwaysDeploy",
            "PropagateTags",
            "SecurityPolicy",
            "EndpointAccessMode",
        )
    ),
    "HttpApi": frozenset(
        (
            "Auth",
            "AccessLogSettings",
            "StageVariables",
            "Tags",
            "CorsConfiguration",
            "DefaultRouteSettings",
            "Domain",
            "RouteSettings",
            "FailOnWarnings",
            "PropagateTags",
        )
    ),
    "SimpleTable": frozenset(("SSESpecification",)),
    "StateMachine": frozenset(("PropagateTags",)),
    "LayerVersion": frozenset(("PublishLambdaVersion",)),
    "CapacityProvider": frozenset(
        (
            "VpcConfig",
            "OperatorRole",
            "Tags",
            "InstanceRequirements",
            "ScalingConfig",
            "KmsKeyArn",
            "PropagateTags",
        )
    ),
    "WebSocketApi": frozenset(
        (
            "AccessLogSettings",
            "ApiKeySelectionExpression",
            "DefaultRouteSettings",
            "DisableExecuteApiEndpoint",
            "DisableSchemaValidation",
            "Domain",
            "FailOnWarnings",
            "IpAddressType",
            "PropagateTags",
            "RouteSelectionExpression",
            "RouteSettings",
            "StageVariables",
            "Tags",
        )
    ),
}

Origins = dict[Path, Path]

MAX_MERGED = 200_000  # values copied into merged resources, and their origins, per template


def apply_globals(
    template: Mapping[str, Any], entries: list[Entry], dynamic: set[int]
) -> tuple[list[Entry], dict[str, Origins], list[Problem]]:
    """``entries`` with ``Globals`` merged into their nodes, the origins of each merged
    resource's values (by logical id), and the problems found in ``Globals``.

    Every mapping or list the merge builds is added to ``dynamic`` (the ids of nodes the
    resolver must walk), since it may hold intrinsics from either side.
    """
    if "Globals" not in template:
        return entries, {}, []
    sections, problems = _sections(template["Globals"])
    if not sections:
        return entries, {}, problems
    merged: list[Entry] = []
    origins: dict[str, Origins] = {}
    copied = 0
    for at, entry in enumerate(entries):
        node = entry.node
        kind = node.get("Type") if type(node) is dict else None
        section = kind[len(PREFIX) :] if type(kind) is str and kind.startswith(PREFIX) else ""
        shared = sections.get(section)
        if shared is None:
            merged.append(entry)
            continue
        ignored, problem = _ignored(entry)
        if problem is not None:
            problems.append(problem)
        kept = {} if ignored is None else {k: v for k, v in shared.items() if k not in ignored}
        if not kept:
            merged.append(entry)
            continue
        found: Origins = {}
        merger = _Merger(entry.path, found, dynamic)
        properties = merger.merge(kept, node.get("Properties", {}), ("Globals", section), ())
        copied += merger.copied + len(found)
        if copied > MAX_MERGED:
            message = (
                f"Globals are not merged into {entry.logical_id} and the resources after it: "
                f"the merged properties would hold more than {MAX_MERGED} values"
            )
            problems.append(_warning(("Globals",), message))
            merged.extend(entries[at:])
            break
        new_node = {**node, "Properties": properties}
        dynamic.add(id(new_node))
        merged.append(replace(entry, node=new_node))
        if found:
            origins[entry.logical_id] = {("Properties", *k): v for k, v in found.items()}
    return merged, origins, problems


def _sections(value: Any) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The usable sections of ``Globals``, and a warning for each part SAM would reject."""
    if type(value) is not dict:
        return {}, [_warning(("Globals",), "Globals is not a mapping; it is ignored")]
    sections: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for name, properties in value.items():
        supported = SECTIONS.get(name) if type(name) is str else None
        if supported is None:
            known = ", ".join(sorted(SECTIONS))
            message = f"Globals section {name} is not one SAM knows ({known}); it is ignored"
            problems.append(_warning(("Globals", name), message))
            continue
        if type(properties) is not dict:
            message = f"Globals.{name} is not a mapping; it is ignored"
            problems.append(_warning(("Globals", name), message))
            continue
        kept = {}
        for key, item in properties.items():
            if key in supported:
                kept[key] = item
                continue
            message = (
                f"Globals.{name}.{key} is not a property SAM takes from Globals; it is ignored"
            )
            problems.append(_warning(("Globals", name, key), message))
        sections[name] = kept
    return sections, problems


def _ignored(entry: Entry) -> tuple[frozenset[str] | None, Problem | None]:
    """The property names ``IgnoreGlobals`` leaves out; None for ``"*"`` (every one)."""
    value = entry.node.get("IgnoreGlobals")
    if value is None:
        return frozenset(), None
    if value == "*":
        return None, None
    if type(value) is list and all(type(item) is str for item in value):
        return frozenset(value), None
    message = (
        f'resource {entry.logical_id}: IgnoreGlobals must be "*" or a list of property '
        "names; it is ignored"
    )
    return frozenset(), _warning((*entry.path, "IgnoreGlobals"), message)


class _Merger:
    """SAM's merge of one resource's properties, noting where merged values come from.

    ``found`` maps a path in the merged properties to the document path of its value,
    for values that do not sit at the same path in the resource (``base``).
    """

    def __init__(self, base: Path, found: Origins, dynamic: set[int]) -> None:
        self.base = base
        self.found = found
        self.dynamic = dynamic
        self.copied = 0  # values placed in the mappings and lists built so far

    def merge(self, shared: Any, own: Any, source: Path, here: Path) -> Any:
        """``shared`` (at document path ``source``) merged with ``own`` (at ``here``
        below the resource's ``Properties``)."""
        kind = _kind(shared)
        if kind != _kind(own) or kind == "scalar":
            return own
        if kind == "list":
            return self._join(shared, own, source, here)
        out: dict[Any, Any] = {}
        for key, value in shared.items():
            if key not in own:
                out[key] = value
                self.found[here + (key,)] = (*source, key)
        for key, value in own.items():
            if key in shared:
                value = self.merge(shared[key], value, (*source, key), (*here, key))
            out[key] = value
        self.dynamic.add(id(out))
        self.copied += len(out)
        return out

    def _join(self, shared: list[Any], own: list[Any], source: Path, here: Path) -> list[Any]:
        for n in range(len(shared)):
            self.found[here + (n,)] = (*source, n)
        if shared:
            for n in range(len(own)):
                self.found[here + (len(shared) + n,)] = (*self.base, "Properties", *here, n)
        out = shared + own
        self.dynamic.add(id(out))
        self.copied += len(out)
        return out


def _kind(value: Any) -> str:
    """SAM's merge tokens: an intrinsic function counts as a scalar."""
    if type(value) is dict:
        if len(value) == 1:
            key = next(iter(value))
            if key in ("Ref", "Condition") or (type(key) is str and key.startswith("Fn::")):
                return "scalar"
        return "map"
    if type(value) is list:
        return "list"
    return "scalar"


def _warning(path: Path, message: str) -> Problem:
    return Problem(path, message, BAD_RESOURCE, "warning")
