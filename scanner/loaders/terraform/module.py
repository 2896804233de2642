"""One Terraform module evaluated: its variables, locals, resource instances and calls.

``evaluate_root`` takes the files of a directory (read by ``files``), gives each
variable its value (``variables``: ``--var`` over ``--var-file`` over ``*.auto.tfvars``
over ``terraform.tfvars`` over the default; a child module's from its call), expands
``count`` and ``for_each`` into instances addressed as Terraform does
(``aws_s3_bucket.logs[0]``, ``module.app.aws_s3_bucket.this["a"]``), expands ``dynamic``
blocks and evaluates local modules (``source = "./…"``) with their inputs. A module
source outside the scanned directories is not read (a module cannot pull in files the
scan was not given); a remote source is not fetched: its outputs are unknown and say so.

An instance's ``config`` holds its arguments as Terraform's plan does: nested blocks as
lists of objects. ``positions`` maps a path in ``config`` to where it is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.errors import Diagnostic
from scanner.loaders.budget import Budget, OverBudget
from scanner.loaders.source import (
    INTRINSIC_BUDGET,
    source_line,
)
from scanner.loaders.terraform import functions
from scanner.loaders.terraform.expressions import (
    EvalError,
    Evaluator,
    Scope,
    apply_steps,
    unknown_of,
)
from scanner.loaders.terraform.files import (
    HCL_EVAL,
    ModuleOptions,
    inside,
    located,
    module_files,
    read_sources,
)
from scanner.loaders.terraform.hcl import (
    Attribute,
    Block,
    Body,
    JsonExpr,
    SourceFile,
    json_positions,
)
from scanner.loaders.terraform.policy_document import policy_document
from scanner.loaders.terraform.variables import convert, root_variables, type_text
from scanner.model import Location, Path, Reference, Span, Unknown, is_opaque

MODULE_SOURCE = "I019"  # a module source that is not read (outside the scan, missing)
MAX_MODULE_DEPTH = 16
META_ARGUMENTS = frozenset(("count", "for_each", "provider", "depends_on"))
META_BLOCKS = frozenset(("lifecycle", "provisioner", "connection"))
NOT_INPUTS = frozenset(("source", "version", "count", "for_each", "providers", "depends_on"))


@dataclass
class Instance:
    """One resource instance: its address, arguments and where they are written."""

    address: str
    type: str
    name: str
    file: SourceFile
    doc_path: Path  # the block in its file: ("resource", TYPE, NAME)
    config: dict[str, Any]
    positions: dict[Path, Span]
    prefix: str  # "module.app." for a resource of a child module
    header: Location  # the block's type and labels
    whole: Location  # the whole block


@dataclass
class Evaluated:
    """A module and its children, evaluated."""

    files: list[SourceFile] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    child_files: dict[str, list[SourceFile]] = field(default_factory=dict)  # calling file -> files


def evaluate_root(
    directory: str, sources: list[SourceFile], options: ModuleOptions, errors: list[Diagnostic]
) -> Evaluated:
    """The root module in ``directory`` (its files already parsed) and every local child."""
    out = Evaluated(files=sources, errors=errors)
    budget = Budget()
    values = root_variables(directory, options, out.errors)
    roots = options.roots or (os.path.realpath(directory),)
    module = Module(directory, sources, values, "", budget, out, roots, options, chain=())
    try:
        module.expand()
    except OverBudget as exc:
        out.errors.append(
            Diagnostic(
                INTRINSIC_BUDGET,
                exc.message.replace("intrinsic functions", "expressions"),
                file=sources[0].path if sources else directory,
            )
        )
    return out


# --- a module ------------------------------------------------------------------------


class Module:
    """Names in one module instance and how they evaluate (the evaluator's context)."""

    def __init__(
        self,
        directory: str,
        sources: list[SourceFile],
        values: dict[str, Any],
        prefix: str,
        budget: Budget,
        out: Evaluated,
        roots: tuple[str, ...],
        options: ModuleOptions,
        chain: tuple[str, ...],
    ) -> None:
        self.directory = directory
        self.sources = sources
        self.values = values
        self.prefix = prefix
        self.budget = budget
        self.out = out
        self.roots = roots
        self.options = options
        self.chain = (*chain, os.path.realpath(directory))
        self.evaluator = Evaluator(self)
        self.variables: dict[str, tuple[Block, SourceFile]] = {}
        self.locals: dict[str, tuple[Attribute, SourceFile]] = {}
        self.resources: dict[tuple[str, str], tuple[Block, SourceFile]] = {}
        self.calls: dict[str, tuple[Block, SourceFile]] = {}
        self.data: dict[tuple[str, str], tuple[Block, SourceFile]] = {}
        self._data_values: dict[tuple[str, str, Any], Any] = {}
        self.outputs: dict[str, tuple[Attribute, SourceFile]] = {}
        self._local_values: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._children: dict[str, dict[Any, Module] | Unknown] = {}
        self._keys: dict[tuple[str, str], list[Any] | Unknown | None] = {}
        self._index()

    def _index(self) -> None:
        for source in self.sources:
            for block in source.body.blocks:
                self._declare(block, source)

    def _declare(self, block: Block, source: SourceFile) -> None:
        labels = block.labels
        if block.type == "variable" and len(labels) == 1:
            self.variables[labels[0]] = (block, source)
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                self.locals[name] = (attribute, source)
        elif block.type == "resource" and len(labels) == 2:
            self.resources[(labels[0], labels[1])] = (block, source)
        elif block.type == "data" and len(labels) == 2:
            self.data[(labels[0], labels[1])] = (block, source)
        elif block.type == "module" and len(labels) == 1:
            self.calls[labels[0]] = (block, source)
        elif block.type == "output" and len(labels) == 1:
            value = block.body.attributes.get("value")
            if value is not None:
                self.outputs[labels[0]] = (value, source)

    # --- the evaluator's context ------------------------------------------------------

    def call(self, name: str, args: list[Any], text: str) -> Any:
        return functions.call(name, args, self.budget, text)

    def named(self, root: str, steps: list[Any], text: str) -> Any:
        if root == "var" and steps and isinstance(steps[0], str):
            return apply_steps(self.variable(steps[0]), steps[1:], text, self.strict)
        if root == "local" and steps and isinstance(steps[0], str):
            return apply_steps(self.local(steps[0]), steps[1:], text, self.strict)
        if root == "module" and len(steps) >= 2 and isinstance(steps[0], str):
            return self.module_output(steps, text)
        if root == "data" and len(steps) >= 3 and (steps[0], steps[1]) in self.data:
            keyed = len(steps) >= 4 and not isinstance(steps[2], str)
            key, attribute = (steps[2], steps[3]) if keyed else (None, steps[2])
            document = self.data_value(str(steps[0]), str(steps[1]), attribute, key)
            if document is not None:
                return document
        if root == "data" and len(steps) >= 2:
            name = ".".join(str(s) for s in steps[:3])
            return Unknown(
                f"data.{name} is read only when Terraform plans", external=True, name=f"data.{name}"
            )
        if root == "path":
            return "."
        if root == "terraform":
            return "default"
        if root in ("each", "count", "self"):
            raise EvalError(f"`{text}`: {root} is not available here")
        if steps and isinstance(steps[0], str) and (root, steps[0]) in self.resources:
            return self.reference(root, steps, text)
        return Unknown(f"`{text}` names nothing this module declares")

    def data_value(self, kind: str, name: str, attribute: Any, key: Any = None) -> Any:
        """What a data source Terraform computes without AWS gives (an IAM policy
        document's ``json``), for the instance ``key`` of one with ``count`` or
        ``for_each``; None for any other data source or attribute."""
        if kind != "aws_iam_policy_document" or attribute not in ("json", "minified_json"):
            return None
        cache = (kind, name, key)
        if cache not in self._data_values:
            block, source = self.data[(kind, name)]
            counted = bool({"count", "for_each"} & set(block.body.attributes))
            if counted == (key is None) or is_opaque(key):
                return None
            self._data_values[cache] = Unknown(f"data.{kind}.{name} refers to itself")
            scope = next((s for k, s in self.instances(block, source) if k == key), None)
            if scope is None:
                self._data_values[cache] = Unknown(f"data.{kind}.{name} has no instance {key!r}")
            else:
                config, _ = self.body(block.body, source, scope, ())
                self._data_values[cache] = policy_document(config)
        return self._data_values[cache]

    @property
    def strict(self) -> bool:
        return self.evaluator.trying > 0

    def reference(self, kind: str, steps: list[Any], text: str) -> Any:
        target = f"{self.prefix}{kind}.{steps[0]}"
        rest = steps[1:]
        indexed = bool(rest) and not isinstance(rest[0], str)
        keys = None if indexed else self.instance_keys(kind, str(steps[0]))
        if keys is not None:
            # every instance (a splat reads them as a list)
            if type(keys) is Unknown:
                return keys
            assert isinstance(keys, list)
            return [Reference(f"{target}{_suffix(key)}", None, text) for key in keys]
        if rest and not isinstance(rest[0], str):
            if is_opaque(rest[0]):
                return unknown_of([rest[0]], text)
            key = rest[0]
            target += f"[{key}]" if type(key) is int else f'["{key}"]'
            rest = rest[1:]
        attribute = rest[0] if rest and isinstance(rest[0], str) else None
        return Reference(target, attribute, text)

    def instance_keys(self, kind: str, name: str) -> list[Any] | Unknown | None:
        """The instance keys of a resource with ``count`` or ``for_each`` (None: without)."""
        cache_key = (kind, name)
        if cache_key in self._keys:
            return self._keys[cache_key]
        block, source = self.resources[cache_key]
        found: list[Any] | Unknown | None = None
        attributes = block.body.attributes
        if "count" in attributes or "for_each" in attributes:
            self._keys[cache_key] = Unknown(f"{kind}.{name} depends on itself")
            keys = [key for key, _ in self.instances(block, source)]
            found = keys if None not in keys else unknown_of([], f"{kind}.{name}")
        self._keys[cache_key] = found
        return found

    def variable(self, name: str) -> Any:
        declared = self.variables.get(name)
        if declared is None:
            raise EvalError(f"var.{name} is not declared")
        if name in self.values:
            value = self.values[name]
            if type(value) is _Input:
                value = self.values[name] = self._input(name, value)
            return convert(value, type_text(declared))
        default = declared[0].body.attributes.get("default")
        if default is not None:
            value = self.evaluator.value(default.expr, Scope(declared[1].text))
            self.values[name] = value  # evaluated once: defaults can be large maps
            return value
        where = "--var or a .tfvars file" if not self.prefix else "the module call"
        return Unknown(
            f"variable {name} has no value: give it with {where}", external=True, name=f"var.{name}"
        )

    def _input(self, name: str, given: _Input) -> Any:
        """A module call's argument, evaluated in the calling module on first use."""
        key = f"var.{name}"
        if key in self._busy:
            raise EvalError(f"the input {name} of this module refers to itself")
        self._busy.add(key)
        try:
            return given.module.safe(given.attribute, given.source, given.scope)
        finally:
            self._busy.discard(key)

    def local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        declared = self.locals.get(name)
        if declared is None:
            raise EvalError(f"local.{name} is not declared")
        if name in self._busy:
            raise EvalError(f"local.{name} refers to itself")
        self._busy.add(name)
        try:
            value = self.safe(declared[0], declared[1], Scope(declared[1].text))
        finally:
            self._busy.discard(name)
        self._local_values[name] = value
        return value

    def module_output(self, steps: list[Any], text: str) -> Any:
        instances = self.child(str(steps[0]))
        if type(instances) is Unknown:
            return instances
        assert isinstance(instances, dict)
        rest = steps[1:]
        if None in instances:
            child = instances[None]
        elif rest and not isinstance(rest[0], str) or rest and rest[0] in instances:
            if is_opaque(rest[0]):
                return unknown_of([rest[0]], text)
            if rest[0] not in instances:
                raise EvalError(f"`{text}`: module {steps[0]} has no instance {rest[0]!r}")
            child, rest = instances[rest[0]], rest[1:]
        else:
            return Unknown(f"`{text}`: the outputs of every instance of module {steps[0]}")
        if not rest or not isinstance(rest[0], str):
            return Unknown(f"`{text}`: a module's outputs as one value are not evaluated")
        output = child.outputs.get(rest[0])
        if output is None:
            raise EvalError(f"`{text}`: module {steps[0]} has no output {rest[0]}")
        value = child.safe(output[0], output[1], Scope(output[1].text))
        return apply_steps(value, rest[1:], text)

    def safe(self, attribute: Attribute, source: SourceFile, scope: Scope) -> Any:
        """The attribute's value; an expression Terraform would reject is reported and
        unknown."""
        try:
            return self.evaluator.value(attribute.expr, scope)
        except EvalError as exc:
            self.out.errors.append(located(HCL_EVAL, str(exc), attribute.value, source.text))
            return Unknown(f"{exc}")
        except RecursionError:
            self.out.errors.append(
                located(HCL_EVAL, "expression nested too deep", attribute.value, source.text)
            )
            return Unknown("expression nested too deep")

    # --- instances -------------------------------------------------------------------

    def expand(self) -> None:
        for (kind, name), (block, source) in self.resources.items():
            for key, scope in self.instances(block, source):
                self.budget.spend(1, ())
                address = f"{self.prefix}{kind}.{name}{_suffix(key)}"
                config, positions = self.body(block.body, source, scope, ())
                self.out.instances.append(
                    Instance(
                        address,
                        kind,
                        name,
                        source,
                        ("resource", kind, name),
                        config,
                        positions,
                        self.prefix,
                        block.header,
                        block.whole,
                    )
                )
        for name in self.calls:
            instances = self.child(name)
            if isinstance(instances, dict):
                for module in instances.values():
                    module.expand()

    def instances(self, block: Block, source: SourceFile) -> Iterator[tuple[Any, Scope]]:
        """Each instance's key (None: a single instance) and the names bound in it."""
        base = Scope(source.text)
        attributes = block.body.attributes
        if "count" in attributes:
            count = self.safe(attributes["count"], source, base)
            if type(count) in (int, float) and not isinstance(count, bool):
                self.budget.iterate(int(count), ())
                for index in range(int(count)):
                    yield index, base.bind({"count": {"index": index}})
                return
            yield None, base.bind({"count": {"index": unknown_of([count], "count")}})
            return
        if "for_each" in attributes:
            each = self.safe(attributes["for_each"], source, base)
            if type(each) is dict:
                self.budget.iterate(len(each), ())
                for key, value in each.items():
                    yield key, base.bind({"each": {"key": key, "value": value}})
                return
            if type(each) is list and all(isinstance(k, str) for k in each):
                self.budget.iterate(len(each), ())
                for key in each:
                    yield key, base.bind({"each": {"key": key, "value": key}})
                return
            unknown = unknown_of([each], "for_each")
            yield None, base.bind({"each": {"key": unknown, "value": unknown}})
            return
        yield None, base

    def body(
        self, body: Body, source: SourceFile, scope: Scope, at: Path
    ) -> tuple[dict[str, Any], dict[Path, Span]]:
        config: dict[str, Any] = {}
        positions: dict[Path, Span] = {}
        for name, attribute in body.attributes.items():
            if at == () and name in META_ARGUMENTS:
                continue
            config[name] = self.safe(attribute, source, scope)
            positions[at + (name,)] = Span(attribute.key, attribute.value)
            if isinstance(attribute.expr, JsonExpr) and source.json_positions is not None:
                json_positions(source, attribute.expr.path, (*at, name), positions)
        for block in body.blocks:
            if block.type in META_BLOCKS and at == ():
                continue
            if block.type == "dynamic" and block.labels:
                self.dynamic(block, source, scope, at, config, positions)
                continue
            items = config.setdefault(block.type, [])
            if type(items) is not list:
                continue
            where = (*at, block.type, len(items))
            inner, inner_positions = self.body(block.body, source, scope, where)
            items.append(inner)
            positions[where] = Span(block.header, block.whole)
            positions.setdefault((*at, block.type), Span(block.header, block.whole))
            positions.update(inner_positions)
        return config, positions

    def dynamic(
        self,
        block: Block,
        source: SourceFile,
        scope: Scope,
        at: Path,
        config: dict[str, Any],
        positions: dict[Path, Span],
    ) -> None:
        """``dynamic "x" { for_each = …; content { … } }``: one ``x`` block per item."""
        label = block.labels[0]
        iterator_attr = block.body.attributes.get("iterator")
        iterator = label
        if iterator_attr is not None:
            named = self.safe(iterator_attr, source, scope)
            iterator = named if isinstance(named, str) else label
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        each = block.body.attributes.get("for_each")
        if content is None or each is None:
            return
        items = self.safe(each, source, scope)
        existing = config.setdefault(label, [])
        if type(existing) is not list:
            return
        if is_opaque(items):
            config[label] = unknown_of([items], f"dynamic {label}")
            positions[at + (label,)] = Span(block.header, block.whole)
            return
        pairs = (
            list(items.items())
            if type(items) is dict
            else list(enumerate(items))
            if type(items) is list
            else []
        )
        self.budget.iterate(len(pairs), ())
        for key, value in pairs:
            bound = scope.bind({iterator: {"key": key, "value": value}})
            where = (*at, label, len(existing))
            inner, inner_positions = self.body(content.body, source, bound, where)
            existing.append(inner)
            positions[where] = Span(block.header, block.whole)
            positions.setdefault((*at, label), Span(block.header, block.whole))
            positions.update(inner_positions)

    # --- child modules -----------------------------------------------------------------

    def child(self, name: str) -> dict[Any, Module] | Unknown:
        """The instances of a module call by key (None: a call without count or for_each),
        or why they cannot be read."""
        found = self._children.get(name)
        if found is not None:
            return found
        self._children[name] = Unknown(f"module {name} depends on itself")
        block, source = self.calls[name]
        directory = self._child_directory(name, block, source)
        if type(directory) is Unknown:
            self._children[name] = directory
            return directory
        assert isinstance(directory, str)
        files = read_sources(
            module_files(directory, self.roots), self.options.max_bytes, self.out.errors
        )
        self.out.child_files.setdefault(source.path, []).extend(files)
        instances: dict[Any, Module] = {}
        for key, scope in self.instances(block, source):
            inputs: dict[str, Any] = {
                argument: _Input(self, attribute, source, scope)
                for argument, attribute in block.body.attributes.items()
                if argument not in NOT_INPUTS
            }
            prefix = f"{self.prefix}module.{name}{_suffix(key)}."
            instances[key] = Module(
                directory,
                files,
                inputs,
                prefix,
                self.budget,
                self.out,
                self.roots,
                self.options,
                self.chain,
            )
        self._children[name] = instances  # expanded by expand(), after every module exists
        return instances

    def _child_directory(self, name: str, block: Block, source: SourceFile) -> str | Unknown:
        attribute = block.body.attributes.get("source")
        where = self.safe(attribute, source, Scope(source.text)) if attribute else None
        if not isinstance(where, str):
            return Unknown(f"module {name} has no source that can be read")
        if not where.startswith(("./", "../")):
            return Unknown(
                f"module {name} comes from {where}, which is not fetched",
                external=True,
                name=f"module.{name}",
            )
        directory = os.path.normpath(os.path.join(self.directory, where))
        problem = self._refuse(os.path.realpath(directory), where)
        if problem is None:
            return directory
        assert attribute is not None
        self.out.errors.append(
            Diagnostic(
                MODULE_SOURCE,
                problem,
                location=attribute.value,
                source_line=source_line(source.text, attribute.value.line),
                severity="warning",
            )
        )
        return Unknown(f"module {name}: {problem}")

    def _refuse(self, real: str, where: str) -> str | None:
        if not inside(real, self.roots):
            return f"module source {where} is outside the scanned directories and is not read"
        if real in self.chain:
            return f"module source {where} calls itself"
        if len(self.chain) >= MAX_MODULE_DEPTH:
            return f"modules nest more than {MAX_MODULE_DEPTH} deep"
        if not os.path.isdir(real):
            return f"module source {where} is not a directory"
        return None


class _Input:
    """A module call's argument: an expression of the calling module, evaluated when the
    child first reads it (modules may read each other's outputs both ways)."""

    __slots__ = ("module", "attribute", "source", "scope")

    def __init__(self, module: Module, attribute: Attribute, source: SourceFile, scope: Scope):
        self.module = module
        self.attribute = attribute
        self.source = source
        self.scope = scope


def _suffix(key: Any) -> str:
    if key is None:
        return ""
    return f"[{key}]" if type(key) is int else f'["{key}"]'
