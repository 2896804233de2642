"""Text to syntax tree: the cached Lark parser and the Transformer that builds ``ast`` nodes.

``parse_file`` raises ``PolicyError`` (code P001/P002/P004/P070) for text that does not
parse; everything else about a policy is judged later by ``scanner.lang.checks``.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.tree import Meta as LarkMeta

from scanner.errors import PolicyError
from scanner.lang import ast, codes, grammar_cache
from scanner.lang.limits import MAX_STRING_LITERAL
from scanner.lang.literals import EscapeError, decode_long_string, decode_number, decode_string
from scanner.lang.syntax_errors import syntax_error
from scanner.lang.templates import parse_template
from scanner.model import UNKNOWN, Location


@functools.lru_cache(maxsize=1)
def grammar() -> Lark:
    """The policy grammar, built once per process.

    Building a strict LALR table is slow (terminal-collision checks), so the built parser
    is also kept in the user's cache directory as JSON (``scanner.lang.grammar_cache``).
    """
    text, options = grammar_spec()
    return grammar_cache.build(text, **options)


def grammar_spec() -> tuple[str, dict[str, Any]]:
    """The grammar's text and the options of its parser."""
    text = files("scanner.grammar").joinpath("policy.lark").read_text(encoding="utf-8")
    options = {
        "parser": "lalr",
        "strict": True,
        "propagate_positions": True,
        "start": ["start", "expr"],
        "maybe_placeholders": True,
    }
    return text, options


def parse_file(path: str, text: str) -> ast.PolicyFile:
    """Parse one policy file; raise ``PolicyError`` at the first syntax error."""
    tree = _parse(text, "start", path)
    return _transform(tree, path, text)


def parse_expression(path: str, text: str) -> ast.Expr:
    """Parse an expression; ``text`` may be padded so positions match the enclosing file."""
    tree = _parse(text, "expr", path)
    return _transform(tree, path, text)


def _parse(text: str, start: str, path: str) -> Any:
    parser = grammar()
    try:
        return parser.parse(text, start=start)
    except UnexpectedInput as exc:
        raise syntax_error(exc, parser, path, text, start) from None


def _transform(tree: Any, path: str, text: str) -> Any:
    try:
        return _Builder(path).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, PolicyError):
            raise exc.orig_exc from None
        raise


