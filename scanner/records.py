"""``@record``: a frozen, slotted dataclass, made at a fraction of the usual cost.

``@dataclass(frozen=True, slots=True)`` writes six methods as source text and compiles each
one (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``), then builds the class a second time for its slots: about 0.6 ms a
class. A scan imports some fifty such classes (the syntax tree, the data model, the
result), which was a sixth of the run time of a scan of one small template.

``record`` lets ``dataclasses`` find the fields and build the slotted class, compiles
``__init__`` the way ``dataclasses`` does (a cached syntax tree calls it thousands of
times: it must stay as fast, with the same signature), and gives the other five methods
as closures over the field names. They do what the generated ones do:

- ``__eq__`` compares the tuples of the compared fields of two instances of the same
  class (``NotImplemented`` otherwise), ``__hash__`` hashes that tuple (a ``__hash__``
  or ``__eq__`` written in the class body is kept, as ``dataclasses`` keeps it);
- ``__repr__`` is ``Name(field=value, ...)`` of the fields shown, ``...`` on recursion;
- assigning or deleting a field raises ``FrozenInstanceError`` with the same message;
- ``__getstate__``/``__setstate__`` pickle and copy the instance; ``__match_args__``,
  ``__slots__``, ``__doc__`` (the signature, for a class without a docstring),
  ``dataclasses.fields``, ``replace`` and ``__dataclass_params__`` (frozen, eq, repr) are
  those of the dataclass.

``@record(eq=False)`` and ``@record(frozen=False)`` are those options of ``dataclass``
(identity comparison; a mutable class, unhashable when it compares fields).
``tests/test_records.py`` checks each of these against ``dataclasses`` itself. Features
no record uses (``InitVar``, keyword-only fields, fields left out of ``__init__``,
``__post_init__``, dataclass base classes) are refused with a ``TypeError``: write a plain
``@dataclass`` for those.
"""

from __future__ import annotations

import dataclasses
import inspect
import keyword
import reprlib
import sys
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        """Read by type checkers only (``typing_extensions`` is not a dependency)."""
        return lambda function: function


T = TypeVar("T", bound=type)

_MISSING = dataclasses.MISSING
_NO_DOC = "\0record without a docstring"


