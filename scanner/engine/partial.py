"""What can be decided about a partial string: known text around parts not known statically.

``arn:${AWS::Partition}:iam::${AWS::AccountId}:root`` with the pseudo parameters not
given is unknown, but its known text still settles some questions: it is not ``"*"``,
it starts with ``"arn:"``, it contains ``":iam::"``. Each function here answers True or
False when the known text settles the question and ``None`` when it does not.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from scanner.model import Partial


def partial_of(value: Any) -> Partial | None:
    """``value`` when it is a partial string, else None."""
    return value if type(value) is Partial else None


@functools.lru_cache(maxsize=4096)
def _pattern(chunks: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(chunk) for chunk in chunks), re.DOTALL)


def could_equal(value: Partial, text: str) -> bool:
    """Whether some value of the unknown parts makes the string equal ``text``."""
    return _pattern(value.chunks()).fullmatch(text) is not None


def starts_with(value: Partial, part: str) -> bool | None:
    return _affix(value.chunks()[0], part, lambda a, b: a.startswith(b))


def ends_with(value: Partial, part: str) -> bool | None:
    return _affix(value.chunks()[-1], part, lambda a, b: a.endswith(b))


def _affix(known: str, part: str, test: Any) -> bool | None:
    if len(known) >= len(part):
        return bool(test(known, part))
    return None if test(part, known) else False


def contains(value: Partial, part: str) -> bool | None:
    """True when the known text holds ``part``; otherwise the unknown parts might."""
    return True if any(part in chunk for chunk in value.chunks()) else None
