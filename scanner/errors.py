"""The one root exception and how errors are rendered.

Every user-facing problem (a policy typo, a broken template, a denied AWS call) is a
``PacscanError`` with a stable ``code`` and, where there is one, a ``Location``.
Modules wrap third-party errors at their boundary (``raise PacscanError(...) from e``).
"""

from __future__ import annotations

from scanner.model import Location
from scanner.records import record


class PacscanError(Exception):
    """Base of every error pacscan reports to a user."""

    code: str = "E000"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: Location | None = None,
        hint: str | None = None,
        source_line: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.location = location
        self.hint = hint
        self.source_line = source_line

    def __str__(self) -> str:
        return render_diagnostic(self.diagnostic())

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            message=self.message,
            location=self.location,
            hint=self.hint,
            source_line=self.source_line,
        )


class UsageError(PacscanError):
    """A bad command line or configuration value (exit code 2)."""

    code = "USAGE"


class PolicyError(PacscanError):
    """A policy that does not parse, check or compile (exit code 2)."""

    code = "P000"


class InputError(PacscanError):
    """An input file or API answer that cannot be read (exit code 3 unless findings)."""

    code = "I000"


@record
class Diagnostic:
    """An error as data: what reports and notifications carry."""

    code: str
    message: str
    location: Location | None = None
    hint: str | None = None
    source_line: str | None = None
    severity: str = "error"
    file: str | None = None  # for errors about a whole file (no line), e.g. binary data


EXCERPT = 120  # characters of a source line shown around the column of an error


def excerpt(line: str, column: int, width: int) -> tuple[str, int, int]:
    """At most ``EXCERPT`` characters of ``line`` around ``column`` (1-based), ``...``
    where cut, and the column and caret width inside that excerpt.

    A minified template is one line: quoting it whole (with a caret line as long) would
    print megabytes for one error.
    """
    if len(line) <= EXCERPT:
        return line, column, width
    start = max(0, min(column - 1 - EXCERPT // 2, len(line) - EXCERPT))
    end = start + EXCERPT
    head = "..." if start else ""
    tail = "..." if end < len(line) else ""
    column = column - start + len(head)
    width = max(1, min(width, end - start + len(head) - column + 1))
    return head + line[start:end] + tail, column, width


def render_diagnostic(diag: Diagnostic) -> str:
    """``file:line:col: error[CODE]: message``, the source line and a caret.

    File names, messages and source lines come from untrusted input: control characters
    are shown escaped (one diagnostic cannot forge another line of a CI log), and secret-
    looking values in the source line are masked.
    """
    from scanner.escape import printable
    from scanner.redact import redact

    loc = diag.location
    head = f"{loc}: " if loc is not None else (f"{diag.file}: " if diag.file else "")
    lines = [printable(f"{head}{diag.severity}[{diag.code}]: {diag.message}")]
    if loc is not None and diag.source_line is not None:
        width = 1
        if loc.end_line == loc.line and loc.end_column and loc.end_column > loc.column:
            width = loc.end_column - loc.column
        src, column, width = excerpt(
            diag.source_line.rstrip("\r\n").expandtabs(1), loc.column, width
        )
        lines.append(f"  {printable(redact(src))}")
        indent = len(printable(redact(src[: column - 1])))  # as shown, masked values too
        lines.append("  " + " " * indent + "^" * max(1, width))
    if diag.hint:
        lines.append(printable(f"  hint: {diag.hint}"))
    return "\n".join(lines)
