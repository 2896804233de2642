"""Read YAML into plain values and a position index, straight from the event stream.

The parser is libyaml's (``yaml.CParser``) when PyYAML was built with it, else PyYAML's
pure-Python one. Values are built here from parser events rather than from
``yaml.compose``: there is no recursion (a 5,000-level document gives a "nested too
deeply" error, not a ``RecursionError``), aliases are expanded with a budget (an alias
bomb is an error, not an out-of-memory), duplicate keys are errors, and CloudFormation
short-form tags become their long form (``!GetAtt a.b`` -> ``{"Fn::GetAtt": ["a", "b"]}``).

Scalars follow YAML 1.1 as PyYAML reads them (``yes`` is true, ``0755`` is octal), except
that timestamps and binary stay strings: ``Version: 2012-10-17`` is the string
CloudFormation means. Mapping keys are always the key's text.
"""

from __future__ import annotations

import re
from sys import intern
from typing import Any

import yaml
from yaml import events as ev

from scanner.errors import InputError
from scanner.loaders.source import (
    DUPLICATE_KEY,
    TOO_DEEP,
    TOO_MANY_NODES,
    YAML_SYNTAX,
    Limits,
    ParsedSource,
    PositionIndex,
    RawSpan,
    input_error,
    location_at,
)
from scanner.loaders.yaml_scalars import is_core_tag, plain_scalar, tagged_scalar
from scanner.model import UNKNOWN, Path

WITH_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))

# Short-form tags and the long-form key each one becomes.
INTRINSIC_TAGS: dict[str, str] = {"!Ref": "Ref", "!Condition": "Condition"}
INTRINSIC_TAGS.update(
    (f"!{name}", f"Fn::{name}")
    for name in (
        "And Base64 Cidr Contains EachMemberEquals EachMemberIn Equals FindInMap ForEach "
        "GetAZs GetAtt If ImportValue Join Length Not Or RefAll Select Split Sub "
        "ToJsonString Transform ValueOf"
    ).split()
)


def _make_parser(text: str) -> Any:
    if WITH_LIBYAML:
        return yaml.CSafeLoader(text)
    return yaml.SafeLoader(text)


def read_yaml(file: str, text: str, limits: Limits) -> ParsedSource:
    """Parse ``text`` (the first YAML document of it); raises ``InputError``."""
    if not WITH_LIBYAML:
        _check_flow_depth(file, text, limits)
    parser = _make_parser(text)
    builder = _Builder(file, text, limits)
    try:
        return builder.run(parser.get_event)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(file, text, exc) from exc
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        message = f"invalid YAML: {exc.reason} (character #x{char:04x})"
        raise input_error(YAML_SYNTAX, message, file, text, exc.position) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", code=YAML_SYNTAX) from exc
    finally:
        parser.dispose()


def _check_flow_depth(file: str, text: str, limits: Limits) -> None:
    """PyYAML's own scanner is quadratic in the depth of a run of ``[``/``{``."""
    run = re.search(r"[\[{](?:\s*[\[{]){" + str(limits.max_depth) + "}", text)
    if run is not None:
        message = f"nested too deeply (more than {limits.max_depth} levels)"
        raise input_error(TOO_DEEP, message, file, text, run.start())


