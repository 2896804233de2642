"""Expressions to Python closures.

Runs after ``scanner.lang.checks`` found no error, so names resolve and arities fit.
Constant sub-expressions are computed here once; a constant call that fails (say
``cidr_is_open("nope")``) is reported as a compile error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.engine import logic, paths
from scanner.engine.calls import builtin_call
from scanner.engine.context import MAX_STEPS, Ctx, Node, constant, over_budget, spend
from scanner.errors import PolicyError
from scanner.lang import ast, codes
from scanner.lang.builtins import REGISTRY
from scanner.lang.regex_safety import compile_regex
from scanner.lang.scope import COLLECTION, VALUE, Binding, Scope, is_body_root
from scanner.model import UNKNOWN, Path, Unknown
from scanner.values import MISSING, EvaluationError, truth

_UNSET = object()


class ExprCompiler:
    def __init__(
        self, defs: Mapping[str, ast.Def], params: Mapping[str, Any], errors: list[PolicyError]
    ) -> None:
        self.defs = defs
        self.params = params
        self.errors = errors
        self.file_scope = Scope()
        self._def_nodes: dict[str, tuple[Node, tuple[int, ...]]] = {}
        self._lets: dict[int, Node] = {}

    # ------------------------------------------------------------ bindings

    def bind_let(self, scope: Scope, let: ast.Let) -> None:
        node = self.compile(let.expr, scope)
        binding = scope.bind(let.name, "let", node.shape, let)
        self._lets[binding.slot] = node

    def compile(self, node: ast.Expr, scope: Scope) -> Node:
        method = getattr(self, f"_{type(node).__name__}")
        result: Node = method(node, scope)
        return result

    def condition(self, node: ast.Expr, scope: Scope) -> Node:
        """A node whose value is a truth value (True, False or UNKNOWN)."""
        inner = self.compile(node, scope)
        if inner.cond:
            return inner
        if inner.const:
            return constant(truth(inner.value), cond=True)
        ev = inner.ev
        return Node(lambda ctx: truth(ev(ctx)), where=inner.where, cond=True)

    # ------------------------------------------------------------ atoms

    def _Literal(self, node: ast.Literal, scope: Scope) -> Node:
        return constant(node.value)

    def _ListExpr(self, node: ast.ListExpr, scope: Scope) -> Node:
        items = [self.compile(i, scope) for i in node.items]
        if all(i.const for i in items):
            return constant([i.value for i in items if i.value is not MISSING])
        evs = [i.ev for i in items]

        def ev(ctx: Ctx) -> Any:
            return [v for v in (e(ctx) for e in evs) if v is not MISSING]

        return Node(ev)

    def _MapExpr(self, node: ast.MapExpr, scope: Scope) -> Node:
        entries = [(k, self.compile(v, scope)) for k, v in node.entries]
        if all(v.const for _, v in entries):
            return constant({k: v.value for k, v in entries if v.value is not MISSING})

        def ev(ctx: Ctx) -> Any:
            out = {}
            for k, v in entries:
                value = v.ev(ctx)
                if value is not MISSING:
                    out[k] = value
            return out

        return Node(ev)

    def _TypeLiteral(self, node: ast.TypeLiteral, scope: Scope) -> Node:
        return constant(node.name)

    def _Current(self, node: ast.Current, scope: Scope) -> Node:
        binding = scope.lookup("@")
        assert binding is not None
        return self._slot(binding)

    def _Name(self, node: ast.Name, scope: Scope) -> Node:
        binding = scope.lookup(node.name)
        if binding is not None:
            return self._bound(binding)
        if node.name == "id":
            return Node(lambda ctx: ctx.resource.id)
        if node.name == "type":
            return Node(lambda ctx: ctx.resource.type)
        name = node.name
        here: Path = (name,)
        return Node(lambda ctx: ctx.body.get(name, MISSING), where=lambda ctx: here, exact=True)

    def _bound(self, binding: Binding) -> Node:
        if binding.kind == "param":
            return constant(self.params[binding.name])
        if binding.kind == "let":
            return self._let(binding)
        return self._slot(binding)

    def _slot(self, binding: Binding) -> Node:
        slot = binding.slot
        return Node(
            lambda ctx: ctx.slots[slot],
            where=lambda ctx: ctx.paths.get(slot),
            shape=binding.shape,
            exact=True,
        )

    def _let(self, binding: Binding) -> Node:
        target = self._lets[binding.slot]
        if target.const:
            return target
        slot = binding.slot
        compute = target.ev

        def ev(ctx: Ctx) -> Any:
            value = ctx.slots.get(slot, _UNSET)
            if value is _UNSET:
                value = ctx.slots[slot] = compute(ctx)
            return value

        return Node(
            ev, where=target.where, items=target.items, shape=target.shape, exact=target.exact
        )

    # ------------------------------------------------------------ paths

    def _PathExpr(self, node: ast.PathExpr, scope: Scope) -> Node:
        base = self.compile(node.base, scope)
        steps = [self._step(s, scope) for s in node.steps]
        fan = next((i for i, s in enumerate(steps) if s[0] in ("list", "map", "filter")), None)
        if base.shape == COLLECTION:
            return _collection_path(base, steps)
        root = _body_root(node.base, scope)
        if fan is None:
            return _value_path(root, base, steps)
        plain = steps[:fan]
        rest = steps[fan:]
        start = _value_path(root, base, plain) if plain else base
        return _fanned_path(start, rest)

    def _step(self, step: ast.Step, scope: Scope) -> paths.Step:
        if isinstance(step, ast.Key):
            return ("key", step.key)
        if isinstance(step, ast.Index):
            return ("index", step.index)
        if isinstance(step, ast.Wildcard):
            return (step.kind, None)
        inner = scope.child()
        binding = inner.bind("@", "current", VALUE, step)
        predicate = self.condition(step.predicate, inner).ev
        slot = binding.slot

        def test(ctx: Ctx, item: Any) -> Any:
            spend(ctx, 1)
            ctx.slots[slot] = item
            return predicate(ctx)

        return ("filter", test)

    # ------------------------------------------------------------ logic and tests

    def _Not(self, node: ast.Not, scope: Scope) -> Node:
        return logic.negate(self.condition(node.operand, scope))

    def _BoolOp(self, node: ast.BoolOp, scope: Scope) -> Node:
        left = self.condition(node.left, scope)
        right = self.condition(node.right, scope)
        return logic.both(left, right) if node.op == "and" else logic.either(left, right)

    def _Compare(self, node: ast.Compare, scope: Scope) -> Node:
        left = self.compile(node.left, scope)
        if node.op == "matches":
            assert isinstance(node.right, ast.Literal)
            return logic.compare(node.op, left, constant(compile_regex(node.right.value)))
        return logic.compare(node.op, left, self.compile(node.right, scope))

    def _Test(self, node: ast.Test, scope: Scope) -> Node:
        return logic.test(node.kind, node.negated, self.compile(node.operand, scope))

    def _Quantifier(self, node: ast.Quantifier, scope: Scope) -> Node:
        collection = self.compile(node.collection, scope)
        inner = scope.child()
        binding = inner.bind(node.var, "var", VALUE, node)
        body = self.condition(node.body, inner)
        return logic.quantify(node.kind, collection, binding.slot, body)

    # ------------------------------------------------------------ calls

    def _Call(self, node: ast.Call, scope: Scope) -> Node:
        if node.name in self.defs:
            return self._def_call(node, scope)
        if node.name == "related":
            return self._related(node)
        builtin = REGISTRY[node.name]
        args = []
        for position, arg in enumerate(node.args):
            if builtin.param_type(position) == "regex":
                assert isinstance(arg, ast.Literal)
                args.append(constant(compile_regex(arg.value)))
            else:
                args.append(self.compile(arg, scope))
        call = builtin_call(builtin, args)
        if builtin.needs_now or not all(a.const for a in args):
            return call
        try:
            return constant(call.ev(_NoContext()))  # type: ignore[arg-type]
        except EvaluationError as exc:
            self.errors.append(
                PolicyError(str(exc.message), code=codes.ARGUMENT_TYPE, location=node.loc)
            )
            return constant(MISSING)

    def _def_call(self, node: ast.Call, scope: Scope) -> Node:
        """A call of a def: its body, compiled once per file, run with the arguments bound.

        Results are remembered per resource by the identity of the argument values (kept
        alive in the memo, so an identity is never reused), so ``def d2(x) = d1(x) and
        d1(x)`` chained 40 deep is 80 calls, not 2**40.
        """
        body, slots = self._def_body(node.name)
        args = [self.compile(a, scope) for a in node.args]
        pairs = list(zip(slots, args, strict=True))
        body_ev, body_where = body.ev, body.where

        arg_evs = [arg.ev for arg in args]
        numbered = list(zip(slots, arg_evs, strict=True))

        def bind(ctx: Ctx) -> tuple[Any, ...]:
            bound = ctx.slots
            values = []
            for slot, arg_ev in numbered:
                value = bound[slot] = arg_ev(ctx)
                values.append(value)
            return tuple(values)

        if len(numbered) == 1:  # the common def: one argument, no tuple to build
            ((only_slot, only_ev),) = numbered

            def ev(ctx: Ctx) -> Any:
                ctx.budget -= 1  # ``spend``, inline
                if ctx.budget < 0:
                    raise over_budget()
                value = ctx.slots[only_slot] = only_ev(ctx)
                key = (body, id(value))
                known = ctx.memo.get(key)
                if known is not None:
                    return known[1]
                result = body_ev(ctx)
                ctx.memo[key] = (value, result)
                return result

        elif len(numbered) == 2:  # ``grants(stmt, action)``: no list, tuple or map to build
            ((slot_a, ev_a), (slot_b, ev_b)) = numbered

            def ev(ctx: Ctx) -> Any:
                ctx.budget -= 1
                if ctx.budget < 0:
                    raise over_budget()
                slots = ctx.slots
                a = slots[slot_a] = ev_a(ctx)
                b = slots[slot_b] = ev_b(ctx)
                key = (body, id(a), id(b))
                known = ctx.memo.get(key)
                if known is not None:
                    return known[1]
                result = body_ev(ctx)
                ctx.memo[key] = ((a, b), result)
                return result

        else:

            def ev(ctx: Ctx) -> Any:
                spend(ctx, 1)
                values = bind(ctx)
                key = (body, *map(id, values))
                known = ctx.memo.get(key)
                if known is not None:
                    return known[1]
                result = body_ev(ctx)
                ctx.memo[key] = (values, result)
                return result

        def where(ctx: Ctx) -> Path | None:
            spend(ctx, 1)
            values = bind(ctx)
            for slot, arg in pairs:
                ctx.paths[slot] = arg.where(ctx)
            key = (body_where, *map(id, values), *(ctx.paths[slot] for slot in slots))
            known = ctx.memo.get(key)
            if known is not None:
                return known[1]
            result = body_where(ctx)
            ctx.memo[key] = (values, result)
            return result

        return Node(ev, where=where, shape=body.shape, cond=body.cond)

    def _def_body(self, name: str) -> tuple[Node, tuple[int, ...]]:
        if name not in self._def_nodes:
            target = self.defs[name]
            inner = self.file_scope.child()
            slots = tuple(inner.bind(p, "arg", VALUE, target).slot for p in target.params)
            self._def_nodes[name] = (self.compile(target.body, inner), slots)
        return self._def_nodes[name]

    def _related(self, node: ast.Call) -> Node:
        kind_node, path_node = node.args
        kind = kind_node.name if isinstance(kind_node, ast.TypeLiteral) else kind_node.value  # type: ignore[union-attr]
        keys = _plain_keys(path_node)

        def ev(ctx: Ctx) -> Any:
            return ctx.relations.related(ctx.resource, kind, keys)

        def items(ctx: Ctx) -> list[tuple[Any, Path | None]] | None:
            found = ev(ctx)
            return None if type(found) is Unknown else [(body, None) for body in found]

        return Node(ev, items=items, shape=COLLECTION)


class _NoContext:
    """Stands in for a context while constant calls are folded (they only spend steps,
    and a remembered call looks in a memo of its own)."""

    budget = MAX_STEPS

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}


def _plain_keys(node: ast.Expr) -> tuple[paths.Step, ...]:
    steps: list[paths.Step] = []
    if isinstance(node, ast.PathExpr):
        root = node.base
        for s in node.steps:
            if isinstance(s, ast.Key):
                steps.append(("key", s.key))
            elif isinstance(s, ast.Index):
                steps.append(("index", s.index))
            elif isinstance(s, ast.Wildcard):
                steps.append((s.kind, None))
    else:
        root = node
    assert isinstance(root, ast.Name) and is_body_root(root.name)
    return (("key", root.name), *steps)


def _value_path(root: str | None, base: Node, steps: list[paths.Step]) -> Node:
    if root is not None and all(kind == "key" for kind, _ in steps):
        return _body_keys((root, *(arg for _, arg in steps)))
    base_ev, base_where = base.ev, base.where
    frozen = tuple(steps)
    names = tuple(arg for kind, arg in steps if kind == "key")

    def ev(ctx: Ctx) -> Any:
        return paths.single(base_ev(ctx), frozen)

    if len(names) == len(steps) == 1:  # `rule.FromPort`: one key below a variable
        (name,) = names
        key = paths.key

        def ev(ctx: Ctx) -> Any:
            value = base_ev(ctx)
            if type(value) is dict:
                return value.get(name, MISSING)
            return key(value, name)

    elif len(names) == len(steps):
        keys = paths.keys

        def ev(ctx: Ctx) -> Any:
            return keys(base_ev(ctx), names)

    def where(ctx: Ctx) -> Path | None:
        found = base_where(ctx)
        return None if found is None else (*found, *(arg for _, arg in frozen))

    return Node(ev, where=where, exact=base.exact)


def _body_root(base: ast.Expr, scope: Scope) -> str | None:
    """The key when a path starts at the resource body, else None."""
    if not isinstance(base, ast.Name) or scope.lookup(base.name) is not None:
        return None
    return None if base.name in ("id", "type") else base.name


def _body_keys(names: tuple[str, ...]) -> Node:
    """A run of keys from the resource body: the most common path, kept short."""
    here: Path = names
    if len(names) == 1:
        (only,) = names

        def ev(ctx: Ctx) -> Any:
            return ctx.body.get(only, MISSING)

        return Node(ev, where=lambda ctx: here, exact=True)
    first, rest = names[0], names[1:]
    keys = paths.keys

    def ev_keys(ctx: Ctx) -> Any:
        return keys(ctx.body.get(first, MISSING), rest)

    return Node(ev_keys, where=lambda ctx: here, exact=True)


def _fanned_path(start: Node, steps: list[paths.Step]) -> Node:
    start_ev, start_where = start.ev, start.where
    frozen = tuple(steps)

    def ev(ctx: Ctx) -> Any:
        found = paths.fan_out([start_ev(ctx)], frozen, ctx)
        if type(found) is not Unknown:
            spend(ctx, len(found))
        return found

    if frozen == (("list", None),):  # `Properties.Rules[*]`: the elements, as fan_out makes them
        elements = paths.elements

        def ev(ctx: Ctx) -> Any:
            found = elements(start_ev(ctx))
            if type(found) is Unknown:
                return UNKNOWN
            ctx.budget -= len(found)
            if ctx.budget < 0:
                raise over_budget()
            return list(found)

    def items(ctx: Ctx) -> list[tuple[Any, Path | None]] | None:
        return paths.fan_out_traced([(start_ev(ctx), start_where(ctx))], frozen, ctx)

    return Node(ev, where=start_where, items=items, shape=COLLECTION)


def _collection_path(base: Node, steps: list[paths.Step]) -> Node:
    base_ev = base.ev
    base_items = logic.items_of(base)
    frozen = tuple(steps)

    def ev(ctx: Ctx) -> Any:
        values = base_ev(ctx)
        if type(values) is Unknown:
            return UNKNOWN
        found = paths.fan_out(values, frozen, ctx)
        if type(found) is not Unknown:
            spend(ctx, len(found))
        return found

    def items(ctx: Ctx) -> list[tuple[Any, Path | None]] | None:
        found = base_items(ctx)
        return None if found is None else paths.fan_out_traced(found, frozen, ctx)

    return Node(ev, items=items, shape=COLLECTION)
