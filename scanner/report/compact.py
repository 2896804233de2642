"""One line of compact JSON per report item, and the items' lines in batches.

``json.dumps`` with any non-default option builds a new encoder for every call; a report
of 200,000 findings made one call per finding. ``compact`` keeps one C encoder per set of
options (the same one ``json.dumps`` would build, so the text is identical), and
``batched`` joins a few hundred lines into one piece, so a writer makes a few hundred
writes instead of one per finding while still holding only one batch at a time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from json import encoder as _encoder
from typing import Any

BATCH = 256  # items per piece


@lru_cache(maxsize=4)
def _encoder_for(sort_keys: bool) -> Callable[[Any], str]:
    options = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), sort_keys=sort_keys)
    make = getattr(_encoder, "c_make_encoder", None)
    if make is None:  # CPython built without the _json accelerator
        return options.encode
    # the arguments JSONEncoder.iterencode passes for a one-shot call of these options,
    # without the circular-reference check: report data is built fresh, never cyclic
    one_shot = make(
        None,
        options.default,
        _encoder.encode_basestring,
        options.indent,
        options.key_separator,
        options.item_separator,
        options.sort_keys,
        options.skipkeys,
        options.allow_nan,
    )
    return lambda value: "".join(one_shot(value, 0))


def compact(value: Any, *, sort_keys: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=...)``."""
    return _encoder_for(sort_keys)(value)


def batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