class _Factory:
    """The default ``__init__`` shows for a field with a ``default_factory``."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()
_FACTORY_NAME = "__dataclass_HAS_DEFAULT_FACTORY__"


@overload
def record(cls: T, /) -> T: ...


@overload
def record(*, eq: bool = True, frozen: bool = True) -> Callable[[T], T]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(
    cls: T | None = None, /, *, eq: bool = True, frozen: bool = True
) -> T | Callable[[T], T]:
    """``cls`` as ``@dataclass(frozen=True, slots=True)`` makes it (see the module);
    ``@record(eq=False)`` and ``@record(frozen=False)`` as those options of ``dataclass``."""

    def make(cls: T) -> T:
        return _make(cls, eq=eq, frozen=frozen)

    return make if cls is None else make(cls)


def _make(cls: T, *, eq: bool, frozen: bool) -> T:
    _refuse_bases(cls)
    if not cls.__dict__.get("__doc__"):
        cls.__doc__ = _NO_DOC  # dataclasses would read the signature of an __init__ not made yet
    built: Any = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=True)
    fields = dataclasses.fields(built)
    _refuse_features(built, fields)
    own = built.__dict__
    names = tuple(f.name for f in fields)
    methods: dict[str, Callable[..., Any] | None] = {"__init__": _init(built, fields)}
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {built.__name__}")
        methods["__setattr__"] = _setattr(built, names)
        methods["__delattr__"] = _delattr(built, names)
        # pickling and copying go around the frozen __setattr__
        if "__getstate__" not in own:
            methods["__getstate__"] = _getstate(names)
        if "__setstate__" not in own:
            methods["__setstate__"] = _setstate(names)
    if "__repr__" not in own:
        methods["__repr__"] = _repr(tuple(f.name for f in fields if f.repr))
    if eq:
        methods.update(_comparisons(own, fields, frozen))
    for name, made in methods.items():
        if made is not None:
            made.__qualname__ = f"{built.__qualname__}.{name}"
        setattr(built, name, made)
    if built.__doc__ == _NO_DOC:
        built.__doc__ = built.__name__ + _signature_text(fields)
    params = built.__dataclass_params__
    params.init = params.repr = True
    params.eq, params.frozen = eq, frozen
    return built


def _comparisons(
    own: Mapping[str, Any], fields: tuple[dataclasses.Field[Any], ...], frozen: bool
) -> dict[str, Callable[..., Any] | None]:
    """``__eq__`` (unless the class has one) and ``__hash__`` (unless the class body wrote
    one): of the hashed fields for a frozen class, None (unhashable) for a mutable one."""
    made: dict[str, Callable[..., Any] | None] = {}
    if "__eq__" not in own:
        made["__eq__"] = _eq(_tuple_of(tuple(f.name for f in fields if f.compare)))
    explicit_hash = own.get("__hash__", _MISSING)
    if explicit_hash is _MISSING or (explicit_hash is None and "__eq__" in own):
        hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
        made["__hash__"] = _hash(_tuple_of(hashed)) if frozen else None
    return made


def _refuse_bases(cls: type) -> None:
    for base in cls.__mro__[1:]:
        if dataclasses.is_dataclass(base):
            raise TypeError(f"{cls.__name__}: a record cannot extend a dataclass")


def _refuse_features(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> None:
    pseudo = len(cls.__dict__["__dataclass_fields__"]) != len(fields)  # ClassVar, InitVar
    odd = [f.name for f in fields if not f.init or f.kw_only is True or not _plain_name(f.name)]
    if pseudo or odd or hasattr(cls, "__post_init__"):
        raise TypeError(
            f"{cls.__name__}: a record has plain fields only (no InitVar, ClassVar, "
            "keyword-only or init=False field, no __post_init__): use @dataclass"
        )


def _plain_name(name: str) -> bool:
    """A field name ``__init__``'s text may hold: an identifier, not a keyword, ``self`` or
    a name of the text itself."""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and name != "self"
        and not name.startswith("__dataclass_")
    )


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """``__init__``, compiled as ``dataclasses`` compiles it for a frozen class (each field
    set through its slot's descriptor rather than ``object.__setattr__``): the text
    holds only the field names (checked by ``_plain_name``) of a class in pacscan's source,
    never anything read at run time."""
    defaults: list[Any] = []
    lines = []
    args: dict[str, Any] = {}
    for f in fields:
        value = f.name
        if f.default_factory is not _MISSING:
            args[f"__dataclass_dflt_{f.name}__"] = f.default_factory
            defaults.append(_FACTORY)
            value = f"__dataclass_dflt_{f.name}__() if {f.name} is {_FACTORY_NAME} else {f.name}"
        elif f.default is not _MISSING:
            defaults.append(f.default)
        elif defaults:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        # the slot's own setter: what object.__setattr__ finds for the name, without the
        # lookup (a finding is made twice per (policy, resource) pair of a scan)
        args[f"__dataclass_set_{f.name}__"] = cls.__dict__[f.name].__set__
        lines.append(f"  __dataclass_set_{f.name}__(self,{value})")
    args[_FACTORY_NAME] = _FACTORY
    params = ",".join(["self", *(f.name for f in fields)])
    head = f"def __create_fn__({', '.join(args)}):\n def __init__({params}):\n"
    text = head + ("\n".join(lines) or "  pass") + "\n return __init__"
    module = sys.modules.get(cls.__module__)
    namespace: dict[str, Any] = {}
    exec(text, vars(module) if module is not None else {}, namespace)
    init: Callable[..., None] = namespace["__create_fn__"](**args)
    init.__defaults__ = tuple(defaults) or None
    init.__annotations__ = {f.name: f.type for f in fields} | {"return": None}
    return init


def _signature_text(fields: tuple[dataclasses.Field[Any], ...]) -> str:
    """What ``str(inspect.signature(cls))`` says of the ``__init__`` (without ``-> None``)."""
    parts = []
    for f in fields:
        text = f"{f.name}: {inspect.formatannotation(f.type)}"
        if f.default_factory is not _MISSING:
            text += " = <factory>"
        elif f.default is not _MISSING:
            text += f" = {f.default!r}"
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _tuple_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes of an instance, as ``(self.a, self.b,)`` builds it."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda instance: (get(instance),)
    return lambda instance: ()


def _eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _setattr(cls: type[Any], names: tuple[str, ...]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: object, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _delattr(cls: type[Any], names: tuple[str, ...]) -> Callable[[Any, str], None]:
    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _getstate(names: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[Any, Any], None]:
    def __setstate__(self: Any, state: Any) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return __setstate__
