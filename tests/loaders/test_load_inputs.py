from __future__ import annotations

import itertools
import os
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.loaders import LoadedInputs, LoadOptions, load_inputs, worker_count

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cloudformation"
ALL_FIXTURES = sorted(str(p) for p in FIXTURES.rglob("*") if p.is_file())
GOOD = (FIXTURES / "intrinsics.yaml").read_bytes()
MB = 1024 * 1024


def summary(loaded: LoadedInputs) -> tuple[object, ...]:
    return (
        [(r.document.path if r.document else None, r.id, r.body) for r in loaded.resources],
        [d.path for d in loaded.documents],
        loaded.errors,
        loaded.skipped,
    )


def test_every_fixture_loads_or_errors_and_order_follows_the_input() -> None:
    loaded = load_inputs(ALL_FIXTURES, LoadOptions(jobs=1))
    assert [d.path for d in loaded.documents] == sorted(d.path for d in loaded.documents)
    assert {e.file for e in loaded.errors} == {
        str(FIXTURES / "bad" / name)
        for name in (
            "binary.json",
            "duplicate-keys.yaml",
            "empty.yaml",
            "foreach.yaml",
            "invalid-utf8.yaml",
            "malformed.json",
            "malformed.yaml",
            "module-type.yaml",
        )
    }
    assert loaded.skipped == 2
    assert len(loaded.resources) == 47


def test_worker_processes_give_the_same_result_in_the_same_order() -> None:
    files = list(reversed(ALL_FIXTURES)) * 3
    assert summary(load_inputs(files, LoadOptions(jobs=2))) == summary(
        load_inputs(files, LoadOptions(jobs=1))
    )


def test_small_scans_stay_in_process_and_jobs_are_respected() -> None:
    assert worker_count(ALL_FIXTURES, LoadOptions()) == 1
    assert worker_count(ALL_FIXTURES, LoadOptions(jobs=3)) == 3
    assert worker_count(ALL_FIXTURES[:2], LoadOptions(jobs=8)) == 2


def test_large_scans_use_all_cpus_but_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = []
    for index in range(10):
        path = tmp_path / f"t{index}.json"
        with path.open("wb") as handle:
            handle.truncate(MB // 2)
        files.append(str(path))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert worker_count(files, LoadOptions()) == 7
    assert worker_count(files[:7], LoadOptions()) == 1  # under 4 MB
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert worker_count(files, LoadOptions()) == 1


def test_a_file_over_the_size_cap_is_one_error(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(50 * MB)
    loaded = load_inputs([str(huge), str(FIXTURES / "sam.yaml")])
    assert [(e.code, e.message) for e in loaded.errors] == [
        ("I001", "file is 50 MB, over the 20 MB size limit")
    ]
    assert [r.id for r in loaded.resources] == ["Handler", "Data"]
    small_cap = load_inputs([str(FIXTURES / "sam.yaml")], LoadOptions(max_bytes=100))
    assert small_cap.errors[0].message == "file is 369 bytes, over the 100 bytes size limit"


def test_missing_and_unreadable_files_are_errors(tmp_path: Path) -> None:
    loaded = load_inputs([str(tmp_path / "gone.yaml"), str(tmp_path)])
    assert [e.code for e in loaded.errors] == ["I010", "I010"]
    assert loaded.errors[0].message == "cannot read file: No such file or directory"


def test_hostile_files_are_errors_and_the_rest_loads(tmp_path: Path) -> None:
    bomb = ["Resources:", "  T:", "    Type: AWS::SNS::Topic", "    Properties:"]
    bomb.append("      a0: &a0 [x, x, x, x, x, x, x, x, x, x]")
    bomb += [f"      a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    files = {
        "bomb.yaml": "\n".join(bomb) + "\n",
        "deep.yaml": "Resources: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep.json": '{"Resources": ' + '{"a": ' * 5000 + "1" + "}" * 5001,
        "fine.yaml": "Resources:\n  T:\n    Type: AWS::SNS::Topic\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    loaded = load_inputs([str(tmp_path / name) for name in files])
    assert [(Path(e.file or "").name, e.code) for e in loaded.errors] == [
        ("bomb.yaml", "I009"),
        ("deep.yaml", "I005"),  # libyaml stops at 1000 flow levels before we count 500
        ("deep.json", "I008"),
    ] or [(Path(e.file or "").name, e.code) for e in loaded.errors] == [
        ("bomb.yaml", "I009"),
        ("deep.yaml", "I008"),
        ("deep.json", "I008"),
    ]
    assert [r.id for r in loaded.resources] == ["T"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis")


_counter = itertools.count()


def check_never_raises(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"input-{next(_counter)}{suffix}"
    path.write_bytes(data)
    loaded = load_inputs([str(path)], LoadOptions(jobs=1))
    assert all(e.code != "I099" for e in loaded.errors), loaded.errors
    assert all(e.file == str(path) for e in loaded.errors)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300), st.sampled_from([".yaml", ".json", ".template", ".txt"]))
def test_random_bytes_never_raise(scratch: Path, data: bytes, suffix: str) -> None:
    check_never_raises(scratch, b"Resources:\n" + data, suffix)


SPECIAL = st.sampled_from(
    list("{}[]:,!&*|>\"'-#% \n\t\\")
    + ["!Ref ", "!If ", "!Sub ", "${", "*a", "&a ", "? ", "- ", "\x00", "Fn::If", "AWS::NoValue"]
)


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    text = bytearray(source)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "delete":
            del text[at : at + draw(st.integers(1, 40))]
        else:
            piece = draw(SPECIAL | st.text(max_size=5)).encode("utf-8", "surrogatepass")
            text[at : at + (1 if kind == "replace" else 0)] = piece
    return bytes(text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated(GOOD))
def test_mutated_yaml_templates_never_raise(scratch: Path, data: bytes) -> None:
    check_never_raises(scratch, data, ".yaml")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated((FIXTURES / "intrinsics.json").read_bytes()))
def test_mutated_json_templates_never_raise(scratch: Path, data: bytes) -> None:
    check_never_raises(scratch, data, ".json")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated((FIXTURES / "conditions.yaml").read_bytes()))
def test_mutated_condition_templates_never_raise(scratch: Path, data: bytes) -> None:
    check_never_raises(scratch, data, ".yaml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_place_of_a_file_is_an_error_not_a_wait(tmp_path: Path) -> None:
    """A file swapped for a FIFO after discovery: opening it must not wait for a writer."""
    fifo = tmp_path / "swapped.yaml"
    os.mkfifo(fifo)
    good = tmp_path / "good.yaml"
    good.write_bytes(GOOD)

    def stuck(signum: int, frame: object) -> None:
        raise TimeoutError("loading waited on the FIFO")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        loaded = load_inputs([str(fifo), str(good)], LoadOptions(jobs=1))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    (error,) = loaded.errors
    assert (error.code, error.file) == ("I014", str(fifo))
    assert error.message == "not a regular file (a FIFO); only regular files are read"
    assert [d.path for d in loaded.documents] == [str(good)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_discovery_allowed_is_read_through_its_real_path(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(GOOD)
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    loaded = load_inputs([str(tmp_path / "link.yaml")], LoadOptions(jobs=1))
    assert loaded.errors == []
    assert [d.path for d in loaded.documents] == [str(tmp_path / "link.yaml")]
