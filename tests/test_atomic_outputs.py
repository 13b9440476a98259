"""Every command writes its output through ``output.atomic_path``: a regular file appears
whole or not at all, and a FIFO or device given as ``-o`` is written in place, never replaced
by a regular file (``check -o /dev/null`` as root used to replace the device)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_j0256.cli import cli

CLAIMS = "837p-billing-errors.x12"
REMITS = "835-billing-errors.x12"


def _through_fifo(path: Path, args: list[str]) -> tuple[int, bytes]:
    """Run the command with ``-o`` (or ``--report``) on a FIFO, reading it in a thread."""
    os.mkfifo(path)
    received: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = CliRunner().invoke(cli, args)
    reader.join(timeout=30)
    assert not reader.is_alive(), "the command never opened the FIFO"
    assert stat.S_ISFIFO(os.stat(path).st_mode), "the FIFO was replaced by a regular file"
    return result.exit_code, received[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_check_writes_a_fifo_in_place(fixtures_dir, tmp_path):
    claims = str(fixtures_dir / CLAIMS)
    expected = CliRunner().invoke(cli, ["check", claims, "--format", "jsonl"]).stdout_bytes
    code, written = _through_fifo(tmp_path / "findings.pipe",
                                  ["check", claims, "--format", "jsonl",
                                   "-o", str(tmp_path / "findings.pipe")])
    assert code == 1  # the billing-errors fixture has errors
    assert written == expected and written.count(b"\n") > 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_report_writes_a_fifo_in_place(fixtures_dir, tmp_path):
    db = tmp_path / "j.db"
    filled = CliRunner().invoke(cli, ["reconcile", "--db", str(db),
                                      "--claims", str(fixtures_dir / CLAIMS),
                                      "--remits", str(fixtures_dir / REMITS),
                                      "-q", "-o", str(tmp_path / "o.jsonl")])
    assert filled.exit_code == 0, filled.output
    page = tmp_path / "page.html"
    assert CliRunner().invoke(cli, ["report", "--db", str(db), "-o", str(page), "-q",
                                    "--as-of", "2026-03-25"]).exit_code == 0
    code, written = _through_fifo(tmp_path / "page.pipe",
                                  ["report", "--db", str(db), "-o", str(tmp_path / "page.pipe"),
                                   "-q", "--as-of", "2026-03-25"])
    assert code == 0
    assert written == page.read_bytes() and written.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("command", ["check", "report"])
def test_a_missing_folder_is_one_line_and_exit_2(fixtures_dir, tmp_path, command):
    target = tmp_path / "absent" / "out.txt"
    if command == "check":
        args = ["check", str(fixtures_dir / CLAIMS), "-o", str(target)]
    else:
        db = tmp_path / "j.db"
        CliRunner().invoke(cli, ["reconcile", "--db", str(db), "--claims",
                                 str(fixtures_dir / CLAIMS), "-q", "-o", str(tmp_path / "o.jsonl")])
        args = ["report", "--db", str(db), "-o", str(target), "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot write {target}: folder {target.parent} does not exist\n"
    assert not target.parent.exists()
