"""Secret-looking values hidden in the source lines a report echoes.

A report shows the line a finding points at, and a CI log is read by many. A line that
holds a credential keeps its shape with the value replaced by ``***``:

- the value of a key whose name says it is secret (``password``, ``secret``, ``token``,
  ``private key``, ``api key``, ``access key``, ``credential``, ``passphrase``), written
  as ``Key: value``, ``"Key": "value"`` or ``key = "value"``; references stay readable
  (``!Ref DbPassword``, ``{{resolve:secretsmanager:...}}``, ``var.db_password``, an
  ARN), and so do numbers and booleans (``MinimumPasswordLength: 14``);
- values that look like credentials wherever they are: AWS access key ids
  (``AKIA``/``ASIA`` + 16), 40-character secret access keys, GitHub and Slack tokens,
  the password in ``scheme://user:password@host``, and everything after a
  ``-----BEGIN ... PRIVATE KEY-----`` header;
- the defaults of a template's ``NoEcho`` parameters, wherever they appear.

Every pattern is bounded (no unbounded repetition next to another), so a hostile line of
any length is masked in linear time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from scanner.model import Document, Location, QuotedDocument

MASK = "***"

_SECRET_WORD = (
    r"(?:passw(?:or)?d|passphrase|secret|token|private[_ -]?key|api[_ -]?key"
    r"|access[_ -]?key|credential|auth[_ -]?key|pwd)"
)


class _Patterns:
    """What ``redact`` looks for, compiled the first time a line is redacted (a scan
    whose reports quote no source line needs none of it)."""

    def __init__(self) -> None:
        # the rest of the key name, its closing quote, the separator, then the value
        self.key_value = re.compile(
            rf"""(?P<head>{_SECRET_WORD}[\w.-]{{0,64}}["']?[ \t]{{0,16}}"""
            r"""(?::|=(?!=)>?)[ \t]{0,16})"""
            r"""(?P<value>"[^"\n]{0,1024}"?|'[^'\n]{0,1024}'?|[^\s,}\]#"'][^,}\]#\n]{0,1024})""",
            re.IGNORECASE,
        )
        self.reference = re.compile(
            r"""^(?:!(?:Ref|GetAtt|ImportValue|FindInMap|Select|If|Sub\s+\$\{[\w:.-]+\}$)\b"""
            r"""|\{\{resolve:|\$\{[\w:.-]+\}$|arn:|[{\[]|$"""
            r"""|(?:var|local|module|data|aws_\w+|random_\w+)\.[\w.\[\]"-]+$)""",
            re.IGNORECASE,
        )
        self.plain_value = re.compile(
            r"^(?:-?\d+(?:\.\d+)?|true|false|yes|no|on|off|null|~|none|\*+)$", re.IGNORECASE
        )
        self.tokens = (
            re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Z0-9])"),
            re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}"),
            re.compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,255}"),
        )
        # 40 characters of base64 with upper case, lower case and a digit (not a hex digest)
        self.secret_access_key = re.compile(
            r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
        )
        self.url_password = re.compile(
            r"(?P<head>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}://[^\s:/@]{1,256}:)[^\s@/]{1,256}(?=@)",
            re.IGNORECASE,
        )
        self.private_key = re.compile(
            r"(?P<head>-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----).*"
        )


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


def redact(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` with every secret-looking value replaced by ``***``."""
    for secret in secrets:
        if secret in line:
            line = line.replace(secret, MASK)
    patterns = _patterns()
    line = patterns.private_key.sub(lambda m: m.group("head") + MASK, line)
    line = patterns.key_value.sub(_mask_value, line)
    line = patterns.url_password.sub(lambda m: m.group("head") + MASK, line)
    for pattern in patterns.tokens:
        line = pattern.sub(MASK, line)
    return patterns.secret_access_key.sub(_mask_access_key, line)


def source_line(document: Document, line: int, limit: int | None = None) -> str | None:
    """Line ``line`` of ``document`` as a report may echo it (its first ``limit``
    characters), with secrets masked."""
    text = document.source_line(line)
    if text is None:
        return None
    return redact(text if limit is None else text[:limit], no_echo_defaults(document))


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value").rstrip()
    bare = value.strip("\"'").strip()
    patterns = _patterns()
    if patterns.reference.match(bare) or patterns.plain_value.match(bare):
        return match.group()
    quote = value[0] if value[0] in "\"'" else ""
    closing = quote if len(value) > 1 and value.endswith(quote) else ""
    trailing = match.group("value")[len(value) :]
    return f"{match.group('head')}{quote}{MASK}{closing}{trailing}"


def _mask_access_key(match: re.Match[str]) -> str:
    text = match.group()
    mixed = any(c.isupper() for c in text) and any(c.islower() for c in text)
    return MASK if mixed and any(c.isdigit() for c in text) else text


@functools.lru_cache(maxsize=64)
def no_echo_defaults(document: Document) -> frozenset[str]:
    """The ``Default`` values of a template's ``NoEcho`` parameters, as written."""
    if isinstance(document, QuotedDocument):
        return document.secrets
    return no_echo_values(document)


def no_echo_values(document: Document) -> frozenset[str]:
    """``no_echo_defaults`` read from the document itself, and not remembered (a pipeline
    that drops each document once its file is done must not keep it in a cache)."""
    if document.text is not None and "NoEcho" not in document.text:
        return frozenset()  # a text search, before a walk of the whole index
    found = set()
    positions = document.positions
    for path in positions:  # the keys only: a position index makes each span on demand
        if len(path) != 3 or path[0] != "Parameters" or path[2] != "NoEcho":
            continue
        if _text(document, positions[path].value).strip("\"'").lower() != "true":
            continue
        default = positions.get(("Parameters", path[1], "Default"))
        text = _text(document, default.value).strip("\"'") if default else ""
        if len(text) >= 3:  # a one- or two-character default would mask too much
            found.add(text)
    return frozenset(found)


def _text(document: Document, location: Location) -> str:
    if location.end_line != location.line or location.end_column is None:
        return ""  # a block scalar or a nested node: not a plain default
    line = document.source_line(location.line) or ""
    return line[location.column - 1 : location.end_column - 1].strip()
