"""Evaluating Terraform expressions to the values policies read.

A value is plain data (str, int, float, bool, None, list, dict), a ``Reference`` to a
resource of the module (``aws_s3_bucket.logs.arn``), a ``Partial`` string built around
references or unknown values (``"${var.env}-logs"`` with no value for ``env``), or an
``Unknown`` that says why. Operators, conditionals and functions over a value that is not
known give an ``Unknown`` naming what is missing, never a guess.

Every evaluation spends from one ``Budget`` per module, so a hostile module (nested
``for`` expressions, ``range(1e9)``, a string doubled per local) stops with an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from lark import Token, Tree

from scanner.loaders.budget import Budget
from scanner.loaders.terraform.hcl import Expr, JsonExpr, name_text, parse_expression
from scanner.model import Partial, Reference, Unknown, is_opaque

MAX_DEPTH = 100  # nesting of expressions and of templates within JSON strings
_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}")  # in a heredoc or a .tf.json string
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


class Context(Protocol):
    """What an expression can name: the module's variables, locals and resources."""

    budget: Budget

    def named(self, root: str, steps: list[Any], text: str) -> Any: ...

    def call(self, name: str, args: list[Any], text: str) -> Any: ...


class Scope:
    """Names bound around an expression: ``each``, ``count``, ``for`` variables."""

    __slots__ = ("text", "names", "depth")

    def __init__(self, text: str, names: dict[str, Any] | None = None, depth: int = 0) -> None:
        self.text = text  # the source the expression's positions index
        self.names = names or {}
        self.depth = depth

    def bind(self, names: dict[str, Any]) -> Scope:
        return Scope(self.text, {**self.names, **names}, self.depth + 1)


@dataclass(frozen=True, slots=True)
class JsonText:
    """``jsonencode`` of a value that holds references or unknown values: its text is
    not known, the document it encodes is (a policy reads that document)."""

    value: Any


class EvalError(Exception):
    """An expression Terraform itself would reject (a type error, a bad index)."""


def unknown_of(values: list[Any], text: str) -> Unknown:
    """The Unknown for a value computed from ``values``, some of them not known."""
    for value in values:
        if type(value) is Unknown and value.cause:
            return Unknown(value.cause, external=value.external, name=value.name)
    return Unknown(f"`{text}` is known only once applied")


def source_text(scope: Scope, node: Expr) -> str:
    """How the expression is written (for messages), at most 200 characters."""
    if isinstance(node, JsonExpr):
        return str(node.value)[:200]
    meta = node.meta
    if getattr(meta, "empty", True):
        return ""
    return scope.text[meta.start_pos : meta.end_pos][:200]


