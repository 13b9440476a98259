"""Shared CLI helpers: a batch's inputs and the --diagnostics file."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from edi_j0256.cli.common import expand_inputs, gather_inputs, open_diagnostics
from edi_j0256.x12.sources import refusal_reason

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """A drop folder: good files, a hidden file, a sub-folder, a FIFO, an unreadable file."""
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / ".hidden").mkdir()
    shutil.copy(FIXTURES / "837p-medicare.x12", drop / "b.x12")
    shutil.copy(FIXTURES / "837p-commercial.x12", drop / "sub" / "a.x12")
    (drop / ".skip.x12").write_text("x")
    (drop / ".hidden" / "c.x12").write_text("x")
    os.mkfifo(drop / "pipe.x12")
    return drop


def test_folder_expands_like_expand_inputs_and_reports_fifo(batch):
    inputs = gather_inputs([batch])
    assert inputs.files == [str(batch / "b.x12"), str(batch / "sub" / "a.x12")]
    assert [str(p) for p in inputs.problems] == [
        f"{batch / 'pipe.x12'}: is a FIFO (named pipe), not a file"]
    assert expand_inputs([batch])[:1] == inputs.files[:1]


def test_missing_and_special_paths(batch):
    given = [batch / "b.x12", batch / "missing.x12", "/dev/zero", batch / "pipe.x12"]
    inputs = gather_inputs(given)
    assert inputs.files == [str(batch / "b.x12")]
    assert [str(p) for p in inputs.problems] == [
        f"{batch / 'missing.x12'}: no such file or folder",
        "/dev/zero: is a character device, not a file",
        f"{batch / 'pipe.x12'}: is a FIFO (named pipe), not a file",
    ]


def test_refusal_reason_names_each_kind_that_is_never_opened(batch, tmp_path):
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "s"))
    try:
        reasons = {name: refusal_reason(os.stat(path).st_mode) for name, path in [
            ("fifo", batch / "pipe.x12"), ("character", "/dev/null"), ("socket", tmp_path / "s"),
            ("folder", batch), ("file", batch / "b.x12")]}
    finally:
        listener.close()
    reasons["block"] = refusal_reason(stat.S_IFBLK | 0o660)
    assert reasons == {"fifo": "is a FIFO (named pipe), not a file",
                       "character": "is a character device, not a file",
                       "socket": "is a socket, not a file",
                       "folder": "is a folder, not a file",
                       "file": None,
                       "block": "is a block device, not a file"}


def test_fifo_never_blocks(batch):
    """Nothing opens the FIFO: with no writer, opening it would block forever."""
    done = threading.Event()

    def gather():
        gather_inputs([batch, batch / "pipe.x12"])
        done.set()

    threading.Thread(target=gather, daemon=True).start()
    assert done.wait(5)


def test_unreadable_file_and_folder(batch, monkeypatch):
    locked = batch / "locked.x12"
    shutil.copy(FIXTURES / "837p-medicare.x12", locked)
    real_open = open

    def guarded(path, *args, **kwargs):  # root reads chmod 000 files: refuse as a user would
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    real_walk = os.walk

    def walk(top, onerror=None, **kwargs):
        onerror(PermissionError(13, "Permission denied", str(batch / "sub")))
        yield from ((r, d, f) for r, d, f in real_walk(top, **kwargs) if "sub" not in r)

    monkeypatch.setattr(os, "walk", walk)
    inputs = gather_inputs([batch, locked])
    assert inputs.files == [str(batch / "b.x12")]
    assert [str(p) for p in inputs.problems] == [
        f"{batch / 'sub'}: cannot read folder: Permission denied",
        f"{locked}: cannot read: Permission denied",
        f"{batch / 'pipe.x12'}: is a FIFO (named pipe), not a file",
        f"{locked}: cannot read: Permission denied",
    ]


def test_stdin_is_kept_when_asked():
    assert gather_inputs(["-"], stdin=True).files == ["-"]
    assert str(gather_inputs(["-"]).problems[0]) == "-: no such file or folder"


def test_report_prints_one_line_each(batch, capsys):
    gather_inputs([batch / "nope"]).report(print)
    assert capsys.readouterr().out == f"error: {batch / 'nope'}: no such file or folder\n"


# -- --diagnostics FILE ------------------------------------------------------------------------

@click.command()
@click.argument("path")
@click.option("--exit", "code", type=int, default=None)
def _command(path, code):
    with open_diagnostics(path) as sink:
        sink.write('{"code": "X101"}\n')
        if code is not None:
            raise SystemExit(code)


def test_diagnostics_file_written_even_when_exiting_2(tmp_path):
    target = tmp_path / "d.jsonl"
    result = CliRunner().invoke(_command, [str(target), "--exit", "2"])
    assert result.exit_code == 2
    assert target.read_text() == '{"code": "X101"}\n'
    assert os.listdir(tmp_path) == ["d.jsonl"]


def test_diagnostics_missing_folder(tmp_path):
    target = tmp_path / "no" / "d.jsonl"
    result = CliRunner().invoke(_command, [str(target)])
    assert result.exit_code == 2
    assert result.output == f"Error: cannot write {target}: folder {target.parent} does not exist\n"


def test_no_diagnostics_path():
    with open_diagnostics(None) as sink:
        assert sink is None


def test_emit_text_is_atomic(tmp_path):
    from edi_j0256.cli.common import emit_text

    target = tmp_path / "out.jsonl"
    emit_text(["{\"a\": 1}\n", "{\"a\": 2}\n"], str(target))
    assert target.read_text() == '{"a": 1}\n{"a": 2}\n'

    def failing():
        yield "{\"a\": 3}\n"
        raise OSError(28, "No space left on device")

    with pytest.raises(click.ClickException) as caught:
        emit_text(failing(), str(target))
    assert caught.value.exit_code == 2
    assert caught.value.message == f"cannot write {target}: No space left on device"
    assert target.read_text() == '{"a": 1}\n{"a": 2}\n'
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_messages_escape_control_characters(capsys):
    from edi_j0256.cli.common import echo_err, fail
    from edi_j0256.diagnostics import Diagnostic, Severity

    echo_err("claim A\x1b[2J: two\nlines")
    assert capsys.readouterr().err == "claim A\\x1b[2J: two\nlines\n"
    assert fail("x.x12: SE02 '\x1b]0;x\x07'").message == "x.x12: SE02 '\\x1b]0;x\\x07'"
    from edi_j0256.cli.common import report_diagnostics

    report_diagnostics([Diagnostic("X224", Severity.ERROR, "SE02 '\x1b[31m' wrong", "f.x12",
                                   3, 3)])
    assert capsys.readouterr().err == "f.x12:3: X224 SE02 '\\x1b[31m' wrong [error]\n"
