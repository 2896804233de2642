"""The values of a root module's variables, in Terraform's order of precedence:
``--var`` over ``--var-file`` over ``*.auto.tfvars`` over ``terraform.tfvars`` (the
defaults are the module's), and a value given as text converted to its declared type.
"""

from __future__ import annotations

import os
from typing import Any

from scanner.errors import Diagnostic
from scanner.loaders.budget import Budget, OverBudget
from scanner.loaders.terraform import functions
from scanner.loaders.terraform.expressions import EvalError, Evaluator, Scope
from scanner.loaders.terraform.files import (
    HCL_EVAL,
    ModuleOptions,
    located,
    parse_source,
    read_text,
)
from scanner.loaders.terraform.hcl import Block, JsonExpr, SourceFile, parse_expression


def root_variables(
    directory: str, options: ModuleOptions, errors: list[Diagnostic]
) -> dict[str, Any]:
    """Values of the root module's variables, in Terraform's order of precedence."""
    files = [os.path.join(directory, "terraform.tfvars")]
    try:
        auto = sorted(n for n in os.listdir(directory) if n.endswith(".auto.tfvars"))
    except OSError:
        auto = []
    files.extend(os.path.join(directory, n) for n in auto)
    values: dict[str, Any] = {}
    for path in files:
        if os.path.isfile(path):
            values.update(tfvars_file(path, options.max_bytes, errors))
    for path in options.var_files:
        values.update(tfvars_file(path, options.max_bytes, errors))
    for name, text in options.variables:
        values[name] = var_text(text)
    return values


def tfvars_file(path: str, max_bytes: int, errors: list[Diagnostic]) -> dict[str, Any]:
    """The values a ``.tfvars`` file sets (literal expressions only)."""
    text = read_text(path, max_bytes, errors)
    parsed = parse_source(path, text, errors) if text is not None else None
    if parsed is None:
        return {}
    evaluator = Evaluator(_Literals())
    out: dict[str, Any] = {}
    for name, attribute in parsed.body.attributes.items():
        try:
            out[name] = evaluator.value(attribute.expr, Scope(parsed.text))
        except (EvalError, OverBudget) as exc:
            errors.append(located(HCL_EVAL, str(exc), attribute.value, parsed.text))
    return out


def var_text(text: str) -> Any:
    """A ``--var`` value: an HCL list or map when written as one, otherwise a string."""
    if text.lstrip()[:1] in ("[", "{"):
        try:
            return Evaluator(_Literals()).value(parse_expression(text), Scope(text))
        except Exception:
            return text
    return text


class _Literals:
    """A context with no names: what a ``.tfvars`` file may use."""

    def __init__(self) -> None:
        self.budget = Budget()

    def named(self, root: str, steps: list[Any], text: str) -> Any:
        raise EvalError(f"`{text}`: a variables file holds literal values only")

    def call(self, name: str, args: list[Any], text: str) -> Any:
        return functions.call(name, args, self.budget, text)


def convert(value: Any, type_text: str) -> Any:
    """A string given on the command line, as the variable's declared primitive type."""
    if type(value) is not str:
        return value
    if type_text == "bool" and value in ("true", "false"):
        return value == "true"
    if type_text == "number":
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    return value


def type_text(declared: tuple[Block, SourceFile]) -> str:
    attribute = declared[0].body.attributes.get("type")
    if attribute is None or isinstance(attribute.expr, JsonExpr):
        return ""
    meta = attribute.expr.meta
    return declared[1].text[meta.start_pos : meta.end_pos].strip()
