"""The fast reader against slow, obvious references, on fixtures, regression inputs and
generated files, at chunk sizes that put chunk boundaries everywhere.

- Segments: the tokenizer (chunks, lazy positions, resumed searches, pieces) gives exactly
  what splitting the whole text on the terminator gives: tag, elements, index, line.
- Records: the skip path (claims without the code passed over as bytes) gives exactly the
  records of reading every claim and keeping the lines with the code.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.output import write_jsonl
from edi_j0256.scan import iter_scan
from edi_j0256.x12.tokenizer import Tokenizer
from tests import test_scaling as scaling_support

ROOT = Path(__file__).resolve().parent.parent
FILES = (sorted((ROOT / "fixtures").glob("83*.x12"))
         + [p for p in sorted((ROOT / "fixtures" / "reader").glob("*.x12"))
            if "wrapped" not in p.name]
         + sorted((ROOT / "tests" / "regressions").glob("*.x12")))
GENERATED = {name: generate(40) for name, (generate, _) in scaling_support.DIMENSIONS.items()}
CHUNKS = (97, 1000, 4096, 1 << 22)


def _inputs() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in FILES] + sorted(GENERATED.items())


def reference_segments(data: bytes) -> list[tuple[str, list[str], int, int]]:
    """Split the whole text: delimiters from the fixed-width ISA, lines by counting LF.

    Bytes are read one to a character (latin-1) for splitting; a segment's text is then read
    as UTF-8, with U+FFFD for bytes that are not (the readers' rule for non-ASCII values).
    """
    text = data.decode("latin-1")
    if "\n" not in text:
        text = text.replace("\r", "\n")  # CR-only line ends
    element, terminator = text[3], text[105]
    out, index, at = [], 1, 0
    for part in text.split(terminator):
        body = part.strip()
        if body:
            line = text.count("\n", 0, at + part.find(body[0])) + 1
            body = body.encode("latin-1").decode("utf-8", "replace")
            out.append((body.split(element)[0], body.split(element), index, line))
            index += 1
        at += len(part) + 1
    return out


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize(("name", "data"), _inputs(), ids=[n for n, _ in _inputs()])
def test_segments_equal_the_reference(name, data, chunk):
    tokenizer = Tokenizer(io.BytesIO(data), name=name, chunk_size=chunk)
    got = [(s.tag, list(s.elements), s.index, s.line) for s in tokenizer.segments()]
    assert got == reference_segments(data)


def _jsonl(records) -> str:
    stream = io.StringIO()
    write_jsonl(records, stream)
    return stream.getvalue()


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize(("name", "data"), _inputs(), ids=[n for n, _ in _inputs()])
def test_skipping_claims_gives_the_records_of_reading_them_all(name, data, chunk):
    every, _ = iter_scan(io.BytesIO(data), name=name, hcpcs=("ALL",), diagnostics=Diagnostics())
    expected = [r for r in every if r["procedure_code"] == "J0256"]
    fast, reader = iter_scan(io.BytesIO(data), name=name, diagnostics=Diagnostics())
    reader.reader.tokenizer.chunk_size = chunk
    assert _jsonl(fast) == _jsonl(expected)


PEERS = ROOT.parent / "shared" / "corpus" / "peers"


def _standard_peers() -> list[Path]:
    """Peer files the reference can split: a fixed-width ISA at byte 0, a terminator that is
    not a newline (the tolerance cases, collapsed ISAs and bare GS/ST, are left out)."""
    from edi_j0256.x12.layout import fixed_width_isa

    if not PEERS.is_dir():
        return []
    chosen = []
    for path in sorted(PEERS.rglob("*")):
        if path.is_file() and path.suffix not in (".md", ".csv"):
            data = path.read_bytes()
            if data.startswith(b"ISA") and fixed_width_isa(data, 0) and data[105:106] not in (
                    b"\r", b"\n"):
                chosen.append(path)
    return chosen


@pytest.mark.skipif(not PEERS.is_dir(), reason=f"peer corpus not found at {PEERS}")
@pytest.mark.parametrize("chunk", (97, 4096))
@pytest.mark.parametrize("path", _standard_peers() or [None],
                         ids=lambda p: str(p.relative_to(PEERS)) if p else "none")
def test_peer_segments_equal_the_reference(path, chunk):
    data = path.read_bytes()
    tokenizer = Tokenizer(io.BytesIO(data), name=path.name, chunk_size=chunk)
    got = [(s.tag, list(s.elements), s.index, s.line) for s in tokenizer.segments()]
    assert got == reference_segments(data)


@pytest.mark.parametrize("chunk", CHUNKS)
def test_wrapped_file_gives_the_unwrapped_records_at_any_chunk_size(chunk):
    reader_dir = ROOT / "fixtures" / "reader"
    base, _ = iter_scan(reader_dir / "base.x12", hcpcs=("ALL",), diagnostics=Diagnostics())
    wrapped, reader = iter_scan(reader_dir / "wrapped-80.x12", hcpcs=("ALL",),
                                diagnostics=Diagnostics())
    reader.reader.tokenizer.chunk_size = chunk
    strip = (lambda r: {k: v for k, v in r.items() if k not in ("file", "line")})  # noqa: E731
    wrapped = list(wrapped)
    assert [strip(r) for r in wrapped] == [strip(r) for r in base]
    assert [r["line"] for r in wrapped] == [10, 11]
