"""The compiled reader core gives exactly what the pure Python source gives (issue 10).

``x12/tokenizer.py`` and the other hot modules may be compiled by Cython from the same source;
in compiled mode some functions take a typed byte loop (``if cython.compiled:``) instead of
the plain passes. Here the same source is also loaded as plain Python (a second module, not
compiled) and both are asked for the rows of every unit of the fixtures, the peer files,
generated files and hostile variants of them (spaces, CR, empty segments, UTF-8, a newline
terminator), with and without a tag filter and offsets: the rows must be equal.

Without a compiled build these tests check the pure module against itself (and say so).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from edi_j0256.claims.parser import CLAIM_TAGS, LEVEL_TAGS
from edi_j0256.diagnostics import X12ReadError
from edi_j0256.x12 import tokenizer as loaded
from edi_j0256.x12.tokenizer import Tokenizer

REPO_ROOT = Path(__file__).resolve().parent.parent
PEERS_DIR = REPO_ROOT.parent / "shared" / "corpus" / "peers"
COMPILED = not loaded.__file__.endswith(".py")


def _pure_tokenizer():
    """``x12/tokenizer.py`` loaded again as plain Python, under another module name."""
    source = Path(loaded.__file__).with_name("tokenizer.py")
    spec = importlib.util.spec_from_file_location("edi_j0256_pure_tokenizer", source)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


PURE = _pure_tokenizer()


def _texts() -> list[tuple[str, bytes]]:
    files = sorted((REPO_ROOT / "fixtures").rglob("*.x12"))
    files += sorted((REPO_ROOT / "tests" / "data" / "speed").glob("gen-*.x12"))
    files += sorted(p for p in PEERS_DIR.rglob("*") if p.is_file() and p.suffix != ".md")
    return [(str(p.relative_to(p.parents[1])), p.read_bytes()) for p in files]


def _variants(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The file, on one line, and with irregularities the regular layouts exclude."""
    out = [(name, data)]
    if b"~\n" in data:
        out.append((name + " (one line)", data.replace(b"~\n", b"~")))
    rng = random.Random(name)
    for what, old, new in (("space", b"~", b" ~"), ("cr", b"~\n", b"~\r\n"),
                           ("empty", b"~", b"~~"), ("lead", b"~", b"~ "),
                           ("utf8", b"*", "*\u00e9".encode()), ("lf in", b"*", b"*\n")):
        spots = [i for i in range(len(data)) if data.startswith(old, i)]
        if not spots:
            continue
        at = rng.choice(spots[len(spots) // 3:] or spots)
        out.append((f"{name} ({what})", data[:at] + new + data[at + len(old):]))
    if b"~\n" in data:
        out.append((name + " (newline terminator)", data.replace(b"~\n", b"\n")
                    .replace(b":\n", b":~", 1)))
    return out


CASES = [case for name, data in _texts() for case in _variants(name, data)]


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_rows_equal_pure(name: str, data: bytes) -> None:
    import io

    units = []
    try:
        units.extend(Tokenizer(io.BytesIO(data), name="x.x12").units())
    except X12ReadError:
        pass  # not X12, or unreadable from some point: the units before it are compared
    compared = 0
    for unit in units:
        for tags in (None, CLAIM_TAGS, LEVEL_TAGS):
            for offsets in (True, False):
                assert loaded._rows(unit, tags, offsets) == PURE._rows(unit, tags, offsets), (
                    name, unit.tag, unit.start)
                compared += 1
    assert compared == 6 * len(units)


def test_compiled_rows_cover_the_regular_layouts() -> None:
    """Compiled, the typed loop reads both regular layouts itself (it is not always None)."""
    if not COMPILED:
        pytest.skip("tokenizer not compiled: nothing to compare")
    import io

    for data in (b"ST*837*1~\nBHT*0019~\nSE*3*1~\n", b"ST*837*1~BHT*0019~SE*3*1~"):
        unit = next(iter(Tokenizer(io.BytesIO(data), name="x").units()))
        rows = loaded._typed_rows(unit, None, True)
        assert rows == PURE._rows(unit, None, True)
        assert [row[0] for row in rows] == ["ST", "BHT"]  # SE starts a unit
