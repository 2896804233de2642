"""Friendly messages for Lark parse errors (``UnexpectedInput.match_examples``).

Each message is keyed by a few broken snippets; Lark matches the parser state of a real
error against the states these snippets fail in.
"""

from __future__ import annotations

import functools

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from scanner.errors import PolicyError
from scanner.lang import codes
from scanner.model import Location

_HEAD = 'policy P { id = "PAC-X-1" '

EXAMPLES: dict[str, list[str]] = {
    "missing `}` after policy body": [
        "policy P {",
        _HEAD,
        _HEAD + "let x = 1",
        _HEAD + "when Properties.A",
        _HEAD + "fix remove Properties.A",
        _HEAD + "resource AWS::S3::Bucket",
        _HEAD + "assert Properties.A exists",
        _HEAD + "example pass { A: 1 }",
        _HEAD + 'title = "t" policy',
    ],
    "a policy needs a name: `policy NAME { ... }`": ["policy { }", 'policy "P" { }'],
    "missing `{` after the policy name": ["policy P id", "policy P }"],
    "metadata needs `=`: write `key = value`": [_HEAD + 'title "t" }', _HEAD + "severity high }"],
    "expected an expression": [
        _HEAD + "assert }",
        _HEAD + "when }",
        "let x = }",
        _HEAD + "assert Properties.A == }",
        _HEAD + "assert Properties.A and }",
        _HEAD + "assert not }",
    ],
    "`else` must be followed by a message string": [
        _HEAD + "assert Properties.A exists else }",
        _HEAD + "assert Properties.A exists else x }",
    ],
    "a quantifier reads `all COLLECTION as NAME: CONDITION`": [
        _HEAD + "assert all Properties.A[*] Properties }",
        _HEAD + "assert all Properties.A[*]: x }",
        _HEAD + "assert any Properties.A[*] as: x }",
        _HEAD + "assert none Properties.A[*] as x x }",
        _HEAD + "assert all A Properties }",
        _HEAD + "assert all A: x }",
        _HEAD + "assert all f(A) x }",
    ],
    "missing `)`": [_HEAD + "assert f(Properties.A }", "let x = (Properties.A", "let x = f(1, 2"],
    "missing `]`": ["let x = [1, 2", _HEAD + "assert Properties.A[0 }", "let x = A[? @.B"],
    "a file holds `policy`, `let`, `def` and `param` declarations": [
        "assert x",
        "id = 1",
        "foo",
        "when x",
    ],
    "a param reads `param NAME: TYPE = DEFAULT`": [
        "param x = 1",
        "param x: number",
        "param x number = 1",
    ],
    "comparisons do not chain; combine them with `and`": [
        "let x = A == 1 == 2",
        "let x = A < 1 < 2",
        "let x = A in B in C",
    ],
    "an example reads `example pass|fail|unknown|skip [at PATH] { ... }`": [
        _HEAD + "example { } }",
        _HEAD + "example pass }",
        _HEAD + "example ok { } }",
        _HEAD + "example pass at { } }",
    ],
    "a fix reads `fix set PATH = VALUE`, `fix remove PATH` or `fix append PATH VALUE`": [
        _HEAD + "fix Properties.A }",
        _HEAD + "fix set Properties.A }",
        _HEAD + "fix set Properties.A[*] = 1 }",
        _HEAD + "fix append Properties.A }",
    ],
    "`=` assigns only in metadata, `let` and `fix set`; compare with `==`": [
        _HEAD + "assert Properties.A = 1 }",
        _HEAD + "assert A = 1 }",
        _HEAD + "assert A[0] = 1 }",
        _HEAD + 'assert "a" = 1 }',
        "let x = A = 1",
        _HEAD + "when Properties.A = 1 }",
    ],
    "a def reads `def NAME(PARAMS) = EXPRESSION`": ["def f = 1", "def f(x) x", "def (x) = 1"],
}

_NAMED = {
    "NAME": "a name",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "NUMBER": "a number",
    "RESOURCE_TYPE": "a resource type",
    "COMPARE": "a comparison",
    "$END": "end of file",
}


def syntax_error(
    exc: UnexpectedInput, parser: Lark, path: str, text: str, start: str
) -> PolicyError:
    """A ``PolicyError`` (P001) at the error position, with the friendliest message."""
    location = _location(exc, path, text)
    misplaced = _misplaced_keyword(exc, path)
    if misplaced is not None:
        return misplaced
    if _late_use(exc):
        message = (
            "`use` lines come first in a file, before every `param`, `let`, `def` and `policy`"
        )
        return PolicyError(message, code=codes.SYNTAX, location=location)
    if isinstance(exc, UnexpectedCharacters):
        message = _character_message(text, exc.pos_in_stream or 0)
    else:
        label = _match(exc, parser) if start == "start" else None
        message = label or _token_message(exc, parser)
        if label and isinstance(exc, UnexpectedToken):
            message = f"{message} (got {_describe_token(exc)})"
    return PolicyError(message, code=codes.SYNTAX, location=location)


