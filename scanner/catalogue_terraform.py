"""Which property paths a policy reads that Terraform does not give.

A policy runs on Terraform when the mapping gives what it reads: every property path of
its ``when``, assertions and messages (through ``let`` bindings, quantifier variables,
``def`` bodies and ``related()``, as ``scanner.lang.resource_schema`` follows them) is a
property some Terraform type judged as one of the path's resource types maps
(``scanner.loaders.terraform.arguments.covers``). A path read on a type that no
Terraform type is judged as (a standalone rule Terraform folds into its security group,
a SAM type) is not held against the policy: such resources never come from Terraform.
A path is read on the targets whose CloudFormation schema has it (a policy over security
groups and standalone rules reads ``CidrIp`` on the rules only). ``NOT_WRITTEN`` lists
the properties Terraform writes as resources of another type, which the same policy
judges there; reading them is not a gap either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from scanner.lang import ast
from scanner.lang.resource_schema import Place, PropertyChecker
from scanner.model import Location, PolicyInfo

_INDEXES = re.compile(r"\[[^\]]*\]")
NOT_WRITTEN = {
    ("AWS::ApiGateway::Deployment", "StageDescription"): "Terraform writes the stage a "
    "deployment makes as an aws_api_gateway_stage, which the same policies judge",
    ("AWS::IAM::User", "Policies"): "Terraform writes a user's inline policies as "
    "aws_iam_user_policy (AWS::IAM::UserPolicy)",
    ("AWS::IAM::ManagedPolicy", "Users"): "Terraform attaches a managed policy with "
    "aws_iam_user_policy_attachment, folded into the user's ManagedPolicyArns",
}


class _Reads(PropertyChecker):
    """The property checker, keeping every path it walks instead of reporting."""

    def __init__(self, defs: dict[str, ast.Def]) -> None:
        super().__init__(lambda code, message, loc: None, lambda name: False, defs)
        self.reads: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()

    def _key(self, place: Place, key: str, loc: Location) -> Place:
        found = super()._key(place, key, loc)
        if place.types and found.trail.startswith("Properties."):
            keys = _INDEXES.sub("", found.trail).split(".")[1:]
            if "*" in keys:  # keys below a map wildcard are any key of a free-form map
                keys = keys[: keys.index("*")]
            self.reads.add((place.types, tuple(keys)))
        return found

    def _fix(self, fix: ast.Fix, env: Mapping[str, Place], subject: Place) -> None:
        return  # a fix writes; what it writes is not read


def unmapped_reads(policy: PolicyInfo) -> list[str]:
    """The property paths ``policy`` reads that no Terraform type gives, as
    ``TYPE Properties.A.B`` (sorted); [] when it reads only mapped ones."""
    from scanner.loaders.terraform.arguments import covers

    source = policy.source
    if source is None:
        return []
    missing = []
    for types, keys in _policy_reads(source.file).get(policy.name, ()):
        owners = [t for t in types if _has(t, keys)] or list(types)
        found = [None if (t, keys[0]) in NOT_WRITTEN else covers(t, keys) for t in owners]
        if any(found) or all(f is None for f in found):
            continue
        missing.append(f"{'|'.join(types)} Properties.{'.'.join(keys)}")
    return sorted(set(missing))


def _has(resource_type: str, keys: tuple[str, ...]) -> bool:
    """Whether the CloudFormation schema of ``resource_type`` has the path ``keys``."""
    from scanner.lang.resource_schema import properties

    tree = properties(resource_type)
    for key in keys:
        if not isinstance(tree, dict):
            return True  # not checked below here
        if key not in tree:
            return False
        tree = tree[key]
    return True


@lru_cache(maxsize=512)
def _policy_reads(path: str) -> dict[str, frozenset[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """The paths each policy of the file at ``path`` reads, by policy name."""
    from scanner.lang.ast_cache import cached_parse
    from scanner.lang.modules import ModuleLibrary
    from scanner.lang.sources import builtin_policy_dir

    try:
        text = Path(path).read_text(encoding="utf-8")
        pf = cached_parse(path, text)
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    except Exception:  # a PolicyError: such a file does not compile, nothing to list
        return {}
    imports, errors = ModuleLibrary(builtin_policy_dir()).resolve(pf)
    defs = {} if errors else {d.name: d for d in imports.defs}
    if not errors:
        defs.update((n, defs[r]) for n, r in imports.names.items() if r in defs)
    defs.update((d.name, d) for d in pf.defs)
    out = {}
    for policy in pf.policies:
        reads = _Reads(defs)
        reads.check_policy(policy)
        out[policy.name] = frozenset(reads.reads)
    return out
