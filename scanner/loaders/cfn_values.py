"""CloudFormation values outside a template: long-form intrinsics as typed values, and the
name a resource declares for itself.

Policy examples are data written in CloudFormation's shape (``{Ref: "Subject"}``,
``{"Fn::Sub": "${App}-data"}``), not templates: nothing in them is resolved. ``typed``
turns each intrinsic into what the template loader would leave in its place when the
name it reads is a resource: ``Ref`` and ``Fn::GetAtt`` a ``Reference``, ``Fn::Sub`` a
``Partial`` (pseudo parameters are unknown parts named after themselves), ``Fn::Join`` a
string or a ``Partial``, any other function an ``Unknown``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from scanner.model import UNKNOWN, Partial, Reference, Unknown, is_opaque, name_key

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
MAX_DEPTH = 64  # examples are small; a deeper value is left as it is written

# The property in which a resource of each type declares its own name.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SecretsManager::Secret": "Name",
}


def declared_names(kind: str, body: Any) -> tuple[tuple[Any, ...], bool]:
    """The name keys (``name_key``) a resource declares for itself, and whether a value
    fixed outside the template could name it: it declares a name (its type's name
    property, or for a type not in ``NAME_PROPERTIES`` any property ending in ``Name``),
    or its properties are not known."""
    properties = body.get("Properties") if type(body) is dict else None
    if is_opaque(properties):
        return (), True
    if type(properties) is not dict:
        return (), False
    prop = NAME_PROPERTIES.get(kind)
    if prop is None:
        return (), any(type(key) is str and key.endswith("Name") for key in properties)
    key = name_key(properties.get(prop))
    return ((key,) if key is not None else ()), prop in properties


def typed(value: Any, depth: int = 0) -> Any:
    """``value`` with every long-form intrinsic function in it as a typed value."""
    if depth > MAX_DEPTH:
        return value
    if type(value) is list:
        return [typed(item, depth + 1) for item in value]
    if type(value) is not dict:
        return value
    if len(value) == 1:
        ((name, arg),) = value.items()
        if name == "Ref" and type(arg) is str:
            return Reference(arg, None, f"!Ref {arg}")
        if name == "Fn::GetAtt":
            return _get_att(arg)
        if name == "Fn::Sub" and type(arg) is str:
            return _sub(arg)
        if name == "Fn::Join":
            return _join(arg, depth)
        if type(name) is str and name.startswith("Fn::"):
            return Unknown(f"{name} is not evaluated in an example")
    return {key: typed(item, depth + 1) for key, item in value.items()}


def _get_att(arg: Any) -> Any:
    parts = arg.split(".", 1) if type(arg) is str else arg
    if type(parts) is not list or len(parts) != 2 or not all(type(p) is str for p in parts):
        return UNKNOWN
    return Reference(parts[0], parts[1], f"!GetAtt {parts[0]}.{parts[1]}")


def _join(arg: Any, depth: int) -> Any:
    if type(arg) is not list or len(arg) != 2 or type(arg[0]) is not str:
        return UNKNOWN
    if type(arg[1]) is not list:
        return UNKNOWN
    parts: list[str | Reference | Unknown] = []
    for index, item in enumerate(typed(arg[1], depth + 1)):
        if index:
            _text(parts, arg[0])
        if isinstance(item, (str, int, float)) and type(item) is not bool:
            _text(parts, str(item))
        elif type(item) is Partial:
            for part in item.parts:
                if isinstance(part, str):
                    _text(parts, part)
                else:
                    parts.append(part)
        elif type(item) is Reference or type(item) is Unknown:
            parts.append(item)
        else:
            parts.append(Unknown())
    if all(type(part) is str for part in parts):
        return "".join(str(part) for part in parts)
    return Partial(tuple(parts), "!Join " + json.dumps(arg, default=str, ensure_ascii=False))


def _text(parts: list[str | Reference | Unknown], piece: str) -> None:
    if parts and isinstance(parts[-1], str):
        parts[-1] += piece
    elif piece:
        parts.append(piece)


def _sub(template: str) -> Any:
    parts: list[str | Reference | Unknown] = []
    pos = 0

    def text(piece: str) -> None:
        _text(parts, piece)

    for match in _SUB_VARIABLE.finditer(template):
        text(template[pos : match.start()])
        pos = match.end()
        name = match.group(1)
        if name.startswith("!"):
            text("${" + name[1:] + "}")
        elif name.startswith("AWS::"):
            parts.append(Unknown(f"pseudo parameter {name} is not known", external=True, name=name))
        elif name == "?":  # how a partial string shows an unknown part without a name
            parts.append(Unknown())
        else:
            head, _, attribute = name.partition(".")
            shown = f"!GetAtt {name}" if attribute else f"!Ref {name}"
            parts.append(Reference(head, attribute or None, shown))
    text(template[pos:])
    if all(type(part) is str for part in parts):
        return "".join(str(part) for part in parts)
    return Partial(tuple(parts), "!Sub " + json.dumps(template, ensure_ascii=False))


def long_form(value: Any) -> Any:
    """``value`` with typed values written back as the long-form intrinsics a template
    would use: a ``Reference`` as ``Ref``/``Fn::GetAtt``, a ``Partial`` as the ``Fn::Sub``
    template it amounts to (an unknown part without a name is ``${?}``). The inverse of
    ``typed`` (and of resolution, for what it leaves unresolved)."""
    if type(value) is Reference:
        if value.attribute is None:
            return {"Ref": value.target}
        return {"Fn::GetAtt": [value.target, value.attribute]}
    if type(value) is Partial:
        return {"Fn::Sub": sub_template(value.parts)}
    if type(value) is list:
        return [long_form(item) for item in value]
    if type(value) is dict:
        return {key: long_form(item) for key, item in value.items()}
    return value


def sub_template(parts: Iterable[str | Reference | Unknown]) -> str:
    """The ``Fn::Sub`` template of a partial string's parts (``arn:aws:s3:::${Bucket}/*``)."""
    return "".join(
        part.replace("${", "${!") if isinstance(part, str) else "${" + _part_name(part) + "}"
        for part in parts
    )


def _part_name(part: Reference | Unknown) -> str:
    if isinstance(part, Reference):
        return part.target if part.attribute is None else f"{part.target}.{part.attribute}"
    return part.name or "?"
