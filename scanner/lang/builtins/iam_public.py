"""Who may use a resource policy statement: iam_public_statement, iam_restricts_caller.

One judgement, shared by every policy over a resource policy (S3, SQS, SNS, KMS, role
trust policies, Lambda permissions). A statement is *public* when it allows everyone
(``Principal: "*"``, ``{"AWS": "*"}``, or ``Allow`` with ``NotPrincipal``) and none of its
conditions restricts the caller.

A condition restricts the caller only when it pins a key that names who calls or from
where (the keys in ``CALLER_KEYS``: account, organisation, principal, source resource,
network) to fixed values, as AWS defines a non-public policy (S3 Block Public Access,
the Lambda and Config "public access prohibited" rules): no ``*``/``?`` wildcard, no
``${...}`` policy variable, and for ``aws:SourceIp`` no range that covers every address.
Keys such as ``aws:SecureTransport``, ``aws:Referer``, ``aws:UserAgent`` or
``sts:ExternalId`` do not: anyone can meet them. Negated operators (``StringNotEquals``,
``NotIpAddress``...) leave everyone else in, ``...IfExists`` and ``ForAllValues:`` are met
by a request that lacks the key, and ``Null``, ``Bool``, numeric and date operators say
nothing about who calls. ``ForAnyValue:`` behaves as the plain operator.

Results are three-valued: a value that cannot be read (an unknown value, a parameter in
a partial string) makes the answer unknown unless another condition decides it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.model import UNKNOWN, Partial, Reference, Unknown
from scanner.values import MISSING, EvaluationError, is_opaque

# Condition keys (lower case: keys are case-insensitive) that name the caller.
CALLER_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:userid",
        "kms:calleraccount",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)

# Operators that let in only the values they list (the Like and ARN ones take wildcards).
_POSITIVE = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)
_ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
_ORG_PATH = re.compile(r"o-[a-z0-9]+/")  # a fixed organisation id, then any path in it
_ROLE_SESSIONS = re.compile(r"[^*?:]+:\*")  # aws:userid "AROAROLEID:*": every session of a role


def _kleene_any(verdicts: Any) -> Any:
    result: Any = False
    for verdict in verdicts:
        if verdict is True:
            return True
        if type(verdict) is Unknown:
            result = UNKNOWN
    return result


def _kleene_all(verdicts: Any) -> Any:
    result: Any = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if type(verdict) is Unknown:
            result = UNKNOWN
    return result


# ---------------------------------------------------------------- values


def _fixed_text(key: str, text: str) -> bool:
    if "${" in text:
        return False
    if "*" not in text and "?" not in text:
        return True
    if key == "aws:userid":
        return _ROLE_SESSIONS.fullmatch(text) is not None
    if key in _ORG_PATH_KEYS:
        return _ORG_PATH.match(text) is not None
    return False


def _fixed_partial(key: str, value: Partial) -> Any:
    """A partial string: its known text may rule it out; its unknown parts may be anything
    unless they name a pseudo parameter or a resource attribute (never a wildcard)."""
    if any(type(part) is str and "${" in part for part in value.parts):
        return False  # the literal text ${...}: a policy variable
    if not _fixed_text(key, "".join(p if type(p) is str else "x" for p in value.parts)):
        return False
    names = [_part_name(part) for part in value.parts if not isinstance(part, str)]
    return True if all(n.startswith("AWS::") or "." in n for n in names) else UNKNOWN


def _part_name(part: Reference | Unknown) -> str:
    if isinstance(part, Reference):
        return part.target if part.attribute is None else f"{part.target}.{part.attribute}"
    return part.name or "?"


def _fixed_value(key: str, value: Any) -> Any:
    """Whether one condition value is a fixed, wildcard-free value."""
    if type(value) is Unknown:
        return UNKNOWN
    if type(value) is Partial:
        return _fixed_partial(key, value)
    if type(value) is Reference:
        return True  # a resource's name, id or ARN
    if isinstance(value, str):
        return _fixed_text(key, value)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    raise EvaluationError(f"iam_restricts_caller(): a value of {key} is not a string")


def _narrow_cidrs(values: list[Any]) -> Any:
    """aws:SourceIp under IpAddress: every value a CIDR, together not every address."""
    networks: list[Any] = []
    verdicts: list[Any] = []
    for value in values:
        if is_opaque(value):
            verdicts.append(True if type(value) is Reference else UNKNOWN)
            continue
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            return False
    for version in (4, 6):
        same = [n for n in networks if n.version == version]
        if any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(same)):
            return False
    return _kleene_all(verdicts)


# ---------------------------------------------------------------- conditions


def _restricting_operator(operator: str) -> str | None:
    """The plain operator of a block that can restrict, or None."""
    low = operator.lower()
    if low.startswith("forallvalues:") or low.endswith("ifexists"):
        return None
    return low.removeprefix("foranyvalue:")


def _restricts(operator: str, key: str, values: Any) -> Any:
    """Whether one key of one operator block pins the caller."""
    plain = _restricting_operator(operator)
    key = key.lower()
    if plain is None or key not in CALLER_KEYS:
        return False
    items = values if isinstance(values, list) else [values]
    if not items:
        return False
    if key == "aws:sourceip":
        return _narrow_cidrs(items) if plain == "ipaddress" else False
    if plain not in _POSITIVE:
        return False
    return _kleene_all(_fixed_value(key, item) for item in items)


def restricts_caller(condition: Any) -> Any:
    """Some block of a Condition element pins who calls to fixed values."""
    if condition is MISSING or condition is None:
        return False
    if is_opaque(condition):
        return UNKNOWN
    if not isinstance(condition, dict):
        raise EvaluationError("iam_restricts_caller() needs a Condition map")
    verdicts: list[Any] = []
    for operator, block in condition.items():
        if is_opaque(block):
            verdicts.append(UNKNOWN)
            continue
        if not isinstance(block, dict):
            raise EvaluationError(f"iam_restricts_caller(): {operator} is not a map")
        verdicts.extend(_restricts(str(operator), str(key), v) for key, v in block.items())
    return _kleene_any(verdicts)


# ---------------------------------------------------------------- statements


def _one_is_everyone(value: Any) -> Any:
    if type(value) is Unknown:
        return UNKNOWN
    if type(value) is Partial:
        return UNKNOWN if value.could_equal("*") else False
    if type(value) is Reference:
        return False  # names one resource
    return value in ("*", "*:*")


def everyone(principal: Any) -> Any:
    """A Principal element (string, list or map of lists) that includes everyone."""
    if principal is MISSING:
        return False
    if type(principal) is Unknown or type(principal) is Reference:
        return _one_is_everyone(principal)
    items: list[Any] = []
    if isinstance(principal, dict):
        for value in principal.values():
            if is_opaque(value):
                items.append(value)
            else:
                items.extend(value if isinstance(value, list) else [value])
    else:
        items = principal if isinstance(principal, list) else [principal]
    return _kleene_any(_one_is_everyone(item) for item in items)


def public_statement(stmt: Any) -> Any:
    """An Allow statement for everyone with no condition that restricts the caller."""
    if stmt is MISSING:
        return False
    if is_opaque(stmt):
        return UNKNOWN
    if not isinstance(stmt, dict):
        raise EvaluationError("iam_public_statement() needs a statement map")
    effect = stmt.get("Effect", MISSING)
    if is_opaque(effect):
        return UNKNOWN
    if effect != "Allow":
        return False
    if "NotPrincipal" in stmt:
        # Allow with NotPrincipal grants everyone but the principals listed.
        who: Any = True
    else:
        who = everyone(stmt.get("Principal", MISSING))
    if who is False:
        return False
    restricted = restricts_caller(stmt.get("Condition", MISSING))
    if restricted is True:
        return False
    if who is True and restricted is False:
        return True
    return UNKNOWN


FUNCTIONS = (
    Builtin(
        "iam_public_statement",
        public_statement,
        ("any",),
        "bool",
        "an Allow statement for everyone whose conditions do not restrict the caller",
        raw=True,
    ),
    Builtin(
        "iam_restricts_caller",
        restricts_caller,
        ("any",),
        "bool",
        "some condition pins the caller (account, organisation, source) to fixed values",
        raw=True,
    ),
)
