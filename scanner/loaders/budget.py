"""How much work and memory resolving one template's intrinsic functions may take.

A template is untrusted input: nested ``Fn::Sub`` doubles a string per level, nested
``Fn::ForEach`` multiplies iterations, ``Fn::Split`` turns a string into a list. A
``Budget`` is shared by everything that resolves one document (every resource, every
variant, every loop). Each container the resolver walks costs its number of entries in
``steps``; each string or list an intrinsic builds costs its size in ``bytes`` and may not
exceed ``max_string`` on its own; each ``Fn::ForEach`` item (with its outputs) costs
``iterations``, summed over nested loops. The check comes before the value is built, so
going over costs nothing more: it raises ``OverBudget`` with the source path of the
intrinsic that went over, and the loader turns that into one input error for the file.
"""

from __future__ import annotations

from scanner.model import Path

MAX_STEPS = 2_000_000  # container entries walked while resolving one document
MAX_BYTES = 64 * 1024 * 1024  # characters of all strings intrinsics build in one document
MAX_STRING = 4 * 1024 * 1024  # characters of one string an intrinsic builds
MAX_ITERATIONS = 100_000  # Fn::ForEach iterations in one document, nested loops included
LIST_ITEM_BYTES = 64  # what one item of a built list costs (a Python str costs ~50 bytes)


class OverBudget(Exception):
    """Resolving a document went over one of its bounds at source path ``src``."""

    def __init__(self, message: str, src: Path) -> None:
        super().__init__(message)
        self.message = message
        self.src = src


class Budget:
    """The allowance left for one document; ``spend``/``build`` raise ``OverBudget``."""

    __slots__ = (
        "steps",
        "bytes",
        "iterations",
        "max_steps",
        "max_bytes",
        "max_string",
        "max_iterations",
    )

    def __init__(
        self,
        max_steps: int = MAX_STEPS,
        max_bytes: int = MAX_BYTES,
        max_string: int = MAX_STRING,
        max_iterations: int = MAX_ITERATIONS,
    ) -> None:
        self.max_steps = max_steps
        self.max_bytes = max_bytes
        self.max_string = max_string
        self.max_iterations = max_iterations
        self.steps = max_steps
        self.bytes = max_bytes
        self.iterations = max_iterations

    def spend(self, steps: int, src: Path) -> None:
        """Take ``steps`` units of work (walking that many entries)."""
        self.steps -= steps
        if self.steps < 0:
            raise self.out_of_steps(src)

    def out_of_steps(self, src: Path) -> OverBudget:
        message = (
            f"resolving the intrinsic functions of this template takes more than "
            f"{self.max_steps} steps (nested or repeated intrinsics?); the rest of the "
            "file is not scanned"
        )
        return OverBudget(message, src)

    def iterate(self, count: int, src: Path) -> None:
        """Run ``count`` iterations of an ``Fn::ForEach`` loop (an item and its outputs)."""
        self.iterations -= count
        if self.iterations < 0:
            message = (
                f"Fn::ForEach loops of this template run more than {self.max_iterations} "
                "iterations (nested loops multiply); the rest of the file is not scanned"
            )
            raise OverBudget(message, src)

    def build(self, size: int, src: Path, what: str) -> None:
        """Allow building one value of ``size`` characters (``what`` names the function)."""
        if size > self.max_string:
            message = (
                f"{what} builds a value of more than {self.max_string} characters; "
                "the rest of the file is not scanned"
            )
            raise OverBudget(message, src)
        self.bytes -= size
        if self.bytes < 0:
            message = (
                f"intrinsic functions of this template build more than {self.max_bytes} "
                "characters in all; the rest of the file is not scanned"
            )
            raise OverBudget(message, src)
