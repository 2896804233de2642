"""``Fn::Sub`` and ``Fn::Join``: strings, or ``Fn::Sub`` references to resources.

A string made of known parts is that string. When a part refers to a resource, the
result stays a reference, written as an ``Fn::Sub`` template with every known part
substituted (``{"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}``), so relations between
resources can be found through it; ``Fn::Join`` is rewritten the same way. Unknown parts
the template can name (``${AWS::Region}``, a parameter) stay as placeholders next to a
reference. A string with known text around unknown parts (``arn:aws:iam::${AWS::AccountId}:root``)
is kept the same way, as a *partial string*: the engine can still tell it is not ``"*"``
or that it starts with ``arn:``. An unknown part the template cannot name is written
``${?}``; a value with no known text at all is ``UNKNOWN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scanner.loaders.budget import Budget
from scanner.loaders.intrinsics import (
    NO_VALUE,
    PSEUDO_PARAMETERS,
    Handler,
    Resolver,
    Template,
    is_reference,
    scalar_text,
)
from scanner.model import UNKNOWN, Path

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
UNNAMED = "?"  # the placeholder of an unknown part that has no name (no logical id can be "?")


class _Pieces:
    """A string under construction, spelled two ways: plain, and as an Fn::Sub template.

    Pieces are references to strings that exist already; the one that would make either
    spelling longer than the budget allows raises ``OverBudget`` before anything is joined.
    """

    def __init__(self, budget: Budget, src: Path, function: str) -> None:
        self.plain: list[str] = []
        self.template: list[str] = []
        self.references = False  # a ${Resource} placeholder is in the template
        self.unknown = False  # some piece is not known
        self.budget = budget
        self.src = src
        self.function = function
        self.size = 0  # of the longer spelling, plus the escapes the template may add

    def _grow(self, size: int) -> None:
        self.size += size
        if self.size > self.budget.max_string:
            self.budget.build(self.size, self.src, self.function)  # raises

    def literal(self, text: str, escape: bool) -> None:
        self._grow(len(text) * 2 if escape and "${" in text else len(text))
        self.plain.append(text)
        self.template.append(text.replace("${", "${!") if escape else text)

    def escaped(self, name: str) -> None:  # ${!Name} in a Sub template
        self._grow(len(name) + 4)
        self.plain.append("${" + name + "}")
        self.template.append("${!" + name + "}")

    def value(self, value: Any, name: str | None) -> None:
        if isinstance(value, (str, int, float)):
            self.literal(scalar_text(value), escape=True)
            return
        placeholder = _placeholder(value)
        if placeholder is not None:
            self._grow(len(placeholder))
            self.references = True
            self.template.append(placeholder)
            return
        self.unknown = True
        self.template.append("${" + (name or UNNAMED) + "}")
        self._grow(len(self.template[-1]))

    def result(self) -> Any:
        self.budget.build(self.size, self.src, self.function)
        if not self.references and not self.unknown:
            return "".join(self.plain)
        if self.references or any(self.plain):
            return {"Fn::Sub": "".join(self.template)}
        return UNKNOWN


def _placeholder(value: Any) -> str | None:
    """How a resource reference is written inside an Fn::Sub template."""
    if not is_reference(value):
        return None
    ((name, arg),) = value.items()
    if name == "Ref" and type(arg) is str:
        return "${" + arg + "}"
    if name == "Fn::GetAtt" and all(type(part) is str for part in arg):
        return "${" + ".".join(arg) + "}"
    if name == "Fn::Sub" and type(arg) is str:
        return str(arg)
    return None


def _sub(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is str:
        text, variables = arg, {}
    elif type(arg) is list and len(arg) == 2 and type(arg[0]) is str and type(arg[1]) is dict:
        text = arg[0]
        variables = {k: r.value(v, src + (1, k), None) for k, v in arg[1].items()}
    else:
        return UNKNOWN
    if r.bindings:  # Fn::ForEach identifiers, unless the Sub names its own variable
        variables = {**r.bindings, **variables}
    pieces = _Pieces(r.budget, src, "Fn::Sub")
    pos = 0
    for match in _SUB_VARIABLE.finditer(text):
        pieces.literal(text[pos : match.start()], escape=False)
        pos = match.end()
        name = match.group(1)
        if name.startswith("!"):
            pieces.escaped(name[1:])
        else:
            name = name.strip()
            pieces.value(_sub_variable(r.template, name, variables), name)
    pieces.literal(text[pos:], escape=False)
    return pieces.result()


def _sub_variable(template: Template, name: str, variables: Mapping[str, Any]) -> Any:
    if name in variables:
        return variables[name]
    if name in template.parameters:
        return template.parameters[name]
    if name in PSEUDO_PARAMETERS:
        return template.pseudo.get(name, UNKNOWN)
    if name in template.resources:
        return {"Ref": name}
    head, dot, attribute = name.partition(".")
    if dot and head in template.resources:
        return {"Fn::GetAtt": [head, attribute]}
    return UNKNOWN


def _join(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) != 2:
        return UNKNOWN
    delimiter = r.value(arg[0], src + (0,), None)
    if type(delimiter) is not str:
        return UNKNOWN
    items: list[tuple[Any, str | None]]
    if type(arg[1]) is list:
        resolved = [(r.value(v, src + (1, i), None), _ref_name(v)) for i, v in enumerate(arg[1])]
        items = [(value, name) for value, name in resolved if value is not NO_VALUE]
    else:
        values = r.value(arg[1], src + (1,), None)
        if type(values) is not list:
            return UNKNOWN
        items = [(value, None) for value in values]
    pieces = _Pieces(r.budget, src, "Fn::Join")
    for index, (value, name) in enumerate(items):
        if index:
            pieces.literal(delimiter, escape=True)
        pieces.value(value, name)
    return pieces.result()


def _ref_name(item: Any) -> str | None:
    """The parameter a join item refers to (named in an Fn::Sub template if unknown)."""
    if type(item) is dict and len(item) == 1 and type(item.get("Ref")) is str:
        return str(item["Ref"])
    return None


STRING_FUNCTIONS: dict[str, Handler] = {"Fn::Sub": _sub, "Fn::Join": _join}
