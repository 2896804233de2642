"""Random mixes of intrinsic functions nested up to 64 deep stay bounded in time and memory.

Hypothesis writes templates whose one property is a chain of up to 64 intrinsic functions
(``Fn::Select``, ``Fn::Sub``, ``Fn::If``, ``Fn::Join``, ``Fn::FindInMap``, ``Fn::Split``,
``Fn::ToJsonString``, ``Fn::Base64``), each level naming the one below twice through a YAML
alias or not (when it does, the tree it stands for doubles while the file stays small), inside up
to four nested ``Fn::ForEach`` loops. Every template must load to resources or to clear
input errors, never to an exception or an internal error, within a time bound; the whole
run happens in a subprocess limited to 1.5 GiB of address space, so a template that blows
up memory fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 60
PER_EXAMPLE = 20  # seconds one template may take to load, on a loaded machine
TIMEOUT = EXAMPLES * PER_EXAMPLE // 2  # seconds for the whole subprocess
MEMORY = 3 << 29  # 1.5 GiB of address space
# What a hostile template may end in: too much intrinsic work, too many alias nodes,
# nested too deeply, a malformed resource or loop, a loop that cannot be expanded.
CLEAR_ERRORS = {"I008", "I009", "I011", "I012", "I013", "I015"}

LEAVES = [
    '"x"',
    "3",
    '{"Ref": "Names"}',
    '{"Ref": "Env"}',
    '{"Ref": "Unset"}',
    '{"Ref": "AWS::Region"}',
    '{"Ref": "Other"}',
    '{"Fn::GetAZs": ""}',
    '["a", "b,c"]',
    '{"Fn::GetAtt": ["Other", "Arn"]}',
]


def level(kind: str, index: int, first: str, again: str) -> str:
    """One intrinsic around ``first`` (written once, anchored) and ``again`` (its alias)."""
    if kind == "select":
        return f'{{"Fn::Select": [{index % 3}, [{first}, {again}]]}}'
    if kind == "select-of":
        return f'{{"Fn::Select": [{index % 3}, {first}]}}'
    if kind == "sub":
        text = "${a}${a}" if index % 2 else "${a}-${b}-${Env}"
        return f'{{"Fn::Sub": ["{text}", {{"a": {first}, "b": {again}}}]}}'
    if kind == "if":
        condition = ("Known", "Unknown", "Loop")[index % 3]
        return f'{{"Fn::If": ["{condition}", {first}, {again}]}}'
    if kind == "join":
        return f'{{"Fn::Join": [",", [{first}, {again}, "z"]]}}'
    if kind == "join-of":
        return f'{{"Fn::Join": ["--", {first}]}}'
    if kind == "split":
        return f'{{"Fn::Split": [",", {first}]}}'
    if kind == "find":
        default = f'{{"DefaultValue": {again}}}'
        return f'{{"Fn::FindInMap": ["Sizes", {first}, "Size", {default}]}}'
    if kind == "json":
        return f'{{"Fn::ToJsonString": [{first}, {again}]}}'
    return f'{{"Fn::Base64": {first}}}'


KINDS = ["select", "select-of", "sub", "if", "join", "join-of", "split", "find", "json", "b64"]


def template(leaf: int, runs: list[tuple[str, int, bool, int]], loops: list[int]) -> str:
    """``runs`` from the inside out: (function, an index, whether its first level names its
    argument twice, how many levels in a row), 64 levels at most; ``loops``: the width of
    each ``Fn::ForEach`` around the resource."""
    chain = [
        (kind, index, twice and n == 0) for kind, index, twice, count in runs for n in range(count)
    ]
    node = LEAVES[leaf]
    for depth, (kind, index, twice) in enumerate(chain[:64]):
        again = f"*n{depth}" if twice else LEAVES[index % len(LEAVES)]
        node = level(kind, index, f"&n{depth} {node}", again)
    body = f"{{Type: AWS::SNS::Topic, Properties: {{TopicName: {node}}}}}"
    key = "Topic" + "".join(f"${{L{i}}}" for i in range(len(loops)))
    resource_text = f"{json.dumps(key)}: {body}"
    for depth, width in reversed(list(enumerate(loops))):
        items = json.dumps([f"i{n}" for n in range(width)])
        resource_text = f'"Fn::ForEach::Loop{depth}": [L{depth}, {items}, {{{resource_text}}}]'
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::LanguageExtensions\n"
        "Parameters:\n"
        "  Names: {Type: CommaDelimitedList, Default: 'a,b,c'}\n"
        "  Env: {Type: String, Default: prod}\n"
        "  Unset: {Type: String}\n"
        "Mappings:\n"
        "  Sizes: {x: {Size: big}, prod: {Size: small}, a: {Size: [1, 2]}}\n"
        "Conditions:\n"
        "  Known: {'Fn::Equals': [{Ref: Env}, prod]}\n"
        "  Unknown: {'Fn::Equals': [{Ref: Unset}, a]}\n"
        "  Loop: {'Fn::Not': [{Condition: Loop}]}\n"
        "Resources:\n"
        "  Other: {Type: AWS::S3::Bucket}\n"
        f"  {resource_text}\n"
    )


templates = st.builds(
    template,
    st.integers(0, len(LEAVES) - 1),
    st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(0, 9), st.booleans(), st.integers(1, 32)),
        max_size=16,
    ),
    st.lists(st.integers(1, 60), max_size=4),
)


def run_examples() -> None:
    """The property itself; runs in the limited subprocess."""
    from scanner.loaders import LoadOptions
    from scanner.loaders.cloudformation import load

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(templates)
    def loads_within_bounds(text: str) -> None:
        started = time.monotonic()
        result = load("fuzz.yaml", text.encode(), LoadOptions(jobs=1))
        elapsed = time.monotonic() - started
        assert elapsed < PER_EXAMPLE, f"{elapsed:.1f} s for:\n{text}"
        codes = {error.code for error in result.errors}
        assert codes <= CLEAR_ERRORS, f"{result.errors} for:\n{text}"
        assert result.resources or result.errors, text

    loads_within_bounds()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def test_nested_intrinsics_load_or_fail_clearly_within_bounds() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import sys; sys.path.insert(0, {here!r}); "
        "import test_intrinsic_fuzz as fuzz; fuzz.run_examples()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]


def test_the_generated_templates_are_what_they_claim() -> None:
    """A guard on the generator: a 64-level chain is a small file that loads."""
    from scanner.loaders import LoadOptions
    from scanner.loaders.cloudformation import load

    text = template(2, [("join", 0, True, 10), ("select", 0, False, 54)], [3, 2])
    assert len(text) < 8000 and text.count("Fn::") >= 64
    result = load("fuzz.yaml", text.encode(), LoadOptions(jobs=1))
    assert {error.code for error in result.errors} <= CLEAR_ERRORS
    assert [r.id for r in result.resources][:3] == ["Other", "Topici0i0", "Topici0i1"]
