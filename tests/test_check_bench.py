"""benchmarks/bench_check.py measures what it says: exact counts on a generated file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_check", BENCHMARKS / "bench_check.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_check"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_check_counts_what_the_generator_wrote(tmp_path, bench):
    path = tmp_path / "all.x12"
    info = bench.bench_scan.generator.generate(path, size_mb=0.2, j0256_share=1.0, seed=7)
    claims, lines, findings = bench.check_library(path)
    assert (claims, lines, findings) == (info["j0256_claims"], info["j0256_lines"], 0)
    assert bench.read_claims_count(path) == info["j0256_claims"]
    assert bench.bench_scan.floor_count(path) == info["j0256_lines"]
    seconds, rss_mb, status, stderr = bench.check_cli(path, tmp_path / "out.jsonl")
    assert (status, stderr, (tmp_path / "out.jsonl").read_text()) == (0, "", "")
    assert seconds > 0 and rss_mb > 10


def test_error_file_draws_findings_the_cli_writes(tmp_path, bench):
    bench_file = bench.error_file(tmp_path, 0.3, 0.2)
    info = bench_file.info
    assert info["error_claims"] > 20 and info["j0256_share"] == 1.0
    claims, lines, findings = bench.check_library(bench_file.path)
    assert (claims, lines) == (info["j0256_claims"], info["j0256_lines"])
    assert findings >= info["error_claims"]  # each error draws one finding or more
    seconds, rss_mb, status, stderr = bench.check_cli(bench_file.path, tmp_path / "out.jsonl")
    assert (status, stderr) == (1, "")
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == findings
    again = bench.error_file(tmp_path, 0.3, 0.2)  # reused, not generated again
    assert again.info == info and again.path.stat().st_mtime == bench_file.path.stat().st_mtime
