"""The benchmark generator and scan agree: counts in = counts out.

The generator (``benchmarks/generate_837p.py``) reports how many claims and J0256 lines it
wrote, and can write the values scan must find for each J0256 line; ``scan`` must find
exactly those. The quick tests use tiny files; the slow ones (``-m slow``) a modest file with
several transactions, the CLI, and pyx12's implementation-guide validation.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.output import plain
from edi_j0256.scan import iter_scan

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def generator():
    return _load("generate_837p")


@pytest.fixture(scope="module")
def bench():
    return _load("bench_scan")


def _scan(path: Path) -> tuple[list[dict], object, Diagnostics]:
    diagnostics = Diagnostics()
    records, reader = iter_scan(path, hcpcs=("J0256",), diagnostics=diagnostics)
    return [plain(r) for r in records], reader.stats, diagnostics


def _assert_counts(info: dict, records: list[dict], stats, diagnostics: Diagnostics) -> None:
    assert info["j0256_lines"] > 0
    assert len(records) == info["j0256_lines"]
    assert stats.matched_lines == info["j0256_lines"]
    assert stats.claims == info["claims"]
    assert stats.service_lines == info["service_lines"]
    assert stats.transactions == info["transactions"]
    assert stats.claims_unreadable == 0
    assert list(diagnostics) == [], [d.message for d in diagnostics]


def _assert_truth(records: list[dict], truth: Path) -> None:
    expected = [json.loads(line) for line in truth.read_text().splitlines()]
    assert len(records) == len(expected)
    for record, want in zip(records, expected, strict=True):
        got = {key: record.get(key) for key in want}
        assert got == want, f"claim {want['claim_id']} line {want['line_number']}"


@pytest.mark.parametrize("newlines", [True, False], ids=["newlines", "single-line"])
@pytest.mark.parametrize("share", [0.3, 0.02])
def test_counts_in_equal_counts_out(tmp_path, generator, newlines, share):
    path, truth = tmp_path / "tiny.x12", tmp_path / "tiny.truth.jsonl"
    info = generator.generate(path, size_mb=0.2, j0256_share=share, newlines=newlines,
                              seed=11, claims_per_transaction=150, truth=truth)
    assert info["bytes"] == path.stat().st_size
    assert info["transactions"] > 1
    assert (b"~\n" in path.read_bytes()) is newlines
    records, stats, diagnostics = _scan(path)
    _assert_counts(info, records, stats, diagnostics)
    _assert_truth(records, truth)


def test_generator_is_deterministic_and_counts_segments(tmp_path, generator):
    first, second = tmp_path / "a.x12", tmp_path / "b.x12"
    info = generator.generate(first, size_mb=0.1, j0256_share=0.5, newlines=False, seed=3)
    generator.generate(second, size_mb=0.1, j0256_share=0.5, newlines=False, seed=3)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert text.count("~") == info["segments"]
    assert text.count("~SV1*HC:J0256") == info["j0256_lines"]
    assert text.count("~CLM*") == info["claims"]


def test_generator_cli_reports_json(tmp_path):
    out = tmp_path / "cli.x12"
    result = subprocess.run([sys.executable, str(BENCHMARKS / "generate_837p.py"),
                             "--size-mb", "0.05", "--j0256-share", "1", "--no-newlines",
                             "--seed", "2", "-o", str(out)],
                            capture_output=True, text=True, check=True)
    info = json.loads(result.stdout)
    assert info["claims"] * 0.85 < info["j0256_claims"] <= info["claims"]  # children get none
    assert info["bytes"] == out.stat().st_size
    assert b"\n" not in out.read_bytes()


def test_floor_and_regex_count_the_generated_lines(tmp_path, generator, bench):
    for newlines in (True, False):
        path = tmp_path / f"f{newlines}.x12"
        info = generator.generate(path, size_mb=0.1, j0256_share=0.3, newlines=newlines,
                                  seed=5)
        assert bench.floor_count(path) == info["j0256_lines"]
        assert bench.floor_str_count(path) == info["j0256_lines"]
        assert bench.regex_count(path) == info["j0256_lines"]


@pytest.mark.slow
@pytest.mark.parametrize("newlines", [True, False], ids=["newlines", "single-line"])
def test_modest_file_scan_finds_every_generated_line(tmp_path, generator, bench, newlines):
    path, truth = tmp_path / "modest.x12", tmp_path / "modest.truth.jsonl"
    info = generator.generate(path, size_mb=5, j0256_share=0.1, newlines=newlines, seed=23,
                              truth=truth)
    assert info["transactions"] >= 3
    records, stats, diagnostics = _scan(path)
    _assert_counts(info, records, stats, diagnostics)
    _assert_truth(records, truth)
    # the CLI writes the same lines
    output = tmp_path / "out.jsonl"
    seconds, rss_mb, status, stderr = bench.scan_cli(path, output)
    assert status == 0, stderr
    count, mismatches, problems = bench.compare_truth(output, truth)
    assert (count, mismatches) == (info["j0256_lines"], 0), problems


@pytest.mark.slow
def test_generated_file_passes_pyx12_validation(tmp_path, generator, bench):
    path = tmp_path / "ig.x12"
    info = generator.generate(path, size_mb=0.3, j0256_share=0.3, seed=31,
                              claims_per_transaction=300)
    assert bench.pyx12_validate(path)
    assert bench.pyx12_x12reader(path) == info["j0256_lines"]


def test_generated_claims_are_clean_for_the_validator(tmp_path, generator):
    """The generator bills J0256 the way the rules say (dose from PAT08 weight, least-waste
    package, JW for the discarded rest or JZ, NDC quantity consistent with the units, billable
    diagnoses, weekly doses, adults only): ``check`` finds nothing on its files."""
    from edi_j0256.rules import check_files

    path = tmp_path / "clean.x12"
    info = generator.generate(path, size_mb=0.3, j0256_share=0.5, newlines=True, seed=11)
    assert info["j0256_lines"] > 100
    assert [f"{f.code} {f.message}" for f in check_files([path])] == []