def _syntax_error(file: str, text: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if exc.context:
        problem = f"{problem} ({exc.context}"
        if exc.context_mark is not None and mark is not exc.context_mark:
            problem += f" at line {exc.context_mark.line + 1}"
        problem += ")"
    if mark is None:
        return InputError(f"invalid YAML: {problem}", code=YAML_SYNTAX)
    return input_error(YAML_SYNTAX, f"invalid YAML: {problem}", file, text, mark.index)


class _Frame:
    """An open mapping or sequence."""

    __slots__ = (
        "value",
        "is_map",
        "path",
        "outer",
        "start",
        "flow",
        "key",
        "wrap",
        "anchor",
        "first",
        "dynamic",
        "last_end",
        "pending",
        "pending_span",
    )

    def __init__(
        self, value: Any, path: Path, start: int, flow: bool, key: tuple[int, int], first: int
    ) -> None:
        self.value = value
        self.is_map = type(value) is dict
        self.path = path  # where children go (inside the long form of a tagged node)
        self.outer = path  # where the node itself sits
        self.start = start
        self.flow = flow
        self.key = key  # the span of the node's own key
        self.wrap: str | None = None  # the long-form key of a tagged node
        self.anchor: str | None = None
        self.first = first  # index of the first position recorded inside the node
        self.dynamic = False  # an intrinsic function is somewhere inside
        self.last_end = start
        self.pending: str | None = None  # a mapping key waiting for its value
        self.pending_span: tuple[int, int] = (-1, -1)


class _Builder:
    """Turns one event stream into (value, positions, dynamic ids)."""

    def __init__(self, file: str, text: str, limits: Limits) -> None:
        self.file = file
        self.text = text
        self.limits = limits
        self.paths: list[Path] = []
        self.raws: list[RawSpan] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, Path, int, int, bool]] = {}
        self.dynamic: set[int] = set()
        self.alias_nodes = 0
        self.root: Any = None

    def run(self, next_event: Any) -> ParsedSource:
        documents = 0
        second = -1
        handlers = {
            ev.ScalarEvent: self._scalar,
            ev.MappingStartEvent: self._start,
            ev.SequenceStartEvent: self._start,
            ev.MappingEndEvent: self._end,
            ev.SequenceEndEvent: self._end,
            ev.AliasEvent: self._alias,
        }
        stack, paths, raws, scalar = self.stack, self.paths, self.raws, ev.ScalarEvent
        while True:
            event = next_event()
            kind = type(event)
            # The common case inline (it is most of the events): an untagged scalar
            # without anchor inside a collection.
            if kind is scalar and stack and event.tag is None and event.anchor is None:
                frame = stack[-1]
                start, end = event.start_mark.index, event.end_mark.index
                key = frame.pending
                if frame.is_map and key is None:
                    self._key(frame, event.value, start, end)
                    continue
                value = plain_scalar(event.value) if event.implicit[0] else event.value
                if key is not None:
                    paths.append(frame.path + (key,))
                    raws.append((frame.pending_span[0], frame.pending_span[1], start, end))
                    frame.value[key] = value
                    frame.pending = None
                else:
                    paths.append(frame.path + (len(frame.value),))
                    raws.append((-1, -1, start, end))
                    frame.value.append(value)
                frame.last_end = end
                continue
            handler = handlers.get(kind)
            if handler is not None:
                handler(event)
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    second = event.start_mark.index
                    break
            elif event is None or kind is ev.StreamEndEvent:
                break
        positions = PositionIndex(
            self.file, self.text, dict(zip(self.paths, self.raws, strict=True))
        )
        return ParsedSource(self.root, positions, self.text, self.dynamic, documents, second)

    # -- scalars -------------------------------------------------------------------------

    def _scalar(self, event: Any) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.pending is None and frame.is_map:
            self._key(frame, event.value, start, end)
            if event.anchor is not None:
                self._anchor(event.anchor, event.value, (), len(self.paths), False)
            return
        path, key = self._place(frame)
        tag = event.tag
        first = len(self.paths)
        if tag is None:
            value = plain_scalar(event.value) if event.implicit[0] else event.value
        elif tag in INTRINSIC_TAGS:
            value = self._short_form(INTRINSIC_TAGS[tag], event.value, path, start, end)
        else:
            value = tagged_scalar(tag, event.value)
        dynamic = tag in INTRINSIC_TAGS
        self._attach(frame, value, path, (key[0], key[1], start, end), dynamic)
        if event.anchor is not None:
            self._anchor(event.anchor, value, path, first, type(value) is dict)

    def _key(self, frame: _Frame, key: str, start: int, end: int) -> None:
        key = intern(key)  # keys repeat across resources: share one string
        if key in frame.value:
            self._duplicate(frame.path + (key,), key, start)
        if key == "Ref" or key.startswith("Fn::"):
            frame.dynamic = True
        frame.pending = key
        frame.pending_span = (start, end)

    def _duplicate(self, path: Path, key: str, start: int) -> None:
        first = next(raw[0] for p, raw in zip(self.paths, self.raws, strict=True) if p == path)
        line = location_at(self.file, self.text, first).line
        raise input_error(
            DUPLICATE_KEY,
            f"duplicate key {key!r} (first defined at line {line})",
            self.file,
            self.text,
            start,
        )

    def _short_form(self, name: str, text: str, path: Path, start: int, end: int) -> Any:
        inner: Any = text
        if name == "Fn::GetAtt":
            inner = text.split(".", 1)
            for index in range(len(inner)):
                self._record(path + (name, index), (-1, -1, start, end))
        self._record(path + (name,), (-1, -1, start, end))
        value = {name: inner}
        self.dynamic.add(id(value))
        return value

    # -- collections ---------------------------------------------------------------------

    def _start(self, event: Any) -> None:
        stack = self.stack
        start = event.start_mark.index
        if len(stack) >= self.limits.max_depth:
            message = f"nested too deeply (more than {self.limits.max_depth} levels)"
            raise input_error(TOO_DEEP, message, self.file, self.text, start)
        parent = stack[-1] if stack else None
        if parent is not None and parent.is_map and parent.pending is None:
            message = "a mapping key must be a scalar, not a mapping or a list"
            raise input_error(YAML_SYNTAX, message, self.file, self.text, start)
        outer, key = self._place(parent)
        value: Any = {} if type(event) is ev.MappingStartEvent else []
        frame = _Frame(value, outer, start, event.flow_style, key, len(self.paths))
        tag = event.tag
        if tag is not None:
            wrap = INTRINSIC_TAGS.get(tag)
            if wrap is not None:
                frame.path, frame.wrap = outer + (wrap,), wrap
            elif not is_core_tag(tag):
                frame.wrap = ""  # an unknown tag: the node reads as UNKNOWN
        frame.anchor = event.anchor
        stack.append(frame)

    def _end(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.flow or frame.first == len(self.paths):
            end = event.end_mark.index
        else:
            end = frame.last_end
        value = frame.value
        dynamic = frame.dynamic
        if dynamic:
            self.dynamic.add(id(value))
        if frame.wrap:
            self._record(frame.path, (-1, -1, frame.start, end))
            value = {frame.wrap: value}
            self.dynamic.add(id(value))
            dynamic = True
        elif frame.wrap == "":
            value, dynamic = UNKNOWN, False
        parent = self.stack[-1] if self.stack else None
        self._attach(parent, value, frame.outer, (*frame.key, frame.start, end), dynamic)
        if frame.anchor is not None:
            self._anchor(frame.anchor, value, frame.outer, frame.first, dynamic)
        if len(self.paths) > self.limits.max_nodes:
            message = f"too many nodes (more than {self.limits.max_nodes})"
            raise input_error(TOO_MANY_NODES, message, self.file, self.text, frame.start)

    # -- anchors and aliases -------------------------------------------------------------

    def _anchor(self, name: str, value: Any, path: Path, first: int, dynamic: bool) -> None:
        self.anchors[name] = (value, path, first, len(self.paths), dynamic)

    def _alias(self, event: Any) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        frame = self.stack[-1] if self.stack else None
        target = self.anchors.get(event.anchor)
        if target is None:
            message = f"alias *{event.anchor} refers to no anchor defined before it"
            raise input_error(YAML_SYNTAX, message, self.file, self.text, start)
        value, anchor_path, first, last, dynamic = target
        if frame is not None and frame.pending is None and frame.is_map:
            if not isinstance(value, str):
                message = f"alias *{event.anchor} used as a key is not a string"
                raise input_error(YAML_SYNTAX, message, self.file, self.text, start)
            self._key(frame, value, start, end)
            return
        self.alias_nodes += last - first
        if self.alias_nodes > self.limits.max_alias_nodes:
            message = (
                f"aliases expand to more than {self.limits.max_alias_nodes} nodes (an alias bomb?)"
            )
            raise input_error(TOO_MANY_NODES, message, self.file, self.text, start)
        path, key = self._place(frame)
        cut = len(anchor_path)
        for index in range(first, last - 1):
            self._record(path + self.paths[index][cut:], self.raws[index])
        self._attach(frame, value, path, (key[0], key[1], start, end), dynamic)

    # -- bookkeeping ---------------------------------------------------------------------

    def _place(self, frame: _Frame | None) -> tuple[Path, tuple[int, int]]:
        """The path of the next node in ``frame`` and the span of its key."""
        if frame is None:
            return (), (-1, -1)
        if frame.pending is not None:
            key = frame.pending
            frame.pending = None
            return frame.path + (key,), frame.pending_span
        return frame.path + (len(frame.value),), (-1, -1)

    def _attach(
        self, frame: _Frame | None, value: Any, path: Path, raw: RawSpan, dyn: bool
    ) -> None:
        self.paths.append(path)
        self.raws.append(raw)
        if frame is None:
            self.root = value
            return
        if frame.is_map:
            frame.value[path[-1]] = value
        else:
            frame.value.append(value)
        frame.last_end = raw[3]
        if dyn:
            frame.dynamic = True

    def _record(self, path: Path, raw: RawSpan) -> None:
        self.paths.append(path)
        self.raws.append(raw)
