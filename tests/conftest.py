"""Shared test fixtures: where the repository, its fixtures and the peer corpus are."""

from __future__ import annotations

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
