from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.commands.options import parse_policy_params, parse_template_parameters
from scanner.errors import UsageError


def test_param_values_are_json_else_strings() -> None:
    assert parse_policy_params(["n=90", "ports=[22, 3389]", "name=prod"]) == {
        "n": 90,
        "ports": [22, 3389],
        "name": "prod",
    }


def test_param_without_equals_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_policy_params(["oops"])


@pytest.mark.parametrize(
    "content",
    [
        [{"ParameterKey": "Env", "ParameterValue": "prod"}],
        {"Parameters": {"Env": "prod"}},
        {"Env": "prod"},
    ],
)
def test_parameters_file_shapes(tmp_path: Path, content: object) -> None:
    path = tmp_path / "params.json"
    path.write_text(json.dumps(content))
    assert parse_template_parameters([], [str(path)]) == {"Env": "prod"}


def test_command_line_parameter_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("Env: dev\nSize: 3\n")
    assert parse_template_parameters(["Env=prod"], [str(path)]) == {"Env": "prod", "Size": 3}


def test_parameters_file_of_wrong_shape_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "params.json"
    path.write_text("[1, 2]")
    with pytest.raises(UsageError, match="must be a map"):
        parse_template_parameters([], [str(path)])
