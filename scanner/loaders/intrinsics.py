"""Resolve CloudFormation intrinsic functions inside one resource.

What a template alone determines is computed (``Ref`` to parameters with a default or a
given value, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``,
``Fn::If`` on a known condition, ...). A reference to a resource becomes a ``Reference``
(``!Ref Bucket``, ``!GetAtt Bucket.Arn``), a string with references or unknown parts a
``Partial``; anything else that cannot be known (``Fn::ImportValue``, ``AWS::Region``
unless given, a parameter without a value) an ``Unknown`` saying why, in words a user can
act on (``unknown_cause``).

A ``Resolver`` works under fixed assumptions about conditions. When it meets an
``Fn::If`` whose condition is not known and not assumed, it raises ``Branch``; the
caller (``variants``) then resolves again once per truth value. Inside an ``Fn::ForEach``
loop it also knows the loop identifiers' current items (``bindings``): ``Ref: Name`` is
the item, and a logical id written ``${Name}Bucket`` (or as an ``Fn::Sub``) names one copy.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from scanner.loaders.budget import LIST_ITEM_BYTES, Budget
from scanner.model import UNKNOWN, Partial, Path, Reference, Unknown, is_opaque, is_unknown


class _NoValue:
    """``Ref: AWS::NoValue``: the key or list item holding it disappears."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()

PSEUDO_PARAMETERS = frozenset(
    (
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    )
)


Handler = Callable[["Resolver", Any, Path, "Path | None"], Any]


@dataclass(frozen=True)
class Template:
    """What every resource of one template resolves against.

    ``functions`` maps an intrinsic function's long-form key to its handler:
    ``FUNCTIONS`` here plus the string functions of ``intrinsic_strings``.
    """

    parameters: Mapping[str, Any]  # name -> value (UNKNOWN when not known)
    pseudo: Mapping[str, Any]  # pseudo parameters given on the command line
    mappings: Mapping[str, Any]
    conditions: Mapping[str, Any]  # name -> unevaluated condition expression
    resources: frozenset[str]
    functions: Mapping[str, Handler]
    dynamic: set[int] = field(default_factory=set)  # ids of nodes holding intrinsics
    budget: Budget = field(default_factory=Budget)  # shared by every resolver of the document


class Branch(Exception):
    """Resolution needs an assumption about condition ``name``."""

    def __init__(self, name: str, only_true: bool = False) -> None:
        super().__init__(name)
        self.name = name
        self.only_true = only_true  # a resource's own Condition: false means no resource