def _late_use(exc: UnexpectedInput) -> bool:
    """``use`` where a declaration may start: a ``use`` after the file's first item."""
    if not isinstance(exc, UnexpectedToken) or str(exc.token) != "use":
        return False
    return "POLICY" in exc.expected and "DEF" in exc.expected


_KEYWORDS = frozenset(
    "and or not in is matches startswith endswith contains exists empty as all any none "
    "else".split()
)


def _misplaced_keyword(exc: UnexpectedInput, path: str) -> PolicyError | None:
    """An operator where a policy item may start is read as a metadata key; say what it is.

    (``assert A is empty matches "x"`` fails at the string, after ``matches`` was taken
    for the start of ``matches = ...``.)
    """
    state = getattr(exc, "state", None)
    stack = getattr(state, "value_stack", None)
    if not stack or not isinstance(exc, UnexpectedToken):
        return None
    last = stack[-1]
    if not isinstance(last, Token) or last.type != "NAME" or str(last) not in _KEYWORDS:
        return None
    where = Location(path, last.line or 1, last.column or 1, last.end_line, last.end_column)
    return PolicyError(
        f"`{last}` cannot follow here: comparisons and tests do not chain; "
        "combine them with `and`/`or` or use parentheses",
        code=codes.SYNTAX,
        location=where,
    )


def _match(exc: UnexpectedInput, parser: Lark) -> str | None:
    state = getattr(exc, "state", None)
    if state is None:
        return None
    return _labels(parser).get((state.position, _token_type(exc)))


@functools.lru_cache(maxsize=4)
def _labels(parser: Lark) -> dict[tuple[int, str], str]:
    """(LR state, unexpected token type) -> message, from where each snippet fails."""
    out: dict[tuple[int, str], str] = {}
    for label, snippets in EXAMPLES.items():
        for snippet in snippets:
            try:
                parser.parse(snippet, start="start")
            except UnexpectedInput as ut:
                state = getattr(ut, "state", None)
                if state is not None:
                    out.setdefault((state.position, _token_type(ut)), label)
    return out


def _token_type(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    return "$END" if token is None else str(token.type)


def _location(exc: UnexpectedInput, path: str, text: str) -> Location:
    token = getattr(exc, "token", None)
    if token is not None and token.type == "$END" and token.end_line:
        # Lark places end-of-input on the last token; point just past it instead.
        return Location(path, token.end_line, token.end_column or 1)
    if isinstance(exc, UnexpectedEOF) or getattr(exc, "line", -1) < 1:
        lines = text.splitlines() or [""]
        return Location(path, len(lines), len(lines[-1]) + 1)
    end = getattr(token, "end_column", None) if token is not None else None
    return Location(path, exc.line, exc.column, exc.line, end)


def _character_message(text: str, pos: int) -> str:
    ch = text[pos] if 0 <= pos < len(text) else ""
    if ch == "'":
        return 'strings use double quotes ("..."), not single quotes'
    if ch == '"':
        return 'string is never closed (strings end on the same line; use """ for more)'
    if ch == "=" and text[pos : pos + 2] != "==":
        return "`=` assigns only in metadata, `let` and `fix set`; compare with `==`"
    return f"unexpected character {ch!r}"


def _token_message(exc: UnexpectedInput, parser: Lark) -> str:
    expected = sorted(getattr(exc, "accepts", None) or getattr(exc, "expected", None) or [])
    names = sorted({_describe_terminal(parser, name) for name in expected})
    if isinstance(exc, UnexpectedEOF):
        head = "unexpected end of file"
    else:
        head = f"unexpected {_describe_token(exc)}"
    if not names:
        return head
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f"{head}; expected {shown}"


def _describe_token(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    if token is None or token.type == "$END":
        return "end of file"
    if token.type in _NAMED and token.type != "COMPARE":
        return f"{_NAMED[token.type].split(' ', 1)[1]} `{token}`"
    return f"`{token}`"


def _describe_terminal(parser: Lark, name: str) -> str:
    if name in _NAMED:
        return _NAMED[name]
    pattern = _patterns(parser).get(name)
    return f"`{pattern}`" if pattern else name.lower()


@functools.lru_cache(maxsize=4)
def _patterns(parser: Lark) -> dict[str, str]:
    out: dict[str, str] = {}
    for term in parser.terminals:
        if term.pattern.type == "str":
            out[term.name] = term.pattern.value
    return out
