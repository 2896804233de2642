"""CloudWatch Logs JSON filter patterns, reduced to the events they can match.

A metric filter such as ``{ ($.eventName = CreateTrail) || ($.eventName = "UpdateTrail") }``
is read into its **alternatives**: a list of conjunctions, each a sorted list of terms
(``["$.eventName = CreateTrail"]``, ``["$.eventName = UpdateTrail"]``). Policies compare
those with the alternatives a benchmark requires: a filter watches an alternative when
one of its own alternatives has no term the required one lacks (fewer conditions match
more events). So whitespace, quotes around a value, redundant parentheses and the order
of the operands of ``&&`` and ``||`` do not matter, and a broader filter also counts.

A term is written ``SELECTOR OP VALUE`` with one space around the operator and the
value's double quotes removed (``$.errorMessage = Failed authentication``), or
``SELECTOR NOT EXISTS`` / ``SELECTOR IS NULL|TRUE|FALSE``. ``&&`` binds tighter than
``||``. Anything else — a text or space-delimited pattern, a syntax error, a pattern
longer than ``MAX_PATTERN`` characters, nesting deeper than ``MAX_DEPTH`` or more than
``MAX_ALTERNATIVES`` alternatives once expanded — reads as no alternative at all: such a
filter watches nothing.
"""

from __future__ import annotations

import re

MAX_PATTERN = 1024  # the longest pattern CloudWatch Logs accepts
MAX_DEPTH = 32
MAX_ALTERNATIVES = 512

Alternative = tuple[str, ...]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\})
    | (?P<word>[^\s"(){}&|=!<>]+)
    )""",
    re.X,
)


class PatternError(ValueError):
    """A filter pattern that is not a JSON filter pattern pacscan can read."""


def alternatives(pattern: str) -> list[list[str]]:
    """The alternatives of a JSON filter pattern; ``[]`` when it cannot be read."""
    try:
        found = _Parser(pattern).parse()
    except PatternError:
        return []
    return [list(alt) for alt in sorted(set(found))]


def _tokens(pattern: str) -> list[str]:
    if len(pattern) > MAX_PATTERN:
        raise PatternError("pattern too long")
    tokens: list[str] = []
    position = 0
    text = pattern.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PatternError(f"unexpected text at {position}")
        tokens.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.tokens = _tokens(pattern)
        self.at = 0

    def parse(self) -> list[Alternative]:
        self._expect("{")
        found = self._or(0)
        self._expect("}")
        if self.at != len(self.tokens):
            raise PatternError("text after the closing brace")
        return found

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> str:
        token = self._peek()
        if token is None:
            raise PatternError("pattern ends too early")
        self.at += 1
        return token

    def _expect(self, token: str) -> None:
        if self._next() != token:
            raise PatternError(f"expected {token}")

    def _or(self, depth: int) -> list[Alternative]:
        found = self._and(depth)
        while self._peek() == "||":
            self.at += 1
            found = found + self._and(depth)
            _check_size(found)
        return found

    def _and(self, depth: int) -> list[Alternative]:
        found = self._atom(depth)
        while self._peek() == "&&":
            self.at += 1
            right = self._atom(depth)
            _check_size(found, right)
            found = [tuple(sorted(set(a) | set(b))) for a in found for b in right]
        return found

    def _atom(self, depth: int) -> list[Alternative]:
        if depth > MAX_DEPTH:
            raise PatternError("nested too deeply")
        if self._peek() == "(":
            self.at += 1
            found = self._or(depth + 1)
            self._expect(")")
            return found
        return [(self._term(),)]

    def _term(self) -> str:
        selector = self._next()
        if not selector.startswith("$"):
            raise PatternError("a term starts with a $ selector")
        operator = self._next()
        if operator.upper() in ("NOT", "IS"):
            operand = self._next().upper()
            if (operator.upper(), operand) not in _KEYWORD_TERMS:
                raise PatternError(f"unknown test {operator} {operand}")
            return f"{selector} {operator.upper()} {operand}"
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise PatternError(f"unknown operator {operator}")
        return f"{selector} {operator} {_value(self._next())}"


_KEYWORD_TERMS = {("NOT", "EXISTS"), ("IS", "NULL"), ("IS", "TRUE"), ("IS", "FALSE")}


def _value(token: str) -> str:
    if token in ("&&", "||", "(", ")", "{", "}"):
        raise PatternError("a comparison needs a value")
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


def _check_size(*parts: list[Alternative]) -> None:
    size = 1
    for part in parts:
        size *= max(1, len(part))
    if size > MAX_ALTERNATIVES or sum(len(p) for p in parts) > MAX_ALTERNATIVES:
        raise PatternError("too many alternatives")
