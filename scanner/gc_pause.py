"""Pausing Python's cyclic garbage collector while acyclic data piles up."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector paused inside the block, as it was again after it.

    Readers build acyclic trees of many small containers, and evaluation piles up
    findings that hold no cycles: collections triggered by those allocations only rescan
    live objects (they more than double the reading time of a large file, and cost about
    a tenth of a large evaluation). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
