"""Shared test fixtures: where the repository, its fixtures and the peer corpus are, and
generated 837P files built from several interchanges."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = REPO_ROOT / "fixtures"
PEERS_DIR = REPO_ROOT.parent / "shared" / "corpus" / "peers"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def peers_dir() -> Path:
    """The shared peer corpus (../shared/corpus/peers); tests skip when it is absent."""
    if not PEERS_DIR.is_dir():
        pytest.skip(f"peer corpus not found at {PEERS_DIR} (it lives outside the repository, "
                    "in ../shared/corpus/peers)")
    return PEERS_DIR


@pytest.fixture(scope="session")
def generator_837p():
    """``benchmarks/generate_837p.py`` (the synthetic 837P generator), loaded as a module."""
    spec = importlib.util.spec_from_file_location("generate_837p",
                                                  REPO_ROOT / "benchmarks" / "generate_837p.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["generate_837p"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def generated_interchanges(generator_837p, tmp_path_factory
                           ) -> Callable[[Sequence[int], float], bytes]:
    """``make(seeds, j0256_share)``: the bytes of one generated 0.3 MB 837P per seed (40
    claims per transaction), one after the other: a file of that many interchanges, each of
    many transactions, for the tests that cut one file into pieces."""
    def make(seeds: Sequence[int], j0256_share: float) -> bytes:
        folder = tmp_path_factory.mktemp("generated")
        parts = []
        for seed in seeds:
            path = folder / f"g{seed}.x12"
            generator_837p.generate(path, size_mb=0.3, j0256_share=j0256_share, seed=seed,
                                    claims_per_transaction=40)
            parts.append(path.read_bytes())
        return b"".join(parts)
    return make
