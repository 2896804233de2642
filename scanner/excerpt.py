"""The source line an error quotes: bounded, so no file reaches a log whole.

An error about a policy or config file shows the offending line with a caret. A hostile
file can make that line anything: megabytes long (a minified blob, a 15 MB string) or
not a policy at all. ``source_excerpt`` quotes at most ``MAX_EXCERPT`` characters of the
line, and nothing when the error's column lies past them (the caret would point at text
not shown). Control characters are escaped when the diagnostic is rendered
(``scanner.errors.render_diagnostic``).
"""

from __future__ import annotations

from scanner.model import Location

MAX_EXCERPT = 200  # characters of a source line quoted in an error message


def source_excerpt(text: str, location: Location | None) -> str | None:
    """At most ``MAX_EXCERPT`` characters of ``location``'s line of ``text`` (or None)."""
    if location is None or location.line < 1 or location.column > MAX_EXCERPT:
        return None
    start = 0
    for _ in range(location.line - 1):  # no splitlines(): a huge file is not copied
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start, start + MAX_EXCERPT + 1)
    if end == -1:
        end = min(len(text), start + MAX_EXCERPT + 1)
    line = text[start:end].rstrip("\r")
    return line if len(line) <= MAX_EXCERPT else line[:MAX_EXCERPT] + " [...]"
