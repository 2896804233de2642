"""Size and depth limits of policy files: what a hostile policy cannot exceed.

Each limit, when exceeded, is a P005 error at the place that crosses it (docs/security.md
lists them). Work while evaluating is bounded separately, per (policy, resource), by
``scanner.engine.context.MAX_STEPS``.
"""

from __future__ import annotations

MAX_POLICY_FILE = 1 << 20  # characters of one policy file, checked before it is parsed
MAX_STRING_LITERAL = 64 << 10  # characters of one string literal, quotes included
MAX_DEF_DEPTH = 32  # defs calling defs calling defs...: the longest chain of def calls
MAX_IMPORT_DEPTH = 8  # modules using modules using modules...: the longest chain of `use`
