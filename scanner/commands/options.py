"""Parsing of option values shared by several commands (``K=V`` pairs, parameter files)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click
import yaml

from scanner.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

_POLICY_SELECTION = [
    click.option(
        "--policies",
        "policy_dirs",
        multiple=True,
        type=click.Path(exists=True),
        help="Policy file or directory (repeatable). Default: the built-in policies.",
    ),
    click.option("--policy", "only", multiple=True, metavar="ID", help="Run only this policy id."),
    click.option("--skip", multiple=True, metavar="ID", help="Do not run this policy id."),
]


def policy_selection_options(command: F) -> F:
    """``--policies``, ``--policy`` and ``--skip``, as scan and audit take them."""
    for option in reversed(_POLICY_SELECTION):
        command = option(command)
    return command


def parse_policy_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``name=JSON`` pairs; a value that is not JSON is taken as a plain string."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, value = _split_pair(pair, "--param")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params


def parse_template_parameters(pairs: Iterable[str], files: Iterable[str]) -> dict[str, Any]:
    """CloudFormation parameter values from ``--parameters-file`` then ``--parameter K=V``.

    A file may be the AWS CLI list (``[{"ParameterKey": k, "ParameterValue": v}]``), a
    CodePipeline template configuration (``{"Parameters": {k: v}}``) or a plain map,
    in JSON or YAML. Later values win.
    """
    values: dict[str, Any] = {}
    for path in files:
        values.update(_read_parameters_file(path))
    for pair in pairs:
        name, value = _split_pair(pair, "--parameter")
        values[name] = value
    return values


def _split_pair(pair: str, option: str) -> tuple[str, str]:
    name, sep, value = pair.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"{option} expects NAME=VALUE, got {pair!r}", code="USAGE")
    return name.strip(), value


def _read_parameters_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read parameters file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"parameters file {path} is not valid JSON or YAML: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        data = data["Parameters"]
    if isinstance(data, list) and all(
        isinstance(item, dict) and "ParameterKey" in item for item in data
    ):
        return {str(item["ParameterKey"]): item.get("ParameterValue") for item in data}
    if isinstance(data, dict):
        return {str(key): value for key, value in data.items()}
    raise UsageError(
        f"parameters file {path} must be a map of name to value or a list of "
        "{ParameterKey, ParameterValue}"
    )
