"""The reconcile benchmark's mirror 835 answers its 837: every J0256 line links, counts agree.

Quick: a 0.4 MB 837P from ``benchmarks/generate_837p.py`` and the 835 that
``benchmarks/bench_reconcile.py`` writes for it; slow (``-m slow``): the benchmark itself on
2 MB, with its own checks (counts exact, RSS).
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from edi_j0256.reconcile import reconcile

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def bench():
    return _load("bench_reconcile")


def test_mirror_835_links_every_j0256_line(bench, tmp_path):
    claims, remits = tmp_path / "c.x12", tmp_path / "r.x12"
    info = _load("generate_837p").generate(claims, size_mb=0.4, seed=3)
    mirror = bench.write_mirror_835(claims, remits)
    assert mirror["claims"] == info["claims"]
    assert mirror["j0256_claims"] == info["j0256_claims"]
    result = reconcile([claims], [remits], as_of=date(2026, 12, 1))
    assert len(result.records) == info["j0256_lines"]
    statuses = {r["status"] for r in result.records}
    assert "unmatched" not in statuses and result.orphans == []
    denied = [r for r in result.records if r["status"] == "denied"]
    assert len(denied) == mirror["denied_j0256_lines"] > 0
    assert all(r["link"] == "line_control" for r in result.records)
    # the floor splits every segment and element of both files
    assert bench.floor(claims) + bench.floor(remits) == _elements(claims) + _elements(remits)
    assert _elements(claims) > 20 * info["segments"] // 10


def _elements(path: Path) -> int:
    """Elements of every segment, the tag included (the floor's count), from the whole text."""
    segments = [s for s in path.read_text().split("~") if s.strip()]
    return sum(len(s.split("*")) for s in segments)


@pytest.mark.slow
def test_benchmark_runs_and_checks_counts(bench, tmp_path):
    result = bench.bench_size(2, tmp_path, 0.02, 1)
    for label in ("memory", "db"):
        assert result[label]["problems"] == []
        assert result[label]["peak_rss_mb"] < bench.GOAL_RSS_MB
        assert 0 < result[label]["sqlite_peak_mb"] < result[label]["peak_rss_mb"]
