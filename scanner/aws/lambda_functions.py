"""Lambda: functions and the statements of their resource policies.

Environment variable *values* never reach a snapshot: each is stored as an unknown
marker, so the names stay visible to policies while secrets stay out of the file.
Each resource policy statement becomes an ``AWS::Lambda::Permission`` whose
``FunctionName`` is the function's name. Each statement of a layer version's policy
becomes an ``AWS::Lambda::LayerVersionPermission`` (``ListLayers``, ``ListLayerVersions``,
``GetLayerVersionPolicy``).
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector, fill
from scanner.aws.shapes import drop_none, policy_document, with_tags
from scanner.loaders.snapshot import UNKNOWN_KEY

REDACTED = {UNKNOWN_KEY: "redacted: environment variable values are not collected"}
TYPES = ("AWS::Lambda::Function", "AWS::Lambda::Permission")
LAYER_PERMISSION = "AWS::Lambda::LayerVersionPermission"
LAYER_TYPES = (LAYER_PERMISSION,)
# Condition key (lower case) -> AWS::Lambda::Permission property
PERMISSION_CONDITIONS = {
    "aws:sourcearn": "SourceArn",
    "aws:sourceaccount": "SourceAccount",
    "aws:principalorgid": "PrincipalOrgID",
    "lambda:functionurlauthtype": "FunctionUrlAuthType",
}


def collect(ctx: CollectContext) -> None:
    for function in ctx.pages("ListFunctions", "Functions", lists=TYPES).items():
        _collect_function(ctx, function)


def _collect_function(ctx: CollectContext, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    function_arn = function["FunctionArn"]
    props = function_properties(function)
    fill(
        props,
        "ReservedConcurrentExecutions",
        ctx.call("GetFunctionConcurrency", FunctionName=name),
        lambda data: data.get("ReservedConcurrentExecutions"),
    )
    tagging = ctx.call("ListTags", Resource=function_arn)
    tags = {str(k): str(v) for k, v in ((tagging.data or {}).get("Tags") or {}).items()}
    ctx.add("AWS::Lambda::Function", function_arn, name, with_tags(props, tags), tags=tags)
    policy = ctx.call(
        "GetPolicy",
        FunctionName=name,
        absent=("ResourceNotFoundException",),
        lists=("AWS::Lambda::Permission",),
    )
    document = policy_document((policy.data or {}).get("Policy")) if policy.data else {}
    for index, statement in enumerate(_statements(document)):
        sid = str(statement.get("Sid") or index)
        ctx.add(
            "AWS::Lambda::Permission",
            f"{function_arn}#permission/{sid}",
            sid,
            permission_properties(name, statement),
        )


def function_properties(function: dict[str, Any]) -> dict[str, Any]:
    """A ``ListFunctions`` entry in the shape of ``AWS::Lambda::Function`` properties."""
    vpc = function.get("VpcConfig") or {}
    variables = (function.get("Environment") or {}).get("Variables") or {}
    props = drop_none(
        {
            "FunctionName": function.get("FunctionName"),
            "Description": function.get("Description") or None,
            "Runtime": function.get("Runtime"),
            "Handler": function.get("Handler"),
            "Role": function.get("Role"),
            "MemorySize": function.get("MemorySize"),
            "Timeout": function.get("Timeout"),
            "PackageType": function.get("PackageType"),
            "Architectures": function.get("Architectures"),
            "KmsKeyArn": function.get("KMSKeyArn"),
            "TracingConfig": function.get("TracingConfig"),
            "DeadLetterConfig": function.get("DeadLetterConfig"),
            "EphemeralStorage": function.get("EphemeralStorage"),
        }
    )
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        props["VpcConfig"] = {
            "SubnetIds": list(vpc.get("SubnetIds") or []),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        }
    if variables:
        props["Environment"] = {"Variables": {key: dict(REDACTED) for key in variables}}
    if function.get("Layers"):
        props["Layers"] = [layer["Arn"] for layer in function["Layers"]]
    return props


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        return [statements]
    return [s for s in statements or [] if isinstance(s, dict)]


def permission_properties(function_name: str, statement: dict[str, Any]) -> dict[str, Any]:
    """One resource policy statement as ``AWS::Lambda::Permission`` properties."""
    action = statement.get("Action")
    props: dict[str, Any] = {
        "FunctionName": function_name,
        "Action": action[0] if isinstance(action, list) and len(action) == 1 else action,
        "Principal": _principal(statement.get("Principal")),
    }
    for operator in (statement.get("Condition") or {}).values():
        for key, value in (operator or {}).items():
            target = PERMISSION_CONDITIONS.get(key.lower())
            if target:
                props[target] = value
    return props


def _principal(principal: Any) -> Any:
    """``{"Service": "s3.amazonaws.com"}`` → ``s3.amazonaws.com``; an account root → its id."""
    if isinstance(principal, dict) and len(principal) == 1:
        value = next(iter(principal.values()))
        if isinstance(value, str) and value.startswith("arn:") and value.endswith(":root"):
            return value.split(":")[4]
        return value
    return principal


def collect_layers(ctx: CollectContext) -> None:
    for layer in ctx.pages("ListLayers", "Layers", lists=LAYER_TYPES).items():
        name = layer["LayerName"]
        versions = ctx.pages("ListLayerVersions", "LayerVersions", LayerName=name,
                             lists=LAYER_TYPES)  # fmt: skip
        for version in versions.items():
            _collect_layer_version(ctx, name, version)


def _collect_layer_version(ctx: CollectContext, name: str, version: dict[str, Any]) -> None:
    version_arn = version["LayerVersionArn"]
    policy = ctx.call("GetLayerVersionPolicy", LayerName=name, VersionNumber=version["Version"],
                      absent=("ResourceNotFoundException",), lists=LAYER_TYPES)  # fmt: skip
    document = policy_document((policy.data or {}).get("Policy")) if policy.data else {}
    for index, statement in enumerate(_statements(document)):
        sid = str(statement.get("Sid") or index)
        ctx.add(LAYER_PERMISSION, f"{version_arn}#permission/{sid}", sid,
                layer_permission_properties(version_arn, statement))  # fmt: skip


def layer_permission_properties(version_arn: str, statement: dict[str, Any]) -> dict[str, Any]:
    """One layer version policy statement as ``AWS::Lambda::LayerVersionPermission``
    properties: the organization it is limited to comes from its ``aws:PrincipalOrgID``
    condition, the only one ``AddLayerVersionPermission`` writes."""
    action = statement.get("Action")
    props: dict[str, Any] = {
        "LayerVersionArn": version_arn,
        "Action": action[0] if isinstance(action, list) and len(action) == 1 else action,
        "Principal": _principal(statement.get("Principal")),
    }
    for operator in (statement.get("Condition") or {}).values():
        for key, value in (operator or {}).items():
            if key.lower() == "aws:principalorgid":
                props["OrganizationId"] = value
    return props


COLLECTORS = (
    Collector("lambda.functions", "lambda", REGIONAL, collect, TYPES),
    Collector("lambda.layers", "lambda", REGIONAL, collect_layers, LAYER_TYPES),
)
