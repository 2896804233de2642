"""Terraform: HCL modules (``.tf``, ``.tf.json``) and plan JSON (``terraform show -json``).

A module is a directory, not a file: every file of it is read to evaluate any one. The
first file of a directory asked for evaluates the whole module (with its local child
modules) once per process; each file's load then returns its own ``Document`` and the
resources whose blocks it holds (a module call's resources with the file that calls it).
All resources of one root module share the origin's ``scope``, so references between
files relate them. Plan JSON is recognised by its content (``scanner.loaders.terraform.plan``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.loaders import LoadOptions, LoadResult

FORMAT = "terraform"
SUFFIXES = (".tf", ".tf.json")
# ``terraform show -json`` starts with its format and Terraform's version
_PLAN_HEAD = re.compile(rb'^\s*\{\s*"format_version"\s*:\s*"[0-9.]+"\s*,\s*"terraform_version"')


def is_plan(head: bytes) -> bool:
    return _PLAN_HEAD.match(head) is not None


def claims(path: str, head: bytes) -> bool:
    """Cheap, and imports nothing more: every scan asks it about every file."""
    return path.lower().endswith(SUFFIXES) or is_plan(head)


def load(path: str, data: bytes, options: LoadOptions) -> LoadResult:
    """Parse and evaluate (the HCL parser and evaluator are imported on first use)."""
    from scanner.loaders.terraform.loading import load as load_terraform

    return load_terraform(path, data, options)
