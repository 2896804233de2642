"""Regular expressions in policies, compiled by RE2: matching takes time linear in the text.

Python's own engine backtracks, and patterns that look harmless (``(.|\\s)*x$``) take
exponential time on a few dozen characters. RE2 (the ``google-re2`` package) never
backtracks, so no pattern can stall a scan; in exchange it has no backreferences and no
lookaround. A pattern Python would accept but RE2 cannot run is P031 and says which
construct to drop; a pattern neither accepts is P030.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

from scanner.lang import codes
from scanner.values import MAX_STRING_RESULT, EvaluationError

# The standard library's pattern parser (``re._parser`` from 3.11, ``sre_parse`` before),
# only used to say *why* RE2 refused a pattern Python accepts.
try:
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # Python 3.10
    _sre = importlib.import_module("sre_parse")

MAX_PATTERN = 1000  # characters of a pattern
MAX_PROGRAM_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern

_SEEN_ENTRIES = 4096  # answers kept per pattern
_SEEN_TEXT = 256  # longest text whose answer is kept


@functools.cache
def _re2() -> tuple[Any, Any]:
    """The ``re2`` module and the options patterns compile with, imported when a policy
    first holds a pattern (most scans compile none)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.max_mem = MAX_PROGRAM_MEMORY
    return re2, options


@functools.cache
def _group_reference() -> re.Pattern[str]:
    """``\\1``, ``\\g<name>`` or another escape in a replacement (compiled on first use)."""
    return re.compile(r"\\(?:([1-9][0-9]?)|g<([^<>]*)>|(.))", re.DOTALL)


class RegexProblem(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PolicyRegex:
    """A compiled policy pattern. ``search`` and ``sub`` take linear time in the text."""

    __slots__ = ("pattern", "_compiled", "_seen")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled
        self._seen: dict[str, bool] = {}  # answers for short texts (CIDRs, ARNs repeat)

    def __repr__(self) -> str:
        return f"PolicyRegex({self.pattern!r})"

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``.

        A call into RE2 costs several microseconds (the text is encoded to UTF-8 and a
        match object built), ten times Python's engine on short strings; scans ask the
        same question of the same short values over and over, so those answers are kept.
        """
        known = self._seen.get(text)
        if known is not None:
            return known
        try:
            found = self._compiled.search(text) is not None
        except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold
            found = self._compiled.search(_encodable(text)) is not None
        if len(text) <= _SEEN_TEXT and len(self._seen) < _SEEN_ENTRIES:
            self._seen[text] = found
        return found

    def sub(self, replacement: str, text: str) -> str:
        """Every match replaced; ``\\1``, ``\\g<1>`` and ``\\g<name>`` insert a group.
        An EvaluationError when the result would be over MAX_STRING_RESULT characters."""
        pieces = _template(replacement, self._compiled)
        text = _encodable(text)
        out: list[str] = []
        size = end = 0
        for match in self._compiled.finditer(text):
            out.append(text[end : match.start()])
            for piece in pieces:
                out.append(piece if isinstance(piece, str) else match.group(piece[0]) or "")
            end = match.end()
            size += sum(len(part) for part in out[-len(pieces) - 1 :])
            if size > MAX_STRING_RESULT:
                raise EvaluationError(
                    f"regex_replace() result is over the limit of {MAX_STRING_RESULT:,} characters"
                )
        out.append(text[end:])
        return "".join(out)


def compile_regex(pattern: str) -> PolicyRegex:
    """The compiled pattern, or ``RegexProblem`` (P030 invalid, P031 not supported)."""
    if len(pattern) > MAX_PATTERN:
        raise RegexProblem(
            codes.BAD_REGEX, f"regular expression is longer than {MAX_PATTERN} characters"
        )
    if _encodable(pattern) != pattern:
        raise RegexProblem(codes.BAD_REGEX, "regular expression holds a lone surrogate")
    re2, options = _re2()
    try:
        return PolicyRegex(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        refusal = _message(exc)
    unsupported = _unsupported(pattern)
    if unsupported is not None:
        raise RegexProblem(
            codes.UNSAFE_REGEX,
            f"regular expression uses {unsupported}, which pacscan does not support: "
            "patterns run on RE2, which matches in linear time and has no backreferences "
            "or lookaround",
        )
    raise RegexProblem(codes.BAD_REGEX, f"invalid regular expression: {refusal}")


def _message(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else str(exc)
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    if detail == "pattern too large - compile failed":
        return "pattern too large (it expands to too many states)"
    return str(detail)


_CONSTRUCTS = {
    "GROUPREF": "a backreference (\\1, (?P=name))",
    "GROUPREF_EXISTS": "a conditional group (?(1)...)",
    "ASSERT": "a lookahead or lookbehind ((?=...), (?<=...))",
    "ASSERT_NOT": "a negative lookahead or lookbehind ((?!...), (?<!...))",
    "ATOMIC_GROUP": "an atomic group (?>...)",
    "POSSESSIVE_REPEAT": "a possessive repeat (*+, ++, ?+)",
}


def _unsupported(pattern: str) -> str | None:
    """The construct Python's engine accepts and RE2 does not, or None."""
    if "\\Z" in pattern.replace("\\\\", ""):
        return "\\Z (write \\z for the end of the text)"
    try:
        parsed = _sre.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    return _find(list(parsed))


def _find(items: list[tuple[Any, Any]]) -> str | None:
    for op, arg in items:
        name = str(op)
        if name in _CONSTRUCTS:
            return _CONSTRUCTS[name]
        for sub in _subpatterns(name, arg):
            found = _find(list(sub))
            if found is not None:
                return found
    return None


def _subpatterns(name: str, arg: Any) -> list[Any]:
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        return [arg[2]]
    if name == "SUBPATTERN":
        return [arg[-1]]
    if name == "BRANCH":
        return list(arg[1])
    return []


def _template(replacement: str, compiled: Any) -> list[str | tuple[int | str]]:
    """``replacement`` as text pieces and 1-tuples naming a group."""
    pieces: list[str | tuple[int | str]] = []
    end = 0
    for match in _group_reference().finditer(replacement):
        pieces.append(replacement[end : match.start()])
        number, name, other = match.groups()
        if other is not None:
            pieces.append(_ESCAPES.get(other, "\\" + other))
        else:
            key = number or name
            pieces.append((_group(int(key) if key.isdigit() else key, compiled),))
        end = match.end()
    pieces.append(replacement[end:])
    return [piece for piece in pieces if piece != ""]


def _group(key: int | str, compiled: Any) -> int | str:
    if isinstance(key, int) and key > compiled.groups:
        raise EvaluationError(
            f"regex_replace() replacement refers to group {key}, "
            f"but the pattern has {compiled.groups}"
        )
    if isinstance(key, str) and key not in compiled.groupindex:
        raise EvaluationError(f"regex_replace() replacement refers to unknown group {key!r}")
    return key


def _encodable(text: str) -> str:
    """``text`` with any lone surrogate (which UTF-8, and so RE2, cannot hold) as ``?``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
