"""IAM policy documents: iam_statements, iam_allows, iam_is_admin, iam_action_matches,
iam_principal_is_public (who may use a statement: iam_public.py); kms_is_aws_managed,
whether a key identifier names a service's AWS managed key; and iam_is_aws_managed_policy,
whether an ARN names an AWS managed IAM policy.

Documents may be maps or JSON strings. Statements are normalised so that ``Action``,
``NotAction``, ``Resource``, ``NotResource``, ``Principal`` and ``NotPrincipal`` are always
lists (a principal map becomes the list of its values). Opaque values (references,
UNKNOWN) make a result unknown rather than true or false.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from scanner.lang.builtins.iam_public import everyone
from scanner.lang.builtins.json_fns import parse_json
from scanner.lang.builtins.spec import Builtin
from scanner.model import UNKNOWN, Partial, Unknown
from scanner.values import MISSING, EvaluationError, is_opaque

_LISTED = ("Action", "NotAction", "Resource", "NotResource")


def _as_list(value: Any) -> Any:
    if value is MISSING or value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principals(value: Any) -> Any:
    if isinstance(value, dict) and not is_opaque(value):
        out: list[Any] = []
        for item in value.values():
            out.extend(_as_list(item))
        return out
    return _as_list(value)


def statements(doc: Any) -> Any:
    """The normalised statements of a policy document (UNKNOWN if it cannot be read)."""
    parsed = parse_json(doc)
    if parsed is MISSING:
        return []
    if type(parsed) is Unknown:
        return UNKNOWN
    if not isinstance(parsed, dict):
        raise EvaluationError("iam_statements() needs a policy document map")
    raw = parsed.get("Statement", [])
    if is_opaque(raw):
        return UNKNOWN
    out = []
    for stmt in _as_list(raw):
        if is_opaque(stmt):
            return UNKNOWN
        if not isinstance(stmt, dict):
            raise EvaluationError("iam_statements(): a statement is not a map")
        out.append(_normalise(stmt))
    return out


def _normalise(stmt: dict[str, Any]) -> dict[str, Any]:
    norm = dict(stmt)
    for key in _LISTED:
        if key in norm:
            norm[key] = _as_list(norm[key])
    for key in ("Principal", "NotPrincipal"):
        if key in norm:
            norm[key] = _principals(norm[key])
    return norm


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """A test of a lower-cased action against one IAM action pattern.

    IAM's only wildcards are ``*`` (any run of characters) and ``?`` (one character);
    anything else, ``[`` included, is literal. Most patterns are a literal action or end
    in their only ``*`` (``s3:Get*``): those are compared directly, without a regex.
    """
    text = pattern.lower()
    if "?" not in text:
        star = text.find("*")
        if star < 0:
            return text.__eq__
        if star == len(text) - 1:
            return partial(_starts, text[:-1])
    pieces = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    regex = re.compile("".join(pieces) + r"\Z", re.DOTALL)
    return lambda action: regex.match(action) is not None


def _starts(prefix: str, action: str) -> bool:
    return action.startswith(prefix)


def action_matches(pattern: Any, action: Any) -> Any:
    """Whether an IAM action pattern (``s3:Get*``; or any of a list) covers ``action``."""
    if pattern is MISSING or action is MISSING:
        return False
    if is_opaque(action):
        return UNKNOWN
    if not isinstance(action, str):
        raise EvaluationError("iam_action_matches() needs an action string")
    lowered = action.lower()
    if isinstance(pattern, str):  # the common single pattern
        return _matcher(pattern)(lowered)
    result: Any = False
    for item in _as_list(pattern):
        if isinstance(item, str):
            if _matcher(item)(lowered):
                return True
        elif is_opaque(item):
            result = UNKNOWN
    return result


def _any_statement(doc: Any, test: Any) -> Any:
    stmts = statements(doc)
    if type(stmts) is Unknown:
        return UNKNOWN
    result: Any = False
    for stmt in stmts:
        effect = stmt.get("Effect")
        if is_opaque(effect):
            result = UNKNOWN
            continue
        if effect != "Allow":
            continue
        verdict = test(stmt)
        if verdict is True:
            return True
        if type(verdict) is Unknown:
            result = UNKNOWN
    return result


def allows(doc: Any, action: Any) -> Any:
    """Some Allow statement's Action covers ``action``."""
    if action is MISSING:
        return False
    return _any_statement(doc, lambda s: action_matches(s.get("Action", []), action))


def _star(values: list[Any]) -> Any:
    result: Any = False
    for value in values:
        if is_opaque(value):
            result = UNKNOWN
        elif value in ("*", "*:*"):
            return True
    return result


def is_admin(doc: Any) -> Any:
    """Some Allow statement grants every action on every resource."""

    def admin(stmt: dict[str, Any]) -> Any:
        actions = _star(stmt.get("Action", []))
        resources = _star(stmt.get("Resource", []))
        if actions is False or resources is False:
            return False
        return True if actions is True and resources is True else UNKNOWN

    return _any_statement(doc, admin)


def principal_is_public(stmt: Any) -> Any:
    """The statement's Principal is everyone (``*`` or ``{"AWS": "*"}``).

    A reference (``!GetAtt Role.Arn``) names one resource, so it is not everyone.
    """
    if stmt is MISSING:
        return False
    if is_opaque(stmt):
        return UNKNOWN
    if not isinstance(stmt, dict):
        raise EvaluationError("iam_principal_is_public() needs a statement map")
    return everyone(stmt.get("Principal", MISSING))


def aws_managed_key(key: Any, service: Any) -> Any:
    """``key`` names the AWS managed key of ``service``: ``alias/aws/SERVICE`` or an alias
    ARN ending in ``:alias/aws/SERVICE``, literal or as a partial string whose known text
    says so. A reference to a resource is a key or alias the template creates, and no
    template can create an alias under ``alias/aws/``.
    """
    if key is MISSING:
        return False
    if type(key) is Unknown or not isinstance(service, str):
        return UNKNOWN
    alias = f"alias/aws/{service}"
    if type(key) is Partial:
        ends = key.ends_with(":" + alias)
        if ends is True:
            return True
        if ends is False and not key.could_equal(alias):
            return False
        return UNKNOWN
    if is_opaque(key):
        return False
    if not isinstance(key, str):
        raise EvaluationError("kms_is_aws_managed() needs a key id, ARN or alias string")
    return key == alias or key.endswith(":" + alias)


def aws_managed_policy(arn: Any, name: Any) -> Any:
    """``arn`` names the AWS managed policy ``name``: it ends in ``:iam::aws:policy/NAME``,
    literal or as a partial string whose known text says so
    (``!Sub "arn:${AWS::Partition}:iam::aws:policy/NAME"``). A reference to a resource is
    a customer managed policy the template creates, never an AWS managed one.
    """
    if arn is MISSING:
        return False
    if type(arn) is Unknown or not isinstance(name, str):
        return UNKNOWN
    suffix = f":iam::aws:policy/{name}"
    if type(arn) is Partial:
        ends = arn.ends_with(suffix)
        return ends if type(ends) is bool else UNKNOWN
    if is_opaque(arn):
        return False
    if not isinstance(arn, str):
        raise EvaluationError("iam_is_aws_managed_policy() needs a policy ARN string")
    return arn.startswith("arn:") and arn.endswith(suffix)


FUNCTIONS = (
    Builtin(
        "iam_statements",
        statements,
        ("any",),
        "list",
        "the statements of a policy document, normalised",
        raw=True,
        remembered=True,
    ),
    Builtin(
        "iam_allows",
        allows,
        ("any", "string"),
        "bool",
        "some Allow statement's Action covers the action",
        raw=True,
    ),
    Builtin(
        "iam_is_admin",
        is_admin,
        ("any",),
        "bool",
        "some Allow statement grants `*` on `*`",
        raw=True,
    ),
    Builtin(
        "iam_action_matches",
        action_matches,
        ("any", "string"),
        "bool",
        "an action pattern (or list of patterns) covers the action",
        raw=True,
    ),
    Builtin(
        "iam_principal_is_public",
        principal_is_public,
        ("any",),
        "bool",
        "a statement's Principal is everyone",
        raw=True,
    ),
    Builtin(
        "kms_is_aws_managed",
        aws_managed_key,
        ("any", "string"),
        "bool",
        "a KMS key id, ARN or alias names the AWS managed key of a service",
        raw=True,
    ),
    Builtin(
        "iam_is_aws_managed_policy",
        aws_managed_policy,
        ("any", "string"),
        "bool",
        "an IAM policy ARN names the AWS managed policy of that name",
        raw=True,
    ),
)
