"""Stable error codes of the policy language (docs/language.md lists each with an example)."""

from __future__ import annotations

SYNTAX = "P001"
BAD_ESCAPE = "P002"
UNREADABLE = "P003"
BAD_NUMBER = "P004"
LIMIT = "P005"

UNKNOWN_NAME = "P010"
UNKNOWN_ATTRIBUTE = "P011"
UNKNOWN_FUNCTION = "P012"
ARITY = "P013"
ARGUMENT_TYPE = "P014"
COLLECTION_OPERAND = "P015"
RECURSIVE_DEF = "P016"
DUPLICATE_NAME = "P017"
UNKNOWN_TYPE_NAME = "P018"
MISPLACED = "P019"

UNKNOWN_METADATA = "P020"
MISSING_METADATA = "P021"
BAD_POLICY_ID = "P022"
BAD_SEVERITY = "P023"
DUPLICATE_POLICY_ID = "P024"
DUPLICATE_METADATA = "P025"
BAD_METADATA_VALUE = "P026"

BAD_REGEX = "P030"
UNSAFE_REGEX = "P031"
REGEX_NOT_LITERAL = "P032"

PARAM_TYPE = "P040"
PARAM_OVERRIDE = "P041"
UNKNOWN_PARAM = "P042"

BAD_FIX = "P050"
BAD_EXAMPLE = "P060"
BAD_TEMPLATE = "P070"
BAD_RELATED = "P080"

UNKNOWN_RESOURCE_TYPE = "P090"
UNKNOWN_PROPERTY = "P091"

UNKNOWN_MODULE = "P100"
NOT_IN_MODULE = "P101"
NAME_COLLISION = "P102"
IMPORT_CYCLE = "P103"
BAD_MODULE = "P104"
NOT_IMPORTED = "P105"
UNUSED_IMPORT = "P106"

DESCRIPTIONS: dict[str, str] = {
    SYNTAX: "syntax error",
    BAD_ESCAPE: "unknown escape sequence in a string",
    UNREADABLE: "policy file cannot be read or is not a policy file",
    BAD_NUMBER: "index is not a whole number",
    LIMIT: "policy over a size or depth limit (file, string literal, def calls, modules)",
    UNKNOWN_NAME: "unknown name (not a binding, param, `id` or `type`)",
    UNKNOWN_ATTRIBUTE: "unknown top-level key of a resource body",
    UNKNOWN_FUNCTION: "unknown function",
    ARITY: "wrong number of arguments",
    ARGUMENT_TYPE: "argument of the wrong type",
    COLLECTION_OPERAND: "collection used where one value is needed",
    RECURSIVE_DEF: "recursive `def`",
    DUPLICATE_NAME: "name defined twice in the same scope",
    UNKNOWN_TYPE_NAME: "unknown type name",
    MISPLACED: "construct used where it is not allowed",
    UNKNOWN_METADATA: "unknown metadata key",
    MISSING_METADATA: "required metadata or `resource` missing",
    BAD_POLICY_ID: "policy id does not have the form PAC-AREA-001",
    BAD_SEVERITY: "unknown severity",
    DUPLICATE_POLICY_ID: "policy id used twice",
    DUPLICATE_METADATA: "metadata key given twice",
    BAD_METADATA_VALUE: "metadata value of the wrong type",
    BAD_REGEX: "regular expression does not compile",
    UNSAFE_REGEX: "regular expression uses a construct RE2 does not support",
    REGEX_NOT_LITERAL: "`matches` needs a string literal",
    PARAM_TYPE: "param default does not match its declared type",
    PARAM_OVERRIDE: "param override (`--param`) of the wrong type",
    UNKNOWN_PARAM: "override for a param no policy file declares",
    BAD_FIX: "invalid `fix` clause",
    BAD_EXAMPLE: "invalid `example`",
    BAD_TEMPLATE: "invalid message template",
    BAD_RELATED: "invalid `related(TYPE, PATH)` call",
    UNKNOWN_RESOURCE_TYPE: "unknown resource type",
    UNKNOWN_PROPERTY: "property the resource type does not have",
    UNKNOWN_MODULE: "`use` of a module the policy directory does not have",
    NOT_IN_MODULE: "`use` lists a name the module does not define",
    NAME_COLLISION: "a name imported from a module and defined locally (or imported twice)",
    IMPORT_CYCLE: "modules that use each other in a cycle",
    BAD_MODULE: "module that cannot be used (holds a policy or param, does not compile, "
    "cannot be read, or imports nest too deep)",
    NOT_IMPORTED: "name of a module used by a file that does not import it",
    UNUSED_IMPORT: "warning: a `use` whose names are never used",
}
