"""``scan`` and ``check`` with ``--jobs`` 1, 2 and 3 through the CLI write the same bytes.

One generated file (two interchanges, three wrong SE01 counts) is cut into pieces
(``MIN_PIECE`` made small), and batches mix it with fixtures, a missing file and an 835: the
records or findings (on standard output, in ``-o`` files), the ``--diagnostics`` file, the
messages, summary and progress lines on standard error and the exit code are the same for
every ``--jobs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_j0256.parallel as parallel
from edi_j0256.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
JOBS = ("1", "2", "3")


@pytest.fixture(scope="module")
def generated(generated_interchanges, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("jobs") / "big.x12"
    path.write_bytes(generated_interchanges((5, 6), 0.6).replace(b"\nSE*", b"\nSE*9", 3))
    return path


@pytest.fixture()
def pieces(monkeypatch) -> list:
    """Small pieces, and the plans ``--jobs`` > 1 made (to see that the file was cut)."""
    monkeypatch.setattr(parallel, "MIN_PIECE", 20_000)
    plans: list = []
    real = parallel.iter_pieces  # what plan_pieces (scan) and check_file_parallel call
    monkeypatch.setattr(parallel, "iter_pieces",
                        lambda *a, **k: (piece for piece in
                                         plans.append(list(real(*a, **k))) or plans[-1]))
    return plans


def _run(args: list[str], tmp_path: Path, jobs: str) -> tuple:
    """Exit code, standard output and error, and every file the run wrote (by suffix)."""
    folder = tmp_path / f"jobs{jobs}"
    folder.mkdir()
    args = [a.replace("OUT", str(folder)) for a in args]
    result = CliRunner().invoke(cli, [*args, "-j", jobs], catch_exceptions=False)
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    # Progress "so far" lines are written every 2 s of a sequential read: time, not output.
    stderr = "\n".join(line for line in result.stderr.splitlines() if "so far" not in line)
    return result.exit_code, result.stdout_bytes, stderr.replace(str(folder), "OUT"), files


def _same_for_every_jobs(args: list[str], tmp_path: Path) -> tuple:
    runs = [_run(args, tmp_path, jobs) for jobs in JOBS]
    assert runs[1] == runs[0]
    assert runs[2] == runs[0]
    return runs[0]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_scan_one_large_file_on_stdout(fmt, generated, pieces, tmp_path):
    exit_code, stdout, stderr, files = _same_for_every_jobs(
        ["scan", str(generated), "--format", fmt, "--diagnostics", "OUT/diagnostics.jsonl",
         "--progress"], tmp_path)
    assert exit_code == 0
    assert len(pieces) == 2 and all(len(plan) >= 6 for plan in pieces)  # --jobs 2 and 3 cut
    assert stdout.count(b"\n") > 300
    assert stderr.count("X223") == 3 and "[1/1]" in stderr and "summary: files 1" in stderr
    assert files["diagnostics.jsonl"].count(b'"X223"') == 3


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_scan_one_large_file_to_a_file(fmt, generated, pieces, tmp_path):
    exit_code, stdout, _, files = _same_for_every_jobs(
        ["scan", str(generated), "--format", fmt, "-o", f"OUT/records.{fmt}", "-q"], tmp_path)
    assert exit_code == 0 and stdout == b""
    assert files[f"records.{fmt}"].count(b"\n") > 300
    assert len(pieces) == 2


def test_scan_summary_only(generated, pieces, tmp_path):
    exit_code, stdout, _, _ = _same_for_every_jobs(["scan", str(generated), "--summary"],
                                                   tmp_path)
    assert exit_code == 0 and b'"matched_lines": ' in stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_scan_batch_with_unreadable_inputs(fmt, generated, pieces, tmp_path):
    """Several files: read one per process, in the order given; the missing file and the
    835 are named in one line each and the run exits 2."""
    args = ["scan", str(FIXTURES / "837p-medicare.x12"), str(generated),
            str(tmp_path / "missing.x12"), str(FIXTURES / "835-medicare.x12"),
            str(FIXTURES / "837i-outpatient.x12"), "--format", fmt,
            "--diagnostics", "OUT/diagnostics.jsonl"]
    exit_code, stdout, stderr, files = _same_for_every_jobs(args, tmp_path)
    assert exit_code == 2
    assert stderr.count("error: ") == 2 and "is an 835 remittance advice" in stderr
    assert stdout.count(b"837p-medicare.x12") == 5 and stdout.count(b"837i-outpatient") == 7
    assert files["diagnostics.jsonl"].count(b'"X223"') == 3


@pytest.mark.parametrize("fmt", ["text", "jsonl", "csv", "json"])
def test_check_one_large_file(fmt, generated, pieces, tmp_path):
    """The file twice over (every line repeats in a later piece: duplicates, frequency and
    7-day caps across pieces), then a fixture; findings the same for every --jobs."""
    twice = tmp_path / "twice.x12"
    twice.write_bytes(generated.read_bytes() * 2)
    exit_code, stdout, stderr, files = _same_for_every_jobs(
        ["check", str(twice), str(FIXTURES / "837p-billing-errors.x12"), "--format", fmt,
         "-o", f"OUT/findings.{fmt}"], tmp_path)
    assert exit_code == 1
    # --jobs 2 and 3 cut the large file (the fixture is too small to cut)
    assert [len(plan) >= 6 for plan in pieces] == [True, False, True, False]
    found = files[f"findings.{fmt}"]
    assert found.count(b"JC005") > 300 and found.count(b"X223") == 6
    assert stdout == b"" and stderr == ""


def test_check_reports_the_reader_diagnostics_past_the_kept_ones(pieces, tmp_path):
    """1,250 X306 in one file: the first 1,000 are findings, then one finding at the last of
    them says how many more there were (they used to vanish); the same for every --jobs."""
    import re

    text = (FIXTURES / "837p-medicare.x12").read_text()
    bad = re.sub(r"(SV1\*HC:J0256[^*]*\*\d+\*UN\*)(\d+)", r"\g<1>\g<2>x", text)
    assert bad.count("UN*") - bad.count("x*") == text.count("UN*") - 5  # the 5 J0256 lines
    many = tmp_path / "many.x12"
    many.write_text(bad * 250)
    exit_code, stdout, stderr, files = _same_for_every_jobs(
        ["check", str(many), "--format", "jsonl", "-o", "OUT/findings.jsonl"], tmp_path)
    assert [len(plan) >= 6 for plan in pieces] == [True, True]
    lines = files["findings.jsonl"].decode().splitlines()
    x306 = [line for line in lines if '"code": "X306"' in line]
    assert len(x306) == 1001
    last_line = len(bad.splitlines()) * 249 + max(
        n for n, line in enumerate(bad.splitlines(), 1) if "x*" in line)
    assert ('"message": "250 more X306 diagnostics in this file not listed (the first 1000 '
            'are; the last is here)", ') in x306[-1]
    assert f'"line": {last_line}, ' in x306[-1]
