"""A one-line progress bar on stderr while a collection runs."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

WIDTH = 24


class Progress:
    """Redraws ``[#####-----] 12/40 tasks, 523 resources, 1 error`` in place.

    Shown only when ``enabled`` and the stream is a terminal; otherwise every call is a
    no-op, so a redirected stderr never fills with carriage returns.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self.resources = 0
        self.errors = 0
        self.accounts: tuple[int, int] | None = None  # (done, total) when counted
        self.shown = enabled and _is_terminal(self.stream)
        self._lock = threading.Lock()

    def advance(self, resources: int, errors: int) -> None:
        with self._lock:
            self.done += 1
            self.resources += resources
            self.errors += errors
            self._draw()

    def found(self, resources: int, errors: int) -> None:
        """Count what tasks done earlier found, told later (by a scan on a cluster)."""
        with self._lock:
            self.resources += resources
            self.errors += errors
            self._draw()

    def _draw(self) -> None:
        if self.shown:
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def account_done(self, total: int) -> None:
        """Count one more account finished out of ``total`` (shown before the tasks)."""
        with self._lock:
            done = self.accounts[0] + 1 if self.accounts else 1
            self.accounts = (done, total)

    def line(self) -> str:
        filled = WIDTH * self.done // self.total if self.total else WIDTH
        bar = "#" * filled + "-" * (WIDTH - filled)
        errors = f"{self.errors} error" + ("" if self.errors == 1 else "s")
        accounts = f"{self.accounts[0]}/{self.accounts[1]} accounts, " if self.accounts else ""
        tasks = f"{self.done}/{self.total} tasks"
        return f"[{bar}] {accounts}{tasks}, {self.resources} resources, {errors}"

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
