"""The built-in functions of the policy language, registered by family.

Each family module declares a ``FUNCTIONS`` tuple of ``Builtin`` specs; ``REGISTRY`` maps
a name to its spec. ``related(TYPE, PATH)`` needs the evaluation context, so the compiler
builds it itself (scanner/engine/relations.py); ``SPECIAL`` lists it for name checks.
"""

from __future__ import annotations

from scanner.lang.builtins import collections, iam, iam_public, json_fns, network, strings, time
from scanner.lang.builtins.spec import Builtin

FAMILIES: dict[str, tuple[Builtin, ...]] = {
    "strings": strings.FUNCTIONS,
    "collections": collections.FUNCTIONS,
    "network": network.FUNCTIONS,
    "json": json_fns.FUNCTIONS,
    "iam": iam.FUNCTIONS + iam_public.FUNCTIONS,
    "time": time.FUNCTIONS,
}

REGISTRY: dict[str, Builtin] = {fn.name: fn for family in FAMILIES.values() for fn in family}

# Calls the compiler handles itself (they need the evaluation context, not just values).
SPECIAL = ("related",)

__all__ = ["FAMILIES", "REGISTRY", "SPECIAL", "Builtin"]