class Resolver:
    """Resolves values under ``assumed`` conditions; ``frozen`` ones stay unknown.

    ``bindings`` maps the identifier of each enclosing ``Fn::ForEach`` to its current item.
    """

    def __init__(
        self,
        template: Template,
        assumed: Mapping[str, bool],
        frozen: frozenset[str],
        bindings: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.assumed = assumed
        self.frozen = frozen
        self.bindings: Mapping[str, str] = bindings or {}
        self.budget = template.budget
        self.path_map: dict[Path, Path] = {}
        self._truths: dict[str, bool | None] = {}
        self._evaluating: set[str] = set()

    # -- values ----------------------------------------------------------------------------

    def value(self, node: Any, src: Path, dst: Path | None) -> Any:
        """``node`` (found at ``src``) resolved; it lands at ``dst`` (None: nowhere).

        Mappings and lists are handled here rather than in helpers so that resolving
        a document nested N levels deep takes N frames of recursion, not 2N.
        """
        kind = type(node)
        if (kind is not dict and kind is not list) or id(node) not in self.template.dynamic:
            return node
        budget = self.budget
        budget.steps -= len(node) + 1
        if budget.steps < 0:
            raise budget.out_of_steps(src)
        if kind is list:
            out: list[Any] = []
            for index, item in enumerate(node):
                here = None if dst is None else dst + (len(out),)
                resolved = self.value(item, src + (index,), here)
                if resolved is NO_VALUE:
                    continue
                if here is not None and len(out) != index:  # an earlier item disappeared
                    self.path_map.setdefault(here, src + (index,))
                out.append(resolved)
            return out
        if len(node) == 1:
            ((name, arg),) = node.items()
            handler = self.template.functions.get(name)
            if handler is not None:
                result = handler(self, arg, src + (name,), dst)
                if dst is not None and type(result) is Unknown and not result.cause:
                    return explained(self.template, name, arg)
                return result
            if name.startswith("Fn::"):
                return UNKNOWN if dst is None else Unknown(f"{name} is not evaluated statically")
        if "Fn::Transform" in node:  # a macro rewrites this mapping at deploy time
            return UNKNOWN
        mapping = {}
        for key, item in node.items():
            resolved = self.value(item, src + (key,), None if dst is None else dst + (key,))
            if resolved is not NO_VALUE:
                mapping[key] = resolved
        return mapping

    def moved(self, dst: Path | None, src: Path) -> None:
        """Record that the value at body path ``dst`` comes from source path ``src``."""
        if dst is not None:
            self.path_map[dst] = src

    # -- conditions ------------------------------------------------------------------------

    def branch(self, name: str) -> bool | None:
        """The truth of condition ``name`` for an ``Fn::If``; raises ``Branch`` if unknown."""
        truth = self.condition(name)
        if truth is None and name in self.template.conditions and name not in self.frozen:
            raise Branch(name)
        return truth

    def condition(self, name: str) -> bool | None:
        """The truth of a named condition under the assumptions (None: unknown)."""
        if name in self.assumed:
            return self.assumed[name]
        if name in self._truths:
            return self._truths[name]
        if name in self._evaluating or name not in self.template.conditions:
            return None  # a cycle or an undefined name: not a valid template
        self._evaluating.add(name)
        try:
            truth = self.truth(self.template.conditions[name])
        except Branch:  # an Fn::If inside a condition: not valid CloudFormation
            truth = None
        finally:
            self._evaluating.discard(name)
        self._truths[name] = truth
        return truth

    def truth(self, expr: Any) -> bool | None:
        """Evaluate a condition expression (Fn::Equals/And/Or/Not, Condition)."""
        self.budget.spend(1, ())
        if type(expr) is bool:
            return expr
        if type(expr) is not dict or len(expr) != 1:
            return None
        ((name, arg),) = expr.items()
        if name == "Condition":
            return self.condition(arg) if type(arg) is str else None
        if type(arg) is not list:
            return None
        if name == "Fn::Equals" and len(arg) == 2:
            return _equal(self.value(arg[0], (), None), self.value(arg[1], (), None))
        if name == "Fn::Not" and len(arg) == 1:
            inner = self.truth(arg[0])
            return None if inner is None else not inner
        if name in ("Fn::And", "Fn::Or"):
            return _kleene(name == "Fn::And", [self.truth(item) for item in arg])
        return None


def _kleene(is_and: bool, truths: list[bool | None]) -> bool | None:
    if (not is_and) in truths:
        return not is_and
    return None if None in truths else is_and


def _equal(left: Any, right: Any) -> bool | None:
    """CloudFormation compares the string forms of parameter values."""
    left, right = _comparable(left), _comparable(right)
    if is_unknown(left) or is_unknown(right):
        return None
    return bool(left == right)


def _comparable(value: Any) -> Any:
    if type(value) is list:
        items = [_comparable(item) for item in value]
        return UNKNOWN if any(is_unknown(item) for item in items) else items
    if isinstance(value, (str, int, float)):
        return scalar_text(value)
    return UNKNOWN  # UNKNOWN, a reference, a mapping, null


def scalar_text(value: Any) -> str:
    """How CloudFormation spells a scalar when it becomes a string."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


# -- the functions ---------------------------------------------------------------------------


def explained(template: Template, name: str, arg: Any) -> Unknown:
    """The Unknown an intrinsic gave, with its cause; a parameter, a pseudo parameter and
    another stack's output are fixed outside the template (``external``)."""
    cause = unknown_cause(template, name, arg)
    if name == "Ref" and type(arg) is str:
        external = arg in PSEUDO_PARAMETERS or arg in template.parameters
        return Unknown(cause, external=external, name=arg if external else None)
    return Unknown(cause, external=name == "Fn::ImportValue")


def unknown_cause(template: Template, name: str, arg: Any) -> str:
    """Why an intrinsic gave an Unknown, in words a user can act on."""
    if name == "Ref" and type(arg) is str:
        if arg in PSEUDO_PARAMETERS:
            return f"pseudo parameter {arg} is not known (give it with --parameter {arg}=VALUE)"
        if arg in template.parameters:
            return (
                f"parameter {arg} has no default "
                f"(give it with --parameter {arg}=VALUE or --parameters-file)"
            )
        return f"!Ref {arg} names no parameter or resource of this template"
    if name == "Fn::ImportValue":
        return "Fn::ImportValue reads another stack's output, known only at deploy time"
    if name == "Fn::If":
        return "the Fn::If condition cannot be decided statically"
    return f"{name} depends on values not known statically"


_LOOP_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def logical_name(r: Resolver, arg: Any, src: Path) -> str | None:
    """The name a ``Ref`` or ``Fn::GetAtt`` argument spells, or None.

    Inside a loop ``${Identifier}`` in the name is the current item (``!Ref ${Name}Bucket``)
    and an ``Fn::Sub`` that resolves to a plain string is that string.
    """
    if type(arg) is dict:
        arg = r.value(arg, src, None)
    if type(arg) is not str:
        return None
    if r.bindings and "${" in arg:
        return substitute(_LOOP_VARIABLE, arg, r.bindings, 1, r.budget, src)
    return arg


def substitute(
    pattern: re.Pattern[str],
    text: str,
    bindings: Mapping[str, str],
    group: int,
    budget: Budget,
    src: Path,
    replace: Callable[[re.Match[str], str], str] | None = None,
) -> str:
    """``text`` with each match of ``pattern`` whose ``group`` is bound replaced.

    ``replace`` turns a match and its bound item into the replacement (default: the item).
    The result may not grow past the budget's ``max_string``: the check comes first.
    """
    size = len(text)
    for match in pattern.finditer(text):
        size += len(bindings.get(match.group(group), ""))
    budget.build(size, src, "a loop identifier substitution")

    def bound(match: re.Match[str]) -> str:
        value = bindings.get(match.group(group))
        if value is None:
            return match.group(0)
        return value if replace is None else replace(match, value)

    return pattern.sub(bound, text)


def _ref(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    arg = logical_name(r, arg, src)
    if arg is None:
        return UNKNOWN
    if arg in r.bindings:
        return r.bindings[arg]
    template = r.template
    if arg in template.parameters:
        return template.parameters[arg]
    if arg in PSEUDO_PARAMETERS:
        return NO_VALUE if arg == "AWS::NoValue" else template.pseudo.get(arg, UNKNOWN)
    if arg in template.resources:
        return Reference(arg, None, f"!Ref {arg}")
    return UNKNOWN


def _get_att(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is str:
        parts: list[Any] = str(logical_name(r, arg, src)).split(".", 1)
    elif type(arg) is list and len(arg) == 2:
        parts = [logical_name(r, arg[0], src + (0,)), r.value(arg[1], src + (1,), None)]
    else:
        return UNKNOWN
    if len(parts) != 2 or type(parts[0]) is not str or parts[0] not in r.template.resources:
        return UNKNOWN
    attribute = parts[1] if type(parts[1]) is str else repr(parts[1])
    return Reference(parts[0], attribute, f"!GetAtt {parts[0]}.{attribute}")


def _if(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) != 3 or type(arg[0]) is not str:
        return UNKNOWN
    truth = r.branch(arg[0])
    if truth is None:
        return UNKNOWN
    chosen = src + (1 if truth else 2,)
    result = r.value(arg[1 if truth else 2], chosen, dst)
    r.moved(dst, chosen)
    return result


def _select(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) != 2:
        return UNKNOWN
    index = _index(r.value(arg[0], src + (0,), None))
    if index is None or index < 0:
        return UNKNOWN
    if type(arg[1]) is list:
        return _select_written(r, arg[1], index, src + (1,), dst)
    items = r.value(arg[1], src + (1,), None)
    if type(items) is not list or index >= len(items):
        return UNKNOWN
    return items[index]


def _select_written(r: Resolver, items: list[Any], index: int, src: Path, dst: Path | None) -> Any:
    """Item ``index`` of a list written in the template, tracked to where it is written.

    Items are resolved in order, each once, and only up to the chosen one: an item that
    resolves to ``AWS::NoValue`` does not count. (Resolving the whole list and then the
    chosen item again would double the work per nesting level.)
    """
    kept = 0
    for offset, item in enumerate(items):
        here = src + (offset,)
        chosen = kept == index
        if chosen:
            r.moved(dst, here)
        value = r.value(item, here, dst if chosen else None)
        if value is NO_VALUE:
            continue
        if chosen:
            return value
        kept += 1
    return UNKNOWN


def _index(value: Any) -> int | None:
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit():
        return int(value)
    return None


def _split(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) != 2:
        return UNKNOWN
    delimiter = r.value(arg[0], src + (0,), None)
    text = r.value(arg[1], src + (1,), None)
    if type(delimiter) is not str or not delimiter or type(text) is not str:
        return UNKNOWN
    count = text.count(delimiter) + 1
    r.budget.build(len(text) + count * LIST_ITEM_BYTES, src, "Fn::Split")
    return text.split(delimiter)


def _find_in_map(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) not in (3, 4):
        return UNKNOWN
    keys = [r.value(arg[index], src + (index,), None) for index in range(3)]
    if any(not isinstance(key, (str, int)) or type(key) is bool for key in keys):
        return UNKNOWN
    found: Any = r.template.mappings
    for key in keys:
        found = found.get(str(key), NO_VALUE) if type(found) is dict else NO_VALUE
    if found is not NO_VALUE:
        return found
    default = arg[3] if len(arg) == 4 else None
    if type(default) is dict and "DefaultValue" in default:
        return r.value(default["DefaultValue"], src + (3, "DefaultValue"), dst)
    return UNKNOWN


def _base64(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    text = r.value(arg, src, None)
    if type(text) is str:
        r.budget.build((len(text) + 2) // 3 * 4, src, "Fn::Base64")
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    if type(text) is Reference or type(text) is Partial:
        # Encoded, no known text is left; the references still say what it depends on.
        inner = text.references() if type(text) is Partial else (text,)
        return Partial((UNKNOWN, *inner), f"!Base64 {text}")
    return UNKNOWN


def _cidr(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    if type(arg) is not list or len(arg) != 3:
        return UNKNOWN
    block, count, bits = (r.value(item, src + (i,), None) for i, item in enumerate(arg))
    count, bits = _index(count), _index(bits)
    if type(block) is not str or count is None or bits is None or count > MAX_CIDR_COUNT:
        return UNKNOWN
    try:
        network = ipaddress.ip_network(block, strict=False)
        subnets = network.subnets(new_prefix=network.max_prefixlen - bits)
        result = [str(subnet) for subnet in islice(subnets, count)]
    except ValueError:
        return UNKNOWN
    return result if len(result) == count else UNKNOWN


MAX_CIDR_COUNT = 256  # CloudFormation's own limit on the number of blocks


def _length(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    items = r.value(arg, src, None)
    return len(items) if type(items) is list else UNKNOWN


def _to_json_string(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    resolved = r.value(arg, src, None)
    budget = r.budget  # measured first: is_known and dumps walk what the size walk bounds
    budget.build(_json_size(resolved, budget.max_string, budget, src), src, "Fn::ToJsonString")
    if not is_known(resolved):
        return UNKNOWN
    return json.dumps(resolved, separators=(",", ":"), ensure_ascii=False)


def _json_size(value: Any, limit: int, budget: Budget, src: Path) -> int:
    """About how long ``value`` is as JSON; stops counting past ``limit``.

    Resolved values share subtrees (a mapping value returned by many ``Fn::FindInMap``),
    so their JSON may be far larger than the template: measure before building it.
    """
    size = 0
    stack = [value]
    while stack and size <= limit:
        item = stack.pop()
        budget.spend(1, src)
        if type(item) is dict:
            size += 2 + 4 * len(item) + sum(len(str(key)) for key in item)
            stack.extend(item.values())
        elif type(item) is list:
            size += 2 + len(item)
            stack.extend(item)
        else:
            size += len(str(item)) + 2
    return size


def _condition_value(r: Resolver, arg: Any, src: Path, dst: Path | None, name: str) -> Any:
    truth = r.truth({name: arg})
    return UNKNOWN if truth is None else truth


def _unknown(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
    return UNKNOWN


def is_known(value: Any) -> bool:
    """True when ``value`` holds no Unknown, reference or partial string anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if is_opaque(item):
            return False
        if type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return True


def _conditional(name: str) -> Handler:
    def handler(r: Resolver, arg: Any, src: Path, dst: Path | None) -> Any:
        return _condition_value(r, arg, src, dst, name)

    return handler


FUNCTIONS: dict[str, Handler] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::If": _if,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
    "Fn::GetAZs": _unknown,
    "Fn::ImportValue": _unknown,
    "Fn::Transform": _unknown,
}
FUNCTIONS.update((name, _conditional(name)) for name in ("Fn::Equals", "Fn::And", "Fn::Or"))
FUNCTIONS["Fn::Not"] = _conditional("Fn::Not")
