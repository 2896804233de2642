"""Parsing of option values shared by several commands (``K=V`` pairs, parameter files)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click
import yaml

from scanner.config import Config, ConfigError, find_config, load_config
from scanner.errors import UsageError, render
from scanner.escape import printable

F = TypeVar("F", bound=Callable[..., Any])

MAX_PARAM_DEPTH = 32  # a policy param is a number, a string or a short list or map

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


def template_input_options(verb: str) -> Callable[[F], F]:
    """``--include``/``--exclude`` (the files to ``verb``) and the template and policy
    parameters, as scan and fix take them."""
    options = [
        click.option(
            "--include",
            "include_globs",
            multiple=True,
            metavar="GLOB",
            help=f"Only {verb} matching files.",
        ),
        click.option(
            "--exclude",
            "exclude_globs",
            multiple=True,
            metavar="GLOB",
            help=f"Do not {verb} matching files.",
        ),
        click.option(
            "--parameter",
            "template_params",
            multiple=True,
            metavar="KEY=VALUE",
            help="CloudFormation parameter value (repeatable); overrides defaults.",
        ),
        click.option(
            "--parameters-file",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="CloudFormation parameters: AWS CLI JSON list, {Parameters: {...}} "
            "or a plain map.",
        ),
        click.option(
            "--param",
            "policy_params",
            multiple=True,
            metavar="NAME=JSON",
            help="Override a policy param (value parsed as JSON, else taken as a string).",
        ),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def config_file_options(command: F) -> F:
    """``--config`` and ``--no-config``."""
    command = click.option("--no-config", is_flag=True, help="Ignore any .pacscan.yaml.")(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False),
        help="Config file.  [default: the nearest .pacscan.yaml upward]",
    )(command)


def load_command_config(path: str | None, ignore: bool) -> Config:
    """The config file named on the command line, else the nearest one upward (which
    belongs to the scanned repository, so its paths are confined to it); every problem
    is shown and the command stops with exit 2."""
    if ignore:
        return Config()
    confined = path is None
    path = path or find_config(os.getcwd())
    if path is None:
        return Config()
    try:
        return load_config(path, confined=confined)
    except ConfigError as exc:
        for diag in exc.diagnostics:
            click.echo(render(diag), err=True)
        raise SystemExit(2) from exc


def parse_policy_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``name=JSON`` pairs; a value that is not JSON is taken as a plain string."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, value = _split_pair(pair, "--param")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
        except RecursionError:  # nested past what the JSON decoder takes
            raise _nested_too_deep(name) from None
        if _too_deep(params[name]):
            raise _nested_too_deep(name)
    return params


def _nested_too_deep(name: str) -> UsageError:
    return UsageError(
        f"--param {printable(name)}: the value nests lists or maps more than "
        f"{MAX_PARAM_DEPTH} levels deep"
    )


def _too_deep(value: Any) -> bool:
    """Whether lists and maps in ``value`` nest more than ``MAX_PARAM_DEPTH`` levels."""
    level: list[Any] = [value]
    for _ in range(MAX_PARAM_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, (list, dict))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


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
    shown = printable(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read parameters file {shown}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"parameters file {shown} is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start})"
        ) from None
    except RecursionError:
        raise UsageError(f"parameters file {shown} nests too deeply") from None
    except yaml.YAMLError as exc:
        raise UsageError(
            f"parameters file {shown} is not valid JSON or YAML: {printable(str(exc))}"
        ) from exc
    values = _parameter_map(data, shown)
    for name, value in values.items():
        if not _parameter_value(value):
            raise UsageError(
                f"parameters file {shown}: {printable(name)}: a value must be a string, "
                "number, boolean or a list of them"
            )
    return values


def _parameter_map(data: Any, shown: str) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        data = data["Parameters"]
    if isinstance(data, list) and all(
        isinstance(item, dict) and "ParameterKey" in item for item in data
    ):
        return {str(item["ParameterKey"]): item.get("ParameterValue") for item in data}
    if isinstance(data, dict):
        return {str(key): value for key, value in data.items()}
    raise UsageError(
        f"parameters file {shown} must be a map of name to value or a list of "
        "{ParameterKey, ParameterValue}"
    )


def _parameter_value(value: Any) -> bool:
    """A CloudFormation parameter value: a scalar, or a list of them (``List<...>``)."""
    if isinstance(value, list):
        return not any(isinstance(item, (list, dict)) for item in value)
    return not isinstance(value, dict)
