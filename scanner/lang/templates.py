"""Message templates: ``"bucket {id} keeps {cfg.Status}"``.

``{expression}`` interpolates any expression; ``{{`` and ``}}`` are literal braces. The
expressions are parsed with the policy grammar and located at their real line and column.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from lark import Token

from scanner.errors import PolicyError
from scanner.lang import ast, codes
from scanner.lang.literals import EscapeError, decode_long_string, decode_string
from scanner.model import Location

ParseExpr = Callable[[str, str], ast.Expr]
_MARK = "\x00"


def parse_template(path: str, tok: Token, parse_expr: ParseExpr) -> ast.Template:
    raw = str(tok)
    quote = 3 if tok.type == "LONG_STRING" else 1
    content = raw[quote:-quote]
    start = (tok.line or 1, (tok.column or 1) + quote)
    loc = Location(path, tok.line or 1, tok.column or 1, tok.end_line, tok.end_column)
    pieces = _split(path, content, start)
    exprs: list[ast.Expr] = []
    joined: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            joined.append(piece)
            continue
        text, line, col = piece
        exprs.append(_parse_part(path, text, line, col, parse_expr))
        joined.append(f"{_MARK}{len(exprs) - 1}{_MARK}")
    decoded = _decode("".join(joined), quote == 3, loc)
    return ast.Template(_reassemble(decoded, exprs), loc)


def _split(path: str, content: str, start: tuple[int, int]) -> list[str | tuple[str, int, int]]:
    """Literal text and (expression text, line, column) pieces, braces resolved."""
    pieces: list[str | tuple[str, int, int]] = []
    text: list[str] = []
    i = 0
    while i < len(content):
        ch = content[i]
        if ch in "{}" and content[i + 1 : i + 2] == ch:
            text.append(ch)
            i += 2
            continue
        if ch == "}":
            raise _error(path, content, start, i, "single `}` in message; write `}}` for a brace")
        if ch != "{":
            text.append(ch)
            i += 1
            continue
        end = _closing(content, i)
        if end < 0:
            raise _error(path, content, start, i, "`{` in message is never closed")
        inner = content[i + 1 : end]
        if not inner.strip():
            raise _error(path, content, start, i, "empty `{}` in message")
        pieces.append("".join(text))
        text = []
        line, col = _position(content, start, i + 1)
        pieces.append((inner, line, col))
        i = end + 1
    pieces.append("".join(text))
    return pieces


def _closing(content: str, open_at: int) -> int:
    depth = 0
    in_string = False
    i = open_at
    while i < len(content):
        ch = content[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _position(content: str, start: tuple[int, int], offset: int) -> tuple[int, int]:
    before = content[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return start[0], start[1] + offset
    return start[0] + newlines, offset - before.rfind("\n")


_WORDS = frozenset(["true", "false", "null", "unknown", "not", "all", "any", "none"])
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _parse_part(path: str, text: str, line: int, col: int, parse_expr: ParseExpr) -> ast.Expr:
    if _SIMPLE.fullmatch(text) and text.split(".")[0] not in _WORDS:
        # `{id}`, `{cfg.Status}`: a plain path needs no parser run
        return _simple_path(path, text, line, col)
    # Parsed on its own, then moved to where it sits: padding the text to its position
    # would make each placeholder cost as much as the file before it.
    try:
        parsed = parse_expr(path, text.replace('\\"', '"'))
    except PolicyError as exc:
        where = None if exc.location is None else _moved(exc.location, line, col)
        raise PolicyError(
            f"in message template: {exc.message}", code=codes.BAD_TEMPLATE, location=where
        ) from None
    moved: ast.Expr = _moved(parsed, line, col)
    return moved


def _moved(value: Any, line: int, col: int) -> Any:
    """``value`` (an AST node, a location, or tuples of them) with every location moved
    from line 1, column 1 to ``line``, ``col``."""
    if isinstance(value, Location):
        start_col = value.column + col - 1 if value.line == 1 else value.column
        end_line, end_col = value.end_line, value.end_column
        if end_line is not None and end_col is not None and end_line == 1:
            end_col += col - 1
        return Location(
            value.file,
            value.line + line - 1,
            start_col,
            None if end_line is None else end_line + line - 1,
            end_col,
        )
    if isinstance(value, tuple):
        return tuple(_moved(item, line, col) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return dataclasses.replace(
            value, **{f.name: _moved(getattr(value, f.name), line, col) for f in fields}
        )
    return value


def _simple_path(path: str, text: str, line: int, col: int) -> ast.Expr:
    names = text.split(".")
    head = ast.Name(names[0], Location(path, line, col, line, col + len(names[0])))
    if len(names) == 1:
        return head
    steps = []
    at = col + len(names[0]) + 1
    for name in names[1:]:
        steps.append(ast.Key(name, Location(path, line, at, line, at + len(name))))
        at += len(name) + 1
    return ast.PathExpr(head, tuple(steps), Location(path, line, col, line, col + len(text)))


def _decode(joined: str, long: bool, loc: Location) -> str:
    try:
        if long:
            return decode_long_string('"""' + joined + '"""')
        return decode_string('"' + joined + '"')
    except EscapeError as exc:
        raise PolicyError(str(exc), code=codes.BAD_ESCAPE, location=loc) from None


def _reassemble(decoded: str, exprs: list[ast.Expr]) -> tuple[str | ast.Expr, ...]:
    parts: list[str | ast.Expr] = []
    for n, chunk in enumerate(decoded.split(_MARK)):
        if n % 2 == 0:
            if chunk:
                parts.append(chunk)
        else:
            parts.append(exprs[int(chunk)])
    return tuple(parts)


def _error(path: str, content: str, start: tuple[int, int], offset: int, msg: str) -> PolicyError:
    line, col = _position(content, start, offset)
    where = Location(path, line, col, line, col + 1)
    return PolicyError(msg, code=codes.BAD_TEMPLATE, location=where)