class Evaluator:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.trying = 0  # inside try() or can(): a missing attribute is an error

    def value(self, node: Expr, scope: Scope) -> Any:
        if scope.depth > MAX_DEPTH:
            raise EvalError("expressions nested too deep")
        self.context.budget.spend(1, ())
        if isinstance(node, JsonExpr):
            return self._json(node.value, scope, 0)
        if isinstance(node, Token):
            return str(node)
        handler = _HANDLERS.get(node.data)
        if handler is None:
            return Unknown(f"`{source_text(scope, node)}` is not evaluated")
        return handler(self, node, scope)

    def deeper(self, node: Expr, scope: Scope) -> Any:
        return self.value(node, Scope(scope.text, scope.names, scope.depth + 1))

    # --- .tf.json values: strings are templates ---------------------------------------

    def _json(self, value: Any, scope: Scope, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise EvalError("JSON value nested too deep")
        if type(value) is str:
            return self._json_string(value, scope)
        if type(value) is list:
            self.context.budget.spend(len(value), ())
            return [self._json(item, scope, depth + 1) for item in value]
        if type(value) is dict:
            self.context.budget.spend(len(value), ())
            return {k: self._json(v, scope, depth + 1) for k, v in value.items()}
        return value

    def _json_string(self, text: str, scope: Scope) -> Any:
        if "${" not in text:
            return text
        return self.interpolate(text, scope)

    def interpolate(self, text: str, scope: Scope) -> Any:
        """A template written as plain text (a heredoc, a JSON string): ``${…}`` parts."""
        parts: list[Any] = []
        at = 0
        for match in _INTERPOLATION.finditer(text):
            parts.append(text[at : match.start()])
            try:
                tree = parse_expression(match.group(1))
            except Exception:
                parts.append(Unknown(f"`{match.group()}` cannot be read"))
            else:
                parts.append(self.value(tree, Scope(text, scope.names, scope.depth + 1)))
            at = match.end()
        parts.append(text[at:])
        if len(parts) == 3 and parts[0] == "" and parts[2] == "":
            return parts[1]  # "${x}" is x itself, of any type
        return self.join(parts, text)

    def join(self, parts: list[Any], text: str) -> Any:
        """A template's parts as a string, a ``Partial``, or an ``Unknown``."""
        out: list[Any] = []
        for part in parts:
            if type(part) is Partial:
                out.extend(part.parts)
            elif type(part) is JsonText:
                out.append(Unknown(f"`{text}` holds JSON with values known only once applied"))
            elif type(part) is Reference or type(part) is Unknown:
                out.append(part)
            elif type(part) in (list, dict):
                raise EvalError("a template interpolates a list or map, not a string")
            else:
                out.append(template_text(part))
        if all(type(p) is str for p in out):
            joined = "".join(out)
            self.context.budget.build(len(joined), (), "a string template")
            return joined
        merged: list[Any] = []
        for part in out:
            if type(part) is str and merged and type(merged[-1]) is str:
                merged[-1] += part
            elif part != "" or type(part) is not str:
                merged.append(part)
        if not any(type(p) is str or type(p) is Reference for p in merged):
            return unknown_of(merged, text)
        return Partial(tuple(merged), text)


def template_text(value: Any) -> str:
    """A primitive as a template writes it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if type(value) is float and value.is_integer():
        return str(int(value))
    return str(value)


def unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(one, text) if "\\" in text else text


# --- handlers per parse-tree rule ----------------------------------------------------


def _children(node: Tree) -> list[Any]:
    return [
        c for c in node.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")
    ]


def _expr_term(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    inner = [c for c in _children(node) if isinstance(c, Tree)]
    return ev.deeper(inner[0], scope)


def _literal(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return {"true": True, "false": False, "null": None}[str(node.children[0])]


def _int(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return int(str(node.children[0]))


def _float(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return float(str(node.children[0]))


def _string(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    parts: list[Any] = []
    for part in node.children:
        if not (isinstance(part, Tree) and part.data == "string_part"):
            continue
        inner = part.children[0]
        if isinstance(inner, Token):
            text = str(inner)
            if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                text = text[1:]
            parts.append(unescape(text))
        elif inner.data == "interpolation":
            parts.append(ev.deeper(inner.children[1], scope))
        else:
            return Unknown(f"template directives are not evaluated: `{source_text(scope, node)}`")
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]
    return ev.join(parts, source_text(scope, node))


def _heredoc(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    raw = str(node.children[0])
    first, _, rest = raw.partition("\n")
    body = rest.rstrip("\n")
    body = body[: body.rfind("\n") + 1] if "\n" in body else ""
    if node.data == "heredoc_template_trim":
        lines = body.split("\n")
        indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
        body = "\n".join(x[indent:] for x in lines)
    return ev.interpolate(body, scope) if "${" in body else body


def _tuple(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    items = [c for c in _children(node) if isinstance(c, Tree)]
    ev.context.budget.spend(len(items), ())
    return [ev.deeper(item, scope) for item in items]


def _object(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for elem in _children(node):
        if not (isinstance(elem, Tree) and elem.data == "object_elem"):
            continue
        key_node, value_node = elem.children[0], elem.children[-1]
        key = _object_key(ev, key_node, scope)
        if not isinstance(key, str):
            return Unknown(f"a key of `{source_text(scope, node)}` is not known")
        out[key] = ev.deeper(value_node, scope)
    ev.context.budget.spend(len(out), ())
    return out


def _object_key(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    inner = node.children[0]
    if isinstance(inner, Tree) and inner.data == "expr_term":
        term = inner.children[0]
        if isinstance(term, Tree) and term.data == "identifier":
            return name_text(term)
        if isinstance(term, Tree) and term.data == "expr_term":  # (expression)
            pass
    if isinstance(inner, Tree) and inner.data == "keyword":
        return name_text(inner)
    key = ev.deeper(inner, scope)
    return template_text(key) if isinstance(key, (int, float, bool)) else key


def _identifier(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return _traversal(ev, node, scope)


def _traversal(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    """``a.b[0].c``: a root name and steps, resolved by the scope or the module."""
    steps: list[Any] = []
    current: Any = node
    while True:
        if current.data == "expr_term":
            inner = [c for c in _children(current) if isinstance(c, Tree)]
            if len(inner) != 1:
                return ev.value(current, scope)
            current = inner[0]
            continue
        if current.data == "get_attr_expr_term":
            steps.append(name_text(current.children[1].children[1]))
        elif current.data == "index_expr_term":
            steps.append(_index_step(ev, current.children[1], scope))
        elif current.data == "identifier":
            break
        else:  # a computed root: (expr)[0], f(x).y
            return _apply(ev.value(current, scope), list(reversed(steps)), source_text(scope, node))
        current = current.children[0]
    root = name_text(current)
    steps.reverse()
    text = source_text(scope, node)
    if root in scope.names:
        return _apply(scope.names[root], steps, text, ev.trying > 0)
    return ev.context.named(root, steps, text)


def _index_step(ev: Evaluator, index: Tree, scope: Scope) -> Any:
    if index.data == "short_index":
        return int(str(index.children[1]))
    inner = [c for c in _children(index) if isinstance(c, Tree)]
    return ev.deeper(inner[0], scope)


def _apply(value: Any, steps: list[Any], text: str, strict: bool = False) -> Any:
    """Follow attribute names and indexes into a known value.

    A name an object does not have is null, as Terraform makes an optional attribute of
    a variable's type, except inside ``try``/``can`` (``strict``), where it is the error
    that makes them fall back."""
    for step in steps:
        if type(value) is Reference:
            return value  # an attribute of a resource's attribute: the reference says where
        if is_opaque(value) or is_opaque(step):
            return unknown_of([value, step], text)
        if type(value) is dict and isinstance(step, str):
            if step not in value:
                if strict:
                    raise EvalError(f"`{text}`: no attribute or key {step!r}")
                return None
            value = value[step]
        elif type(value) is list and type(step) in (int, float):
            position = int(step)
            if not 0 <= position < len(value):
                raise EvalError(f"`{text}`: index {position} is out of range")
            value = value[position]
        else:
            raise EvalError(f"`{text}`: cannot index a {type(value).__name__} with {step!r}")
    return value


def apply_steps(value: Any, steps: list[Any], text: str, strict: bool = False) -> Any:
    return _apply(value, steps, text, strict)


def _splat(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    base = ev.deeper(node.children[0], scope)
    text = source_text(scope, node)
    if is_opaque(base):
        return base if type(base) is Unknown else Unknown(f"`{text}` is known only once applied")
    items = base if type(base) is list else ([] if base is None else [base])
    steps = []
    for step in node.children[1].children[1:]:
        if step.data == "get_attr":
            steps.append(name_text(step.children[1]))
        else:
            steps.append(_index_step(ev, step, scope))
    return [_apply(item, steps, text) for item in items]


def _unary(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    operator = str(node.children[0])
    value = ev.deeper(node.children[1], scope)
    if is_opaque(value):
        return unknown_of([value], source_text(scope, node))
    if operator == "!":
        if type(value) is not bool:
            raise EvalError(f"`{source_text(scope, node)}`: ! needs a bool")
        return not value
    if type(value) not in (int, float) or type(value) is bool:
        raise EvalError(f"`{source_text(scope, node)}`: - needs a number")
    return -value


def _binary(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    left = ev.deeper(node.children[0], scope)
    term = node.children[1]
    operator = str(term.children[0].children[0])
    right_node = [c for c in _children(term) if isinstance(c, Tree)][-1]
    text = source_text(scope, node)
    if operator in ("&&", "||"):
        return _logical(ev, operator, left, right_node, scope, text)
    right = ev.deeper(right_node, scope)
    if is_opaque(left) or is_opaque(right):
        return unknown_of([left, right], text)
    return _operate(operator, left, right, text)


def _logical(
    ev: Evaluator, operator: str, left: Any, right_node: Tree, scope: Scope, text: str
) -> Any:
    stop = operator == "||"  # the value that decides without the right side
    if left is stop:
        return stop
    right = ev.deeper(right_node, scope)
    if right is stop:
        return stop
    if is_opaque(left) or is_opaque(right):
        return unknown_of([left, right], text)
    if type(left) is not bool or type(right) is not bool:
        raise EvalError(f"`{text}`: {operator} needs bools")
    return right


def _operate(operator: str, left: Any, right: Any, text: str) -> Any:
    if operator == "==":
        return _same(left, right)
    if operator == "!=":
        return not _same(left, right)
    left, right = _number(left, text), _number(right, text)
    if operator in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
            operator
        ]
    if operator in ("/", "%") and right == 0:
        raise EvalError(f"`{text}`: division by zero")
    result = {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left / right,
        "%": lambda: left % right,
    }[operator]()
    return int(result) if type(result) is float and result.is_integer() else result


def _same(left: Any, right: Any) -> bool:
    if type(left) is bool or type(right) is bool:
        return type(left) is type(right) and left == right
    return bool(left == right)


def _number(value: Any, text: str) -> int | float:
    if type(value) in (int, float):
        return value
    if type(value) is str:
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    raise EvalError(f"`{text}`: {value!r} is not a number")


def _conditional(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    parts = [c for c in _children(node) if isinstance(c, Tree)]
    condition = ev.deeper(parts[0], scope)
    if condition is True:
        return ev.deeper(parts[1], scope)
    if condition is False:
        return ev.deeper(parts[2], scope)
    if not is_opaque(condition):
        raise EvalError(f"`{source_text(scope, parts[0])}` is not a bool")
    yes, no = ev.deeper(parts[1], scope), ev.deeper(parts[2], scope)
    if not is_opaque(yes) and not is_opaque(no) and yes == no and type(yes) is type(no):
        return yes
    cause = unknown_of([condition], source_text(scope, parts[0]))
    return Unknown(
        f"depends on `{source_text(scope, parts[0])}`: {cause.cause}",
        external=cause.external,
        name=cause.name,
    )


def _call(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    name = name_text(node.children[0])
    args_node = next(
        (c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None
    )
    args: list[Any] = []
    expand = False
    if name in ("try", "can") and args_node is not None:
        return _try(ev, name, args_node, scope, source_text(scope, node))
    if args_node is not None:
        for child in args_node.children:
            if isinstance(child, Tree) and child.data != "new_line_or_comment":
                args.append(ev.deeper(child, scope))
            elif isinstance(child, Token) and str(child) == "...":
                expand = True
    if expand and args:
        last = args.pop()
        if is_opaque(last):
            return unknown_of([last], source_text(scope, node))
        args.extend(last if type(last) is list else [last])
    return ev.context.call(name, args, source_text(scope, node))


def _try(ev: Evaluator, name: str, args_node: Tree, scope: Scope, text: str) -> Any:
    """``try(a, b…)``: the first argument that evaluates; ``can(a)``: whether it does."""
    for child in args_node.children:
        if not isinstance(child, Tree) or child.data == "new_line_or_comment":
            continue
        ev.trying += 1
        try:
            value = ev.deeper(child, scope)
        except EvalError:
            continue
        finally:
            ev.trying -= 1
        if name == "can":
            return True
        if type(value) is Unknown:
            return value  # it might still fail once known: not a guess at the fallback
        return value
    if name == "can":
        return False
    raise EvalError(f"`{text}`: no argument of try() evaluates")


def _for_tuple(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return _for(ev, node, scope, is_object=False)


def _for_object(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return _for(ev, node, scope, is_object=True)


def _for(ev: Evaluator, node: Tree, scope: Scope, is_object: bool) -> Any:
    trees = [c for c in _children(node) if isinstance(c, Tree)]
    intro = trees[0]
    names = [name_text(c) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
    source = ev.deeper([c for c in intro.children if isinstance(c, Tree)][-1], scope)
    text = source_text(scope, node)
    if is_opaque(source):
        return unknown_of([source], text)
    condition = next((t for t in trees if t.data == "for_cond"), None)
    bodies = [t for t in trees[1:] if t.data != "for_cond"]
    grouping = any(isinstance(c, Token) and str(c) == "..." for c in node.children)
    pairs = (
        list(source.items())
        if type(source) is dict
        else list(enumerate(source))
        if type(source) is list
        else None
    )
    if pairs is None:
        raise EvalError(f"`{text}`: cannot iterate over {type(source).__name__}")
    ev.context.budget.iterate(len(pairs), ())
    out_list: list[Any] = []
    out_map: dict[str, Any] = {}
    for key, item in pairs:
        bound = {names[0]: item} if len(names) == 1 else {names[0]: key, names[1]: item}
        inner = scope.bind(bound)
        if condition is not None:
            keep = ev.value([c for c in condition.children if isinstance(c, Tree)][-1], inner)
            if is_opaque(keep):
                return unknown_of([keep], text)
            if keep is False:
                continue
        if not is_object:
            out_list.append(ev.value(bodies[0], inner))
            continue
        map_key = ev.value(bodies[0], inner)
        if is_opaque(map_key):
            return unknown_of([map_key], text)
        value = ev.value(bodies[1], inner)
        map_key = template_text(map_key)
        if grouping:
            out_map.setdefault(map_key, []).append(value)
        else:
            out_map[map_key] = value
    return out_map if is_object else out_list


def _paren(ev: Evaluator, node: Tree, scope: Scope) -> Any:
    return _expr_term(ev, node, scope)


Handler = Callable[[Evaluator, Tree, Scope], Any]
_HANDLERS: dict[str, Handler] = {
    "expr_term": _expr_term,
    "literal_value": _literal,
    "int_lit": _int,
    "float_lit": _float,
    "string": _string,
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "tuple": _tuple,
    "object": _object,
    "identifier": _identifier,
    "get_attr_expr_term": _traversal,
    "index_expr_term": _traversal,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "unary_op": _unary,
    "binary_op": _binary,
    "conditional": _conditional,
    "function_call": _call,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
}
