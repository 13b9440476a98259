"""``Unit.stream_rows`` gives exactly the rows of ``Unit.rows``, made a part at a time.

A claim's rows are made in parts of about 64 KB so that a huge claim is never held as one
list of rows (``claims/parser`` reads them this way). The parts are cut right after a
terminator; here they are cut as small as possible (every segment a part) and at a few odd
sizes, on every unit of the fixtures, peer files, generated files and their hostile variants
(spaces, CR LF, empty segments, UTF-8, a newline terminator), with and without a tag filter.
"""

from __future__ import annotations

import io

import pytest
from test_compiled_passes import CASES

from edi_j0256.claims.parser import CLAIM_TAGS
from edi_j0256.diagnostics import X12ReadError
from edi_j0256.x12.tokenizer import Tokenizer


def _units(data: bytes) -> list:
    units: list = []
    try:
        units.extend(Tokenizer(io.BytesIO(data), name="x.x12").units())
    except X12ReadError:
        pass  # not X12, or unreadable from some point: the units before it are compared
    return units


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_stream_rows_are_the_rows(name: str, data: bytes) -> None:
    units = _units(data)
    for unit in units:
        for size in (1, 40, 333):
            parts = list(unit.parts(size))
            assert parts[0].start == unit.start and parts[-1].end == unit.end, name
            assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False)), name
            for tags in (None, CLAIM_TAGS):
                for offsets in (True, False):
                    expected = unit.rows(tags, offsets=offsets)
                    got = list(unit.stream_rows(tags, offsets=offsets, size=size))
                    assert got == expected, (name, unit.tag, unit.start, size)


def test_a_large_claim_is_cut_into_parts_at_segment_starts() -> None:
    lines = "".join(f"LX*{n}~\nSV1*HC:J0256*100*UN*10***1~\nDTP*472*D8*20260105~\n"
                    for n in range(1, 2001))
    text = ("ISA*00*          *00*          *ZZ*S              *ZZ*R              *260105*1200"
            "*^*00501*000000001*0*P*:~\nGS*HC*S*R*20260105*1200*1*X*005010X222A1~\n"
            f"ST*837*0001*005010X222A1~\nCLM*A1*100***11:B:1~\n{lines}SE*2*0001~\n"
            "GE*1*1~\nIEA*1*000000001~\n")
    claim = next(u for u in _units(text.encode("ascii")) if u.tag == "CLM")
    parts = list(claim.parts(4096))
    # each part but the last: 4096 bytes, then on to the end of the segment it stops in
    assert all(4096 <= p.end - p.start < 4096 + 40 for p in parts[:-1])
    assert 0 < parts[-1].end - parts[-1].start < 4096 + 40 and len(parts) == 28
    buffer = claim._region.buffer
    assert all(buffer[p.start - 2:p.start] == b"~\n" and buffer[p.start] > 32
               for p in parts[1:])
    rows = list(claim.stream_rows(size=4096))
    assert len(rows) == 1 + 3 * 2000 and rows == claim.rows()
    assert rows[-1][:4] == ("DTP", ["DTP", "472", "D8", "20260105"], 6004, 6004)