def _loc(path: str, meta: LarkMeta) -> Location:
    return Location(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_loc(path: str, tok: Token) -> Location:
    return Location(path, tok.line or 1, tok.column or 1, tok.end_line, tok.end_column)


@v_args(meta=True)
class _Builder(Transformer[Token, Any]):
    """Tree to AST. Only construction happens here; no name or type is judged."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    def _loc(self, meta: LarkMeta) -> Location:
        return _loc(self.path, meta)

    def _tok(self, tok: Token) -> Location:
        return _tok_loc(self.path, tok)

    # ------------------------------------------------------------ file and policies

    def start(self, meta: LarkMeta, items: list[Any]) -> ast.PolicyFile:
        return ast.PolicyFile(
            path=self.path,
            params=tuple(i for i in items if isinstance(i, ast.Param)),
            lets=tuple(i for i in items if isinstance(i, ast.Let)),
            defs=tuple(i for i in items if isinstance(i, ast.Def)),
            policies=tuple(i for i in items if isinstance(i, ast.Policy)),
            order=tuple(i for i in items if not isinstance(i, ast.Use)),
            uses=tuple(i for i in items if isinstance(i, ast.Use)),
        )

    def use(self, meta: LarkMeta, c: list[Token | None]) -> ast.Use:
        module, *names = [t for t in c if t is not None]
        listed = tuple((str(t), self._tok(t)) for t in names)
        return ast.Use(str(module), listed, self._loc(meta), self._tok(module))

    def param(self, meta: LarkMeta, c: list[Any]) -> ast.Param:
        return ast.Param(str(c[0]), str(c[1]), c[2], self._loc(meta), self._tok(c[1]))

    def let(self, meta: LarkMeta, c: list[Any]) -> ast.Let:
        return ast.Let(str(c[0]), c[1], self._loc(meta))

    def def_(self, meta: LarkMeta, c: list[Any]) -> ast.Def:
        names = tuple(str(t) for t in c[1:-1] if t is not None)
        return ast.Def(str(c[0]), names, c[-1], self._loc(meta))

    def policy(self, meta: LarkMeta, c: list[Any]) -> ast.Policy:
        return ast.Policy(str(c[0]), tuple(c[1:]), self._loc(meta), self._tok(c[0]))

    def meta(self, meta: LarkMeta, c: list[Any]) -> ast.Meta:
        return ast.Meta(str(c[0]), c[1], self._loc(meta))

    def targets(self, meta: LarkMeta, c: list[Token]) -> ast.Targets:
        return ast.Targets(tuple((str(t), self._tok(t)) for t in c), self._loc(meta))

    def when(self, meta: LarkMeta, c: list[Any]) -> ast.When:
        return ast.When(c[0], self._loc(meta))

    def assertion(self, meta: LarkMeta, c: list[Any]) -> ast.Assertion:
        tok = c[1] if len(c) > 1 else None
        if tok is not None:
            self._bounded(tok)
        message = None if tok is None else parse_template(self.path, tok, parse_expression)
        return ast.Assertion(c[0], message, self._loc(meta))

    def fix_set(self, meta: LarkMeta, c: list[Any]) -> ast.Fix:
        return ast.Fix("set", c[0], c[1], self._loc(meta))

    def fix_remove(self, meta: LarkMeta, c: list[Any]) -> ast.Fix:
        return ast.Fix("remove", c[0], None, self._loc(meta))

    def fix_append(self, meta: LarkMeta, c: list[Any]) -> ast.Fix:
        return ast.Fix("append", c[0], c[1], self._loc(meta))

    def example(self, meta: LarkMeta, c: list[Any]) -> ast.Example:
        return ast.Example(c[0], c[1], c[2], c[3], self._loc(meta))

    def example_status(self, meta: LarkMeta, c: list[Token]) -> str:
        return str(c[0])

    def fix_path(self, meta: LarkMeta, c: list[Any]) -> ast.FixPath:
        steps: list[str | int | ast.Match | ast.Filter] = []
        for item in c:
            if isinstance(item, (ast.Match, ast.Filter)):
                steps.append(item)
            elif item.type == "STRING":
                steps.append(self._string(item))
            elif item.type == "NUMBER":
                steps.append(self._index(item))
            else:
                steps.append(str(item))
        return ast.FixPath(tuple(steps), self._loc(meta))

    def fix_match(self, meta: LarkMeta, c: list[tuple[str, ast.Expr]]) -> ast.Match:
        return ast.Match(tuple(c), self._loc(meta))

    def match_field(self, meta: LarkMeta, c: list[Any]) -> tuple[str, ast.Expr]:
        return self.entry(meta, c)

    def fix_filter(self, meta: LarkMeta, c: list[Any]) -> ast.Filter:
        return ast.Filter(c[0], self._loc(meta))

    def plain_path(self, meta: LarkMeta, c: list[Token]) -> ast.PlainPath:
        keys: list[str | int] = []
        for tok in c:
            if tok.type == "STRING":
                keys.append(self._string(tok))
            elif tok.type == "NUMBER":
                keys.append(self._index(tok))
            else:
                keys.append(str(tok))
        return ast.PlainPath(tuple(keys), self._loc(meta))

    # ------------------------------------------------------------ expressions

    def or_(self, meta: LarkMeta, c: list[Any]) -> ast.BoolOp:
        return ast.BoolOp("or", c[0], c[1], self._loc(meta))

    def and_(self, meta: LarkMeta, c: list[Any]) -> ast.BoolOp:
        return ast.BoolOp("and", c[0], c[1], self._loc(meta))

    def not_(self, meta: LarkMeta, c: list[Any]) -> ast.Not:
        return ast.Not(c[0], self._loc(meta))

    def quantifier(self, meta: LarkMeta, c: list[Any]) -> ast.Quantifier:
        kind, collection, var, body = c
        return ast.Quantifier(kind, collection, str(var), body, self._loc(meta), self._tok(var))

    def quantifier_kind(self, meta: LarkMeta, c: list[Token]) -> str:
        return str(c[0])

    def compare(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return ast.Compare(str(c[1]), c[0], c[2], self._loc(meta))

    def _binary(self, op: str, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return ast.Compare(op, c[0], c[1], self._loc(meta))

    def in_(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("in", meta, c)

    def not_in(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("not in", meta, c)

    def matches(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("matches", meta, c)

    def startswith(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("startswith", meta, c)

    def endswith(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("endswith", meta, c)

    def contains(self, meta: LarkMeta, c: list[Any]) -> ast.Compare:
        return self._binary("contains", meta, c)

    def _test(self, kind: str, negated: bool, meta: LarkMeta, operand: Any) -> ast.Test:
        loc = self._loc(meta)
        return ast.Test(kind, operand, negated, loc, loc)

    def exists(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        return self._test("exists", False, meta, c[0])

    def not_exists(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        return self._test("exists", True, meta, c[0])

    def is_empty(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        return self._test("empty", False, meta, c[0])

    def is_not_empty(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        return self._test("empty", True, meta, c[0])

    def is_type(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        name, loc = c[1]
        return ast.Test(name, c[0], False, self._loc(meta), loc)

    def is_not_type(self, meta: LarkMeta, c: list[Any]) -> ast.Test:
        name, loc = c[1]
        return ast.Test(name, c[0], True, self._loc(meta), loc)

    def type_name(self, meta: LarkMeta, c: list[Token]) -> tuple[str, Location]:
        return str(c[0]), self._tok(c[0])

    # ------------------------------------------------------------ paths

    def _step(self, meta: LarkMeta, base: Any, step: ast.Step) -> ast.PathExpr:
        if isinstance(base, ast.PathExpr):
            return ast.PathExpr(base.base, (*base.steps, step), self._loc(meta))
        return ast.PathExpr(base, (step,), self._loc(meta))

    def key(self, meta: LarkMeta, c: list[Any]) -> ast.PathExpr:
        tok: Token = c[1]
        name = self._string(tok) if tok.type == "STRING" else str(tok)
        return self._step(meta, c[0], ast.Key(name, self._tok(tok)))

    def map_wildcard(self, meta: LarkMeta, c: list[Any]) -> ast.PathExpr:
        return self._step(meta, c[0], ast.Wildcard("map", self._loc(meta)))

    def list_wildcard(self, meta: LarkMeta, c: list[Any]) -> ast.PathExpr:
        return self._step(meta, c[0], ast.Wildcard("list", self._loc(meta)))

    def index(self, meta: LarkMeta, c: list[Any]) -> ast.PathExpr:
        return self._step(meta, c[0], ast.Index(self._index(c[1]), self._tok(c[1])))

    def filter(self, meta: LarkMeta, c: list[Any]) -> ast.PathExpr:
        return self._step(meta, c[0], ast.Filter(c[1], self._loc(meta)))

    # ------------------------------------------------------------ atoms

    def name(self, meta: LarkMeta, c: list[Token]) -> ast.Name:
        return ast.Name(str(c[0]), self._tok(c[0]))

    def current(self, meta: LarkMeta, c: list[Any]) -> ast.Current:
        return ast.Current(self._loc(meta))

    def type_literal(self, meta: LarkMeta, c: list[Token]) -> ast.TypeLiteral:
        return ast.TypeLiteral(str(c[0]), self._tok(c[0]))

    def call(self, meta: LarkMeta, c: list[Any]) -> ast.Call:
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(str(c[0]), args, self._loc(meta), self._tok(c[0]))

    def list_literal(self, meta: LarkMeta, c: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(tuple(i for i in c if i is not None), self._loc(meta))

    def map_literal(self, meta: LarkMeta, c: list[Any]) -> ast.MapExpr:
        return ast.MapExpr(tuple(e for e in c if e is not None), self._loc(meta))

    def data_list(self, meta: LarkMeta, c: list[Any]) -> ast.ListExpr:
        return self.list_literal(meta, c)

    def data_map(self, meta: LarkMeta, c: list[Any]) -> ast.MapExpr:
        return self.map_literal(meta, c)

    def data_entry(self, meta: LarkMeta, c: list[Any]) -> tuple[str, ast.Expr]:
        return self.entry(meta, c)

    def entry(self, meta: LarkMeta, c: list[Any]) -> tuple[str, ast.Expr]:
        tok: Token = c[0]
        key = self._string(tok) if tok.type == "STRING" else str(tok)
        return key, c[1]

    def literal(self, meta: LarkMeta, c: list[Token]) -> ast.Literal:
        tok = c[0]
        loc = self._tok(tok)
        kind = tok.type
        value: Any
        if kind == "STRING":
            value = self._string(tok)
        elif kind == "LONG_STRING":
            value = decode_long_string(self._bounded(tok))
        elif kind == "NUMBER":
            value = decode_number(str(tok))
        else:
            value = {"TRUE": True, "FALSE": False, "NULL": None, "UNKNOWN": UNKNOWN}[kind]
        return ast.Literal(value, loc)

    # ------------------------------------------------------------ tokens

    def _bounded(self, tok: Token) -> str:
        """The text of a string token, or a P005 error when it is over the size limit."""
        if len(tok) > MAX_STRING_LITERAL:
            raise PolicyError(
                f"string literal of {len(tok):,} characters; the limit is {MAX_STRING_LITERAL:,}",
                code=codes.LIMIT,
                location=self._tok(tok),
            )
        return str(tok)

    def _string(self, tok: Token) -> str:
        try:
            return decode_string(self._bounded(tok))
        except EscapeError as exc:
            col = (tok.column or 1) + 1 + exc.offset
            where = Location(self.path, tok.line or 1, col - 1, tok.line, col + 1)
            raise PolicyError(str(exc), code=codes.BAD_ESCAPE, location=where) from None

    def _index(self, tok: Token) -> int:
        value = decode_number(str(tok))
        if not isinstance(value, int):
            raise PolicyError(
                f"index {tok} is not a whole number", code=codes.BAD_NUMBER, location=self._tok(tok)
            )
        return value


# `def` is a Python keyword; Lark looks the callback up by the rule name.
setattr(_Builder, "def", _Builder.def_)  # noqa: B010
