"""``Fn::Sub`` and ``Fn::Join``: strings, or partial strings.

A string made of known parts is that string. When a part refers to a resource or is not
known, the result is a ``Partial``: its known text, ``Reference`` parts and ``Unknown``
parts in order (``arn:aws:s3:::`` + ``!Ref Bucket`` + ``/*``), so relations between
resources can be found through it and the engine can still tell it is not ``"*"`` or
that it starts with ``arn:``. An unknown part keeps the name the template gives it
(``${AWS::Region}``, a parameter): two partial strings with the same text and names are
the same value within a stack. A value with no known text and no reference at all is an
``Unknown``. Messages show a partial string as the ``Fn::Sub`` template it amounts to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from scanner.loaders.budget import Budget
from scanner.loaders.cfn_values import sub_template
from scanner.loaders.intrinsics import (
    NO_VALUE,
    PSEUDO_PARAMETERS,
    Handler,
    Resolver,
    Template,
    scalar_text,
)
from scanner.model import UNKNOWN, Partial, Path, Reference, Unknown

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
UNNAMED = "?"  # how a template spells an unknown part that has no name


class _Pieces:
    """A string under construction: its known text, reference and unknown parts.

    Pieces are references to strings that exist already; the one that would make the
    string (or the template that shows it) longer than the budget allows raises
    ``OverBudget`` before anything is joined.
    """

    def __init__(self, budget: Budget, src: Path, function: str) -> None:
        self.parts: list[str | Reference | Unknown] = []
        self.references = False  # a reference is among the parts
        self.unknown = False  # some part is not known
        self.budget = budget
        self.src = src
        self.function = function
        self.size = 0  # of the template that shows it, plus the escapes it may add

    def _grow(self, size: int) -> None:
        self.size += size
        if self.size > self.budget.max_string:
            self.budget.build(self.size, self.src, self.function)  # raises

    def literal(self, text: str, escape: bool = True) -> None:
        self._grow(len(text) * 2 if escape and "${" in text else len(text))
        if self.parts and type(self.parts[-1]) is str:
            self.parts[-1] += text
        elif text:
            self.parts.append(text)

    def value(self, value: Any, name: str | None) -> None:
        if isinstance(value, (str, int, float)):
            self.literal(scalar_text(value))
            return
        if type(value) is Reference:
            self._part(value)
            self.references = True
            return
        if type(value) is Partial:
            # copying a partial string is work in its number of parts, which the steps
            # of the containers walked do not count: a chain of Fn::Sub over a partial
            # string grows by a few parts a level, so its cost is quadratic in the depth
            self.budget.spend(len(value.parts), self.src)
            for part in value.parts:
                if isinstance(part, str):
                    self.literal(part)
                else:
                    self._part(part)
            self.references = self.references or bool(value.references())
            self.unknown = self.unknown or any(type(p) is Unknown for p in value.parts)
            return
        self.unknown = True
        cause = value.cause if type(value) is Unknown else ""
        external = value.external if type(value) is Unknown else False
        self._part(Unknown(cause, external=external, name=name))

    def _part(self, part: Reference | Unknown) -> None:
        self._grow(len(_placeholder(part)))
        self.parts.append(part)

    def result(self) -> Any:
        self.budget.build(self.size, self.src, self.function)
        parts = self.parts
        if not self.references and not self.unknown:
            return "".join(part for part in parts if type(part) is str)
        if self.references or any(type(part) is str and part for part in parts):
            text = "!Sub " + json.dumps(sub_template(parts), ensure_ascii=False)
            return Partial(tuple(parts), text)
        return UNKNOWN


def _placeholder(part: Reference | Unknown) -> str:
    return sub_template((part,))


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
            pieces.literal("${" + name[1:] + "}")
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
        return Reference(name, None, f"!Ref {name}")
    head, dot, attribute = name.partition(".")
    if dot and head in template.resources:
        return Reference(head, attribute, f"!GetAtt {head}.{attribute}")
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
