"""What can be decided about a partial string: an ``Fn::Sub`` template with unknown parts.

The CloudFormation loader keeps ``!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"``
as ``{"Fn::Sub": ...}`` when the pseudo parameters are not given. Its value is unknown,
but its known text still settles some questions: it is not ``"*"``, it starts with
``"arn:"``, it contains ``":iam::"``. Each function here answers True or False when the
known text settles the question and ``None`` when it does not.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


def template_of(value: Any) -> str | None:
    """The template of a partial string, or None for any other value."""
    if type(value) is dict and len(value) == 1:
        template = value.get("Fn::Sub")
        if type(template) is str:
            return template
    return None


@functools.lru_cache(maxsize=4096)
def _chunks(template: str) -> tuple[str, ...]:
    """The known text between unknown parts: ``a${X}b${Y}`` -> ``("a", "b", "")``."""
    chunks = [""]
    pos = 0
    for match in _VARIABLE.finditer(template):
        chunks[-1] += template[pos : match.start()]
        if match.group(1):  # ${!Literal} is the text "${Literal}"
            chunks[-1] += "${" + match.group(2) + "}"
        else:
            chunks.append("")
        pos = match.end()
    chunks[-1] += template[pos:]
    return tuple(chunks)


@functools.lru_cache(maxsize=4096)
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(chunk) for chunk in _chunks(template)), re.DOTALL)


def could_equal(template: str, text: str) -> bool:
    """Whether some value of the unknown parts makes the template equal ``text``."""
    return _pattern(template).fullmatch(text) is not None


def starts_with(template: str, part: str) -> bool | None:
    return _affix(_chunks(template)[0], part, lambda a, b: a.startswith(b))


def ends_with(template: str, part: str) -> bool | None:
    return _affix(_chunks(template)[-1], part, lambda a, b: a.endswith(b))


def _affix(known: str, part: str, test: Any) -> bool | None:
    if len(known) >= len(part):
        return bool(test(known, part))
    return None if test(part, known) else False


def contains(template: str, part: str) -> bool | None:
    """True when the known text holds ``part``; otherwise the unknown parts might."""
    return True if any(part in chunk for chunk in _chunks(template)) else None
