from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.report.output import OutputError, check_output, write_output


def test_a_new_report_gets_the_usual_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_output(str(tmp_path / "r.json"), "{}\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == "{}\n"
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644


def test_a_replaced_report_keeps_its_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("old\n", encoding="utf-8")
    report.chmod(0o600)
    write_output(str(report), "new\n")
    assert report.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_a_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n", encoding="utf-8")
    (tmp_path / "r.txt").symlink_to(target)
    write_output(str(tmp_path / "r.txt"), "report\n")
    assert target.read_text(encoding="utf-8") == "keep\n"
    assert not (tmp_path / "r.txt").is_symlink()
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == "report\n"


def test_a_device_is_written_in_place_not_replaced(capfd: pytest.CaptureFixture[str]) -> None:
    write_output(os.devnull, "discarded\n")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    write_output("/dev/stdout", "through the link\n")  # a symlink to /proc/self/fd/1
    assert os.path.islink("/dev/stdout")
    assert capfd.readouterr().out == "through the link\n"


def test_a_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so the writer's open does not block
    try:
        write_output(str(pipe), "streamed\n")
        assert os.read(reader, 100) == b"streamed\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_device_that_is_full_is_an_output_error() -> None:
    with pytest.raises(OutputError, match="cannot write the report to /dev/full: No space") as e:
        write_output("/dev/full", "x" * 10_000)
    assert "previous file" not in e.value.message  # nothing was kept: a device has no copy


def test_text_that_is_not_utf8_is_still_written(tmp_path: Path) -> None:
    write_output(str(tmp_path / "r.json"), '{"file": "caf\udce9.yaml"}\n')
    assert (tmp_path / "r.json").read_bytes() == b'{"file": "caf\\udce9.yaml"}\n'


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing/r.json", "missing does not exist"),
        ("file/r.json", "file is not a directory"),
        ("directory", "it is a directory"),
    ],
)
def test_a_path_that_cannot_be_written_is_refused_up_front(
    tmp_path: Path, name: str, problem: str
) -> None:
    (tmp_path / "file").write_text("x\n", encoding="utf-8")
    (tmp_path / "directory").mkdir()
    with pytest.raises(OutputError, match=problem) as caught:
        check_output(str(tmp_path / name))
    assert caught.value.code == "OUTPUT"
    with pytest.raises(OutputError, match=problem):
        write_output(str(tmp_path / name), "report\n")


def test_stdout_is_always_writable() -> None:
    check_output("-")


def test_a_report_in_pieces_is_written_whole(tmp_path: Path) -> None:
    write_output(str(tmp_path / "r.json"), iter(['{"a": ', '"caf\udce9"', "}\n"]))
    assert (tmp_path / "r.json").read_bytes() == b'{"a": "caf\\udce9"}\n'


def test_a_report_whose_pieces_fail_to_come_leaves_the_previous_file(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("old\n", encoding="utf-8")

    def pieces() -> Iterator[str]:
        yield "{"
        raise RuntimeError("the renderer failed")

    with pytest.raises(RuntimeError):
        write_output(str(report), pieces())
    assert report.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
