"""The compiled-mode typed passes give exactly what the pure Python source gives (issue 10).

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
        out.append((name + " (crlf)", data.replace(b"~\n", b"~\r\n")))
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
# boundaries and irregularities the files above may not hold, each right after a terminator
CASES += [(f"crafted {n}", text) for n, text in enumerate((
    b"ST*837*1~ISA*00~ISA~ISA:~ISA1~ISA \xe9~IEA~IEA*1~SV1~SV1*HC:J0256~SV2~SV2*0250~CLM~",
    b"ST*837*1~\nHL*1**20*1~\nHL~\nCLM*A~\n~\n \nSE*2~\n\n~\nGE~\nGS*HC~\nSV1~\nSV2*1~\n",
    b"ST*837*1~~ ~\t~\r\n~CL~HLX*~SEX~S~G~\xff\xfe~SV1*~SV1~SV2~",
    b"ST*837*1~\nCLM\n~\nHL*1\n~\nX~Y~\n\r~\nSV1~\nSV1\n~\nSV2*~\n"))]


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
    """Compiled, the typed loop reads the regular layouts itself (it is not always None):
    one segment per line after LF or CR LF, and one line."""
    if not COMPILED:
        pytest.skip("tokenizer not compiled: nothing to compare")
    import io

    for data in (b"ST*837*1~\nBHT*0019~\nSE*3*1~\n", b"ST*837*1~\r\nBHT*0019~\r\nSE*3*1~\r\n",
                 b"ST*837*1~BHT*0019~SE*3*1~"):
        unit = next(iter(Tokenizer(io.BytesIO(data), name="x").units()))
        rows = loaded._typed_rows(unit, None, True)
        assert rows == PURE._rows(unit, None, True)
        assert [row[0] for row in rows] == ["ST", "BHT"]  # SE starts a unit


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_tallies_and_empty_segments_equal_pure(name: str, data: bytes) -> None:
    """The tag counts (``SV1``, ``SV2``, ``SV1|SV2``, ``LX``; from 16 or more places)
    and the search for the first empty segment give what the pure module's regexes give."""
    delimiters = loaded.Delimiters("*", ":", "\n" if b"~" not in data else "~")
    starts = range(0, len(data), max(397, len(data) // 16))
    for tags in ("SV1", "SV2", "SV1|SV2", "LX"):
        for start in starts:
            for first in (False, True):
                assert (loaded._count_tags(data, start, len(data), delimiters, tags, first)
                        == PURE._count_tags(data, start, len(data), delimiters, tags, first))
    tokenizer = PURE.Tokenizer(b"", name="x")
    tokenizer._set_delimiters(delimiters)
    for start in starts:
        match = tokenizer._empty.search(data, start)
        want = match.start() if match else len(data)
        if COMPILED:
            assert loaded._typed_empty(data, start, ord(delimiters.segment)) == want


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_needle_items_equal_the_regex(name: str, data: bytes) -> None:
    """The needle path's items (boundaries, tallied variants, irregular characters after
    each terminator) from the typed pass equal the regex's ``findall``, with no lead, LF
    and CR LF, over the whole text and over ranges that cut segments."""
    if not COMPILED:
        pytest.skip("needle not compiled: nothing to compare")
    from edi_j0256.x12 import needle

    terminator = b"\n" if b"~" not in data else b"~"
    delimiters = loaded.Delimiters("*", ":", terminator.decode())
    cuts = [(0, len(data))] + [(a, min(len(data), a + 4099))
                               for a in range(0, len(data), max(1009, len(data) // 12))]
    for lead in (b"", b"\n", b"\r\n") if terminator != b"\n" else (b"",):
        for tally in ((), ("SV1",), ("SV1", "SV2")):
            pattern = needle._items_pattern(delimiters, lead, tally)
            for start, stop in cuts:
                assert needle._typed_items(data, start, stop, terminator[0], 42, len(lead),
                                           [t.encode() for t in tally]) == pattern.findall(
                    data, start, stop), (lead, tally, start, stop)


def test_reads_the_same_without_cython_installed() -> None:
    """With no ``cython`` module to import, the stand-in serves and scan reads as usual."""
    import json
    import subprocess

    code = ("import sys, json; sys.modules['cython'] = None\n"
            "from edi_j0256.scan import iter_scan\n"
            "from edi_j0256.x12 import tokenizer\n"
            "records, reader = iter_scan('fixtures/837p-medicare.x12')\n"
            "shim = getattr(tokenizer, 'cython', None)\n"
            "print(json.dumps([getattr(shim, '__name__', None), len(list(records)),"
            " reader.stats.service_lines]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True).stdout
    name, records, lines = json.loads(out)
    assert (records, lines) == (5, 11)
    # compiled, ``cython`` is the compiler's and no name of the module at run time
    assert name == (None if COMPILED else "edi_j0256._cython_shim")


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_position_tally_equals_the_byte_counts(name: str, data: bytes) -> None:
    """The one-pass count of terminators and LFs behind every segment index and line gives
    ``bytes.count``'s numbers over ranges that start and end anywhere (across its 255-byte
    blocks), with and without the LFs."""
    if not COMPILED:
        pytest.skip("tokenizer not compiled: the pure module counts with bytes.count")
    terminator = b"~" if b"~" in data else b"\n"
    rng = random.Random(name)
    ranges = [(0, len(data)), (0, 0), (len(data), len(data))]
    ranges += sorted((rng.randrange(len(data) + 1), rng.randrange(len(data) + 1))
                     for _ in range(40))
    ranges += [(a, a + n) for a in (0, 1, 254) for n in (254, 255, 256, 511, 510)]
    for low, high in ranges:
        want = (data.count(terminator, low, high), data.count(b"\n", low, high))
        assert loaded._typed_tally(data, low, high, terminator[0], True) == want, (low, high)
        assert loaded._typed_tally(data, low, high, terminator[0], False) == (want[0], 0)


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_needle_positions_equal_the_find_loop(name: str, data: bytes) -> None:
    """The typed search for needle keys finds every position ``bytes.find`` finds, overlapping
    ones and ones at the very start and end too, from any start; the needle positions built
    on it equal the pure module's."""
    if not COMPILED:
        pytest.skip("tokenizer not compiled: the pure module searches with bytes.find")
    rng = random.Random(name)
    keys = [b"0256", b"J0256", b"00", b"~\n", b"*HC:", data[:3], data[-4:], data[-2:]]
    for key in keys:
        for start in (0, 1, len(data) // 3, len(data) - len(key), len(data),
                      rng.randrange(len(data) + 1)):
            want, at = [], data.find(key, start)
            while at >= 0:
                want.append(at)
                at = data.find(key, at + 1)
            assert loaded._typed_find_all(data, start, key) == want, (key, start)
    for needles in ((b"J0256", b"j0256"), (b"J0256",), (b"J0256", b"J1561", b"96365")):
        assert (loaded._positions(data, 0, needles) == PURE._positions(data, 0, needles))


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_unit_boundaries_equal_the_regex(name: str, data: bytes) -> None:
    """The typed boundary search gives the boundary regex's matches (end, tag) from any
    start, up to and with the first ISA, for the claim and the remit boundaries, with the
    file's terminator and with each crafted case's."""
    if not COMPILED:
        pytest.skip("tokenizer not compiled: the pure module searches with the regex")
    segment = "~" if b"~" in data else "\n"
    for boundaries in (loaded.CLAIM_BOUNDARIES, loaded.REMIT_BOUNDARIES, ("HL", "CLM", "LX")):
        tokenizer = PURE.Tokenizer(b"", name="x", boundaries=boundaries)
        tokenizer._set_delimiters(PURE.Delimiters("*", ":", segment))
        names = tokenizer._boundary_names
        starts = sorted({0, 1, len(data) // 2, len(data)} | {data.find(b"ISA", 1) + 1})
        for start in starts:
            want = []
            for match in tokenizer._pattern.finditer(data, start):
                want.append((match.end(), tokenizer._tags[match[1] or match[2]]))
                if want[-1][1] == "ISA":
                    break
            got = loaded._typed_boundaries(data, start, ord(segment), ord("*"), *names)
            assert got == want, (boundaries, start)
