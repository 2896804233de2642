"""``@record`` makes the class ``@dataclass(frozen=True, slots=True)`` makes, only cheaper
(and ``@record(eq=False)``, ``@record(frozen=False)`` those options of ``dataclass``)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

import scanner.config
import scanner.discovery
import scanner.errors
import scanner.lang.ast
import scanner.lang.modules
import scanner.lang.resource_schema
import scanner.lang.scope
import scanner.lang.sources
import scanner.model
import scanner.policyset
import scanner.policyset.compiler
import scanner.policyset.examples
import scanner.policyset.params
import scanner.result
import scanner.selection
from scanner.records import record

STDLIB = dataclass(frozen=True, slots=True)
# The options of each kind of record: record's, and those dataclass is given with slots=True.
KINDS = {
    "frozen": {"frozen": True},
    "frozen-no-eq": {"frozen": True, "eq": False},
    "mutable": {"frozen": False},
    "mutable-no-eq": {"frozen": False, "eq": False},
}


def both(body: Callable[[], type], kind: str = "frozen") -> tuple[type, type]:
    """The class ``body`` defines, made by ``dataclasses`` and by ``record``, each named as
    if it were defined at the top of this module."""
    options = KINDS[kind]
    made = []
    for make in (
        dataclass(slots=True, **options),
        record if kind == "frozen" else record(**options),
    ):
        cls = body()
        cls.__qualname__ = cls.__name__
        made.append(make(cls))
    return made[0], made[1]


def plain() -> type:
    class Plain:
        a: int
        b: str = "x"

    return Plain


def documented() -> type:
    class Documented:
        """Says what it is."""

        items: tuple[int, ...] = ()

    return Documented


def with_fields() -> type:
    class WithFields:
        name: str
        tags: list[str] = field(default_factory=list)
        note: Any = field(default=None, compare=False, repr=False)
        seen: Any = field(default=0, hash=False)

    return WithFields


def empty() -> type:
    class Empty:
        pass

    return Empty


def one_field() -> type:
    class OneField:
        value: Any

    return OneField


def own_methods() -> type:
    class OwnMethods:
        key: str

        def __repr__(self) -> str:
            return f"<{self.key}>"

        def __hash__(self) -> int:
            return 7

    return OwnMethods


def own_eq() -> type:
    class OwnEq:
        key: str

        def __eq__(self, other: object) -> bool:
            return True

    return OwnEq


BODIES = [plain, documented, with_fields, empty, one_field, own_methods, own_eq]
ARGS: dict[str, tuple[Any, ...]] = {
    "Plain": (1,),
    "Documented": ((1, 2),),
    "WithFields": ("n", ["t"], "hidden", 3),
    "Empty": (),
    "OneField": (float("nan"),),
    "OwnMethods": ("k",),
    "OwnEq": ("k",),
}


def _outcome(action: Callable[..., Any], *args: Any) -> Any:
    """What calling ``action`` gives: its value, or the type and text of what it raised."""
    try:
        return ("value", action(*args))
    except Exception as exc:
        return ("raised", type(exc), str(exc))


def _hashed(value: Any) -> Any:
    """How ``value`` hashes: by identity, or to what (or what hashing it raises)."""
    outcome = _outcome(hash, value)
    return "identity" if outcome == ("value", object.__hash__(value)) else outcome


def _same(stdlib: type, ours: type, args: tuple[Any, ...]) -> None:
    a, b = stdlib(*args), ours(*args)
    assert repr(a) == repr(b)
    assert (a == stdlib(*args)) == (b == ours(*args))
    assert (a == a) == (b == b)  # a NaN field: the tuples compare by identity first
    assert (a == object()) == (b == object())
    assert _hashed(a) == _hashed(b)
    assert stdlib.__match_args__ == ours.__match_args__
    assert stdlib.__slots__ == ours.__slots__
    assert str(inspect.signature(stdlib)) == str(inspect.signature(ours))
    assert stdlib.__doc__ == ours.__doc__
    assert [(f.name, f.default, f.repr, f.compare, f.hash) for f in dataclasses.fields(a)] == [
        (f.name, f.default, f.repr, f.compare, f.hash) for f in dataclasses.fields(b)
    ]
    assert stdlib.__dataclass_params__.__repr__() == ours.__dataclass_params__.__repr__()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", BODIES, ids=lambda body: body.__name__)
def test_a_record_is_the_slotted_dataclass(body: Callable[[], type], kind: str) -> None:
    stdlib, ours = both(body, kind)
    _same(stdlib, ours, ARGS[stdlib.__name__])
    assert not hasattr(ours(*ARGS[ours.__name__]), "__dict__")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", BODIES, ids=lambda body: body.__name__)
def test_a_field_is_assigned_and_deleted_as_in_the_dataclass(
    body: Callable[[], type], kind: str
) -> None:
    stdlib, ours = both(body, kind)
    args = ARGS[stdlib.__name__]
    a, b = stdlib(*args), ours(*args)
    for name in [f.name for f in dataclasses.fields(a)]:
        assert _outcome(setattr, a, name, 1) == _outcome(setattr, b, name, 1)
        assert _outcome(delattr, a, name) == _outcome(delattr, b, name)
    with pytest.raises((AttributeError, TypeError)):  # no __dict__ to take a new one
        b.other = 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", BODIES, ids=lambda body: body.__name__)
def test_a_record_pickles_copies_and_replaces(body: Callable[[], type], kind: str) -> None:
    _, ours = both(body, kind)
    globals()[ours.__qualname__] = ours  # pickle finds a class by its module and name
    try:
        value = ours(*ARGS[ours.__name__])
        for again in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
            assert type(again) is ours
            assert repr(again) == repr(value)
        assert repr(dataclasses.replace(value)) == repr(value)
    finally:
        del globals()[ours.__qualname__]


def test_a_default_factory_makes_a_new_value_each_time() -> None:
    _, ours = both(with_fields)
    first, second = ours("a"), ours("b")
    assert first.tags == [] and first.tags is not second.tags
    assert ours("c", ["given"]).tags == ["given"]


def test_a_recursive_repr_stops() -> None:
    _, ours = both(one_field)
    loop: list[Any] = []
    value = ours(loop)
    loop.append(value)
    assert repr(value) == "OneField(value=[...])"


def test_a_field_without_default_after_one_with_is_refused() -> None:
    class Late:
        a: int = 0
        b: int

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        record(Late)


def test_what_a_record_does_not_support_is_refused() -> None:
    class KeywordOnly:
        a: int = field(kw_only=True)

    class NotInInit:
        a: int = field(default=0, init=False)

    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    class Base:
        a: int

    class Derived(STDLIB(Base)):  # type: ignore[misc]
        b: int

    odd_name = type("OddName", (), {"__annotations__": {"a b": "int"}})
    own_name = type("OwnName", (), {"__annotations__": {"__dataclass_self__": "int"}})
    for cls in (KeywordOnly, NotInInit, PostInit, Derived, odd_name, own_name):
        with pytest.raises(TypeError):
            record(cls)


def _made_by_record(cls: type) -> bool:
    """Whether ``record`` made the class: one of its methods comes from records.py."""
    methods = [vars(cls).get(name) for name in ("__setattr__", "__eq__", "__repr__")]
    codes = [getattr(getattr(m, "__wrapped__", m), "__code__", None) for m in methods]
    return any(code is not None and code.co_filename.endswith("records.py") for code in codes)


def _records() -> list[type]:
    modules = (
        scanner.config,
        scanner.discovery,
        scanner.errors,
        scanner.lang.ast,
        scanner.lang.modules,
        scanner.lang.resource_schema,
        scanner.lang.scope,
        scanner.lang.sources,
        scanner.model,
        scanner.policyset,
        scanner.policyset.compiler,
        scanner.policyset.examples,
        scanner.policyset.params,
        scanner.result,
        scanner.selection,
    )
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and dataclasses.is_dataclass(value)
        and _made_by_record(value)
    ]


RECORDS = _records()


def test_the_syntax_tree_model_and_result_are_records() -> None:
    assert len(RECORDS) >= 60
    names = {c.__name__ for c in RECORDS}
    assert {"Location", "Finding", "PolicyFile", "ScanResult", "Diagnostic", "Config"} <= names
    assert {"Resource", "ModuleLibrary", "Glob", "Discovered"} <= names  # eq=False, mutable


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_each_record_matches_its_dataclass_twin(cls: type) -> None:
    """The same fields made into a dataclass: the same methods, signature and text."""
    specs = [
        (
            f.name,
            f.type,
            field(
                default=f.default,
                default_factory=f.default_factory,
                repr=f.repr,
                compare=f.compare,
                hash=f.hash,
            ),
        )
        for f in dataclasses.fields(cls)
    ]
    params = cls.__dataclass_params__
    twin = dataclasses.make_dataclass(
        cls.__name__, specs, frozen=params.frozen, eq=params.eq, slots=True
    )
    args = tuple(f"{f.name}-{i}" for i, f in enumerate(dataclasses.fields(cls)))
    a, b = twin(*args), cls(*args)
    if "__repr__" not in vars(cls) or _made_by_record(cls):
        assert repr(a) == repr(b)
    assert _hashed(a) == _hashed(b)
    if params.eq:
        assert b == cls(*args)
        assert len(args) < 2 or b != cls(*reversed(args))
    else:
        assert b != cls(*args)
    assert twin.__match_args__ == cls.__match_args__
    assert twin.__slots__ == cls.__slots__
    assert str(inspect.signature(twin)) == str(inspect.signature(cls))
    if cls.__doc__.startswith(f"{cls.__name__}("):  # no docstring: the signature
        assert cls.__doc__ == twin.__doc__
    assert repr(params) == repr(twin.__dataclass_params__)
    if params.frozen:
        with pytest.raises(FrozenInstanceError, match="cannot assign to field"):
            setattr(b, dataclasses.fields(cls)[0].name, None)
