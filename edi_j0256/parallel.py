"""Both cores on one file: split a large X12 file at envelope boundaries and scan the pieces
in worker processes, with exactly the records and diagnostics a single read gives.

The file is cut into byte ranges (:func:`plan_pieces`) at segments that begin a fresh unit of
work: an ``ISA`` right after an ``IEA`` (an interchange), or, inside one interchange, an
``ST`` right after an ``SE`` (a transaction). A piece that starts at an ``ST`` is read with a
copy of its interchange's ``ISA`` and group's ``GS`` in front, so its records carry the same
envelope; the group's and interchange's counts seen before the piece are handed to its
reader, so the ``GE01`` / ``IEA01`` checks see what a single read sees. Planning reads the
file's bytes a few times at C speed (``bytes.count`` and one regex search per cut).

Planning also counts the terminators and newlines of every piece (``bytes.count``), so each
worker knows how many segments and lines come before its piece and shifts its records' and
diagnostics' ``segment`` and ``line`` itself; the parent replays the diagnostics in order and
streams the records in file order (:func:`scan_parallel`), or just copies the JSON Lines the
workers encoded (:func:`scan_parallel_jsonl`). Anything a piece cannot be sure to read
exactly as a single read would (a tolerance warning ``X1xx``, whose repeat limit is per file
and after which terminators no longer count segments; a message that names a segment number;
an unreadable file) makes the single-process reader finish the file from where the pieces
stopped: the output is the same either way, only slower.
"""

from __future__ import annotations

import io
import itertools
import marshal
import mmap
import multiprocessing
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from edi_j0256.claims.parser import ClaimReader, ReadStats
from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.diagnostics import Diagnostic, Diagnostics, X12ReadError, unlisted
from edi_j0256.output import write_records
from edi_j0256.scan import line_record

MIN_PIECE = 8 << 20  # bytes: smaller pieces cost more in start-up than they save
PIECES_PER_JOB = 3  # more pieces than workers: the last piece does not keep one core idle
_BATCH = 2000  # records per pickle in a worker's spool
_SEARCH = 16 << 20  # bytes searched forward from a target offset for a cut
# Diagnostics whose message names a segment number (shifting the position would not fix the
# text), so a piece after the first that reports one is read again by the single reader.
_POSITION_IN_MESSAGE = frozenset({"X215", "X225", "X302"})


@dataclass(frozen=True, slots=True)
class Piece:
    """One byte range of the file and what its reader must be told about what came before."""

    start: int
    end: int
    prefix: bytes = b""  # the ISA and GS segments an ST piece is read under
    groups_before: int = 0  # GS segments of the interchange before the piece's group
    transactions_before: int = 0  # ST segments of the group before the piece
    open_end: bool = False  # the next piece starts inside this piece's group
    segment_shift: int = 0  # added to a worker's segment index to give the file's
    line_shift: int = 0  # added to a worker's line number to give the file's


@dataclass(slots=True)
class PieceResult:
    """What a worker read: records (spooled), diagnostics, counts, and its own size."""

    spool: str
    records: int = 0
    diagnostics: list[tuple] = field(default_factory=list)  # positions already shifted
    stats: ReadStats = field(default_factory=ReadStats)
    segments: int = 0  # terminators in the piece's bytes (its segments, when exact)
    exact: bool = True  # False: let the single-process reader take over from this piece


# -- planning --------------------------------------------------------------------------------

def _delimiters(isa: bytes) -> tuple[bytes, bytes, bytes, bytes] | None:
    """Element, repetition+version, component, terminator of a well-formed 106-byte ISA."""
    if len(isa) < 106 or not isa.startswith(b"ISA"):
        return None
    element, terminator = isa[3:4], isa[105:106]
    if isa.count(element, 0, 105) != 16 or isa[103:104] != element:
        return None
    if terminator in b" \t\r\n" or terminator.isalnum() or terminator == element:
        return None
    return element, isa[82:89], isa[104:105], terminator


def _segment_start(data, pos: int, terminator: bytes) -> bool:
    """Whether ``pos`` begins a segment: after a terminator and optional whitespace."""
    before = data.rfind(terminator, 0, pos)
    return before >= 0 and not bytes(data[before + 1:pos]).strip(b" \t\r\n")


def _previous_segment(data, pos: int, terminator: bytes) -> bytes:
    """The segment that ends right before ``pos`` (whitespace stripped)."""
    end = data.rfind(terminator, 0, pos)
    begin = data.rfind(terminator, 0, end) + 1 if end > 0 else 0
    return bytes(data[begin:end]).strip(b" \t\r\n")


def _find_segment(data, tag: bytes, before: int, floor: int, terminator: bytes) -> int:
    """The start of the last ``tag`` segment in ``[floor, before)``, or -1."""
    at = before
    while True:
        at = data.rfind(tag, floor, at)
        if at < 0 or at == 0 or _segment_start(data, at, terminator):
            return at


def _count(data, needle: bytes, start: int, end: int, chunk: int = 1 << 24) -> int:
    """``needle`` occurrences starting in ``[start, end)`` of an mmap (no ``mmap.count``).
    Each chunk's pages are let go once counted (:func:`_release`)."""
    total, overlap = 0, len(needle) - 1
    for at in range(max(start, 0), end, chunk):
        stop = min(at + chunk, end)
        total += data[at:stop + overlap].count(needle)
        _release(data, at, stop)
    return total


def _release(data, start: int, end: int) -> None:
    """Unmap the pages of ``[start, end)`` of an mmap from this process (the file stays in
    the page cache): planning counts through the whole file, and pages left mapped would
    count in the parent's resident memory for as long as the run (the file's size)."""
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        base = start - start % mmap.PAGESIZE
        data.madvise(mmap.MADV_DONTNEED, base, end - base)


def _count_segments(data, tag: bytes, start: int, end: int, terminator: bytes) -> int:
    """``tag`` segments whose tag starts in ``[start, end)`` (after a terminator or a
    newline: the needle starts one byte before the tag)."""
    return (_count(data, terminator + tag, start - 1, end - 1)
            + _count(data, b"\n" + tag, start - 1, end - 1))


def plan_pieces(path: str | Path, pieces: int, min_piece: int = MIN_PIECE) -> list[Piece]:
    """Byte ranges to read in parallel; one piece (the whole file) when it cannot be cut.

    Cuts are looked for near ``size * k / pieces``; a file that does not start with a
    well-formed ISA, or is smaller than two ``min_piece``, is not cut.
    """
    planned = list(iter_pieces(path, pieces, min_piece))
    if not planned or planned[-1] is None:
        return [Piece(0, os.path.getsize(path))]
    return planned


def iter_pieces(path: str | Path, pieces: int, min_piece: int = MIN_PIECE
                ) -> Iterator[Piece | None]:
    """:func:`plan_pieces`'s pieces one at a time, each as soon as it is planned (a worker
    can read the first while the others are planned: planning counts through the whole
    file). Nothing when the file is not cut; a last ``None`` when it turns out midway that
    it cannot be (the pieces given before it are then not to be read)."""
    size = os.path.getsize(path)
    pieces = min(pieces, size // max(min_piece, 1))
    if pieces < 2:
        return
    with open(path, "rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        first = _delimiters(bytes(data[:106]))
        if first is None:
            return
        element, _, _, terminator = first
        cut = re.compile(re.escape(terminator) + rb"[ \t\r\n]*+(?=(ISA|ST)" + re.escape(element)
                         + rb")")
        cuts: list[tuple[int, str]] = []
        for k in range(1, pieces):
            target = max(size * k // pieces, cuts[-1][0] + 1 if cuts else 1)
            found = _next_cut(data, cut, target, terminator, element, first)
            _release(data, target, min(size, target + _SEARCH))
            if found is not None and (not cuts or found[0] > cuts[-1][0]):
                cuts.append(found)
        if not cuts:
            return
        segments = lines = 0
        for piece in _pieces(data, size, cuts, terminator, element):
            if piece is None:
                yield None
                return
            # Each piece with the segments and lines of the pieces before it (when the pieces
            # read exactly, every terminator ends one segment: see :func:`scan_piece`). A
            # worker's first segment is 1 (3 after the ISA and GS copy), on line 1.
            yield Piece(piece.start, piece.end, piece.prefix, piece.groups_before,
                        piece.transactions_before, piece.open_end,
                        segments - (2 if piece.prefix else 0), lines)
            if piece.end < size:  # what the next piece's shifts need
                segments += _count(data, terminator, piece.start, piece.end)
                lines += _count(data, b"\n", piece.start, piece.end)


def _next_cut(data, cut: re.Pattern[bytes], target: int, terminator: bytes, element: bytes,
              first: tuple) -> tuple[int, str] | None:
    limit = min(len(data), target + _SEARCH)
    for match in cut.finditer(data, target, limit):
        pos, tag = match.end(), match.group(1).decode()
        previous = _previous_segment(data, pos, terminator)
        if tag == "ISA":
            isa = _find_segment(data, b"ISA" + element, pos, 0, terminator)
            if (previous.startswith(b"IEA" + element) and isa >= 0
                    and _delimiters(bytes(data[pos:pos + 106])) == _delimiters(
                        bytes(data[isa:isa + 106])) == first):
                return pos, tag
        elif previous.startswith(b"SE" + element):
            return pos, tag
    return None


def _pieces(data, size: int, cuts: list[tuple[int, str]], terminator: bytes,
            element: bytes) -> Iterator[Piece | None]:
    """The pieces between the cuts, with the envelope each ST piece is read under (one at a
    time; ``None`` when one cannot be read with a copied envelope: the file is read whole). The
    searches go back only to the previous cut's ISA, and the group is searched for a GE only
    past the previous cut: names such as LISA hold ``ISA*``, and looking back to the start of
    the file from every cut would cost the pieces times the file. (The ISA or GS before a
    cut is the last one past the previous cut, else the previous cut's.)"""
    starts = [0] + [pos for pos, _ in cuts]
    ends = starts[1:] + [size]
    kinds = ["ISA"] + [tag for _, tag in cuts]
    isa_tag, gs_tag, st_tag = b"ISA" + element, b"GS" + element, b"ST" + element
    counted_group, transactions, counted_to = -1, 0, 0
    last_isa, last_gs = 0, -1  # the file starts with an ISA (see plan_pieces)
    for index, (start, end, kind) in enumerate(zip(starts, ends, kinds, strict=True)):
        open_end = index + 1 < len(kinds) and kinds[index + 1] == "ST"
        if kind == "ISA":
            last_isa = start
            yield Piece(start, end, open_end=open_end)
            continue
        found = _find_segment(data, isa_tag, start, starts[index - 1], terminator)
        isa = last_isa = found if found >= 0 else last_isa
        found = _find_segment(data, gs_tag, start, max(starts[index - 1], isa), terminator)
        gs = last_gs = found if found >= 0 else (last_gs if last_gs >= isa else -1)
        if isa < 0 or gs < 0:
            yield None  # an ST outside an open group: read the file whole
            return
        if gs != counted_group:
            counted_group, transactions, counted_to = gs, 0, gs
        if data.rfind(b"GE" + element, counted_to, start) >= 0:
            yield None
            return
        isa_end = data.find(terminator, isa) + 1
        gs_end = data.find(terminator, gs) + 1
        transactions += _count_segments(data, st_tag, counted_to, start, terminator)
        counted_to = start
        groups = _count_segments(data, gs_tag, isa, gs, terminator)
        _release(data, min(starts[index - 1], isa), start)  # what the searches went through
        yield Piece(start, end, bytes(data[isa:isa_end]) + bytes(data[gs:gs_end]), groups,
                    transactions, open_end)


# -- the worker ------------------------------------------------------------------------------

class _RangeReader:
    """A binary stream over ``prefix`` + ``path[start:end]`` that counts the terminators of
    the file's bytes it hands out."""

    def __init__(self, path: str, piece: Piece, terminator: bytes):
        self._stream = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._stream.seek(piece.start)
        self._left = piece.end - piece.start
        self._prefix = piece.prefix
        self._terminator = terminator
        self.segments = 0
        self.name = path

    def read(self, size: int = -1) -> bytes:
        head, self._prefix = self._prefix, b""
        want = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(max(want - len(head), 0)) if want > len(head) else b""
        self._left -= len(data)
        self.segments += data.count(self._terminator)
        return head + data

    def close(self) -> None:
        self._stream.close()


def _seed(reader: ClaimReader, piece: Piece) -> None:
    """Tell the envelope reader what the file held before the piece (see the module doc)."""
    envelope = reader.reader
    if piece.open_end:
        envelope._close_all = lambda: None  # the group goes on in the next piece
    if not piece.prefix:
        return
    on_gs = envelope._on_gs

    def first_gs(segment) -> None:
        on_gs(segment)
        envelope._gs.children = piece.transactions_before
        envelope._isa.children = piece.groups_before + 1
        envelope._on_gs = on_gs

    envelope._on_gs = first_gs


def piece_records(path: str, piece: Piece, index: int, hcpcs: tuple[str, ...],
                  result: PieceResult) -> Iterator[dict]:
    """The records of one piece, positions shifted to the file's; ``result`` gets the
    piece's diagnostics, stats and whether it read exactly (once exhausted)."""
    terminator = piece.prefix[105:106] if piece.prefix else b""
    if not terminator:
        with open(path, "rb") as stream:
            terminator = stream.read(106)[105:106]
    seg_shift, line_shift = piece.segment_shift, piece.line_shift
    collected: list[tuple] = []

    def keep(d: Diagnostic) -> None:
        collected.append((d.code, str(d.severity), d.message, d.file,
                          None if d.segment is None else d.segment + seg_shift,
                          None if d.line is None else d.line + line_shift))

    source = _RangeReader(path, piece, terminator)
    reader = ClaimReader(source, name=path, diagnostics=Diagnostics(keep_per_code=0, sink=keep),
                         hcpcs=hcpcs)
    _seed(reader, piece)
    codes = reader.codes
    try:
        for claim in reader.claims():
            claim_codes = [d.dotted for d in claim.diagnoses]
            for line in claim.lines:
                if line.procedure_code in codes:
                    record = line_record(claim, line, claim_codes)
                    record["segment"] += seg_shift
                    record["line"] += line_shift
                    result.records += 1
                    yield record
    except X12ReadError:
        result.exact = False
    finally:
        source.close()
    stats = reader.stats
    if piece.prefix:
        stats.interchanges -= 1  # the ISA copy in front of the piece
    result.stats, result.diagnostics, result.segments = stats, collected, source.segments
    if any(code.startswith("X1") or (index and code in _POSITION_IN_MESSAGE)
           for code, *_ in collected):
        result.exact = False


def scan_piece(path: str, piece: Piece, index: int, hcpcs: tuple[str, ...], spool: str,
               fmt: str | None = None) -> PieceResult:
    """Scan one piece in a worker (:func:`piece_records`) into ``spool``: pickled batches
    of dicts, or with ``fmt`` (one of :data:`TEXT_FORMATS`) the piece's output exactly as
    :func:`~edi_j0256.output.write_records` writes it, so the parent only copies bytes."""
    result = PieceResult(spool)
    records = piece_records(path, piece, index, hcpcs, result)
    if fmt is not None:
        with open(spool, "w", encoding="utf-8", newline="") as out:
            write_records(records, fmt, out)
        return result
    with open(spool, "wb") as out:
        batch: list = []
        for record in records:
            batch.append(record)
            if len(batch) >= _BATCH:
                pickle.dump(batch, out, 5)
                batch = []
        if batch:
            pickle.dump(batch, out, 5)
    return result


def _spooled(path: str) -> Iterator[list]:
    """The batches of dicts of a worker's spool."""
    try:
        with open(path, "rb") as stream:
            while True:
                try:
                    yield pickle.load(stream)
                except EOFError:
                    return
    finally:
        os.unlink(path)


# -- output text: documents joined ------------------------------------------------------------

TEXT_FORMATS = ("jsonl", "csv")  # formats whose output is the pieces' outputs joined
_COPY_BLOCK = 1 << 20


class Joined:
    """Documents of one record format (a piece's output, a batch's) joined into exactly the
    text one :func:`~edi_j0256.output.write_records` call writes for all their records:
    JSON Lines concatenate; a CSV document that has records starts with the header line
    (field names: no line break in it), which the output keeps only once."""

    def __init__(self, fmt: str):
        if fmt not in TEXT_FORMATS:
            raise ValueError(f"{fmt!r} output is not joined from pieces")
        self.fmt = fmt
        self.headed = False  # a CSV header has been written

    def document(self, stream) -> Iterator[bytes]:
        """The bytes of one document (a binary stream) that the output still needs."""
        if self.fmt == "csv" and self.headed:
            stream.readline()
        while block := stream.read(_COPY_BLOCK):
            self.headed = True
            yield block

    def spool(self, path: str) -> Iterator[bytes]:
        """:meth:`document` of a spool file, deleted once copied."""
        try:
            with open(path, "rb") as stream:
                yield from self.document(stream)
        finally:
            os.unlink(path)

    def encoded(self, records: Iterable[dict], batch: int = _BATCH) -> Iterator[bytes]:
        """Records formatted in the parent (the single reader's), in batches; the records
        before an :class:`X12ReadError` are written before it is raised."""
        held: list[dict] = []
        try:
            for record in records:
                held.append(record)
                if len(held) >= batch:
                    yield from self._batch(held)
                    held = []
        except X12ReadError:
            yield from self._batch(held)
            raise
        yield from self._batch(held)

    def _batch(self, records: list[dict]) -> Iterator[bytes]:
        if not records:
            return
        text = io.StringIO(newline="")
        write_records(records, self.fmt, text)
        yield from self.document(io.BytesIO(text.getvalue().encode("utf-8")))


# -- the parent ------------------------------------------------------------------------------

@dataclass(slots=True)
class ParallelScan:
    """Like a :class:`~edi_j0256.claims.parser.ClaimReader` for the caller: ``stats`` is
    complete once the records are exhausted; ``pieces`` says how the file was cut."""

    path: str
    stats: ReadStats = field(default_factory=lambda: ReadStats(files=1))
    pieces: int = 1
    records: int = 0
    fell_back: bool = False  # the single-process reader finished the file


def scan_parallel(path: str | Path, hcpcs: Iterable[str] = DEFAULT_HCPCS, jobs: int = 2,
                  diagnostics: Diagnostics | None = None,
                  min_piece: int = MIN_PIECE) -> tuple[Iterator[dict], ParallelScan]:
    """Stream the scan records of ONE file read by ``jobs`` processes, in file order.

    A drop-in for :func:`edi_j0256.scan.iter_scan`: the same records, the same diagnostics
    added to ``diagnostics`` in the same order (its sink sees every one), the same
    :class:`X12ReadError` from the iterator, and ``stats`` once exhausted.
    """
    return _start(path, hcpcs, jobs, diagnostics, min_piece, None)


def scan_parallel_text(path: str | Path, joined: Joined, hcpcs: Iterable[str] = DEFAULT_HCPCS,
                       jobs: int = 2, diagnostics: Diagnostics | None = None,
                       min_piece: int = MIN_PIECE) -> tuple[Iterator[bytes], ParallelScan]:
    """Like :func:`scan_parallel`, but yielding the records' output in ``joined.fmt`` as
    bytes (exactly what :func:`~edi_j0256.output.write_records` writes for them, joined
    with what ``joined`` wrote before): each worker formats its own piece, so the parent
    does no work per record, only copies. ``state.records`` counts the records."""
    return _start(path, hcpcs, jobs, diagnostics, min_piece, joined)


def scan_parallel_jsonl(path: str | Path, hcpcs: Iterable[str] = DEFAULT_HCPCS,
                        jobs: int = 2, diagnostics: Diagnostics | None = None,
                        min_piece: int = MIN_PIECE) -> tuple[Iterator[str], ParallelScan]:
    """:func:`scan_parallel_text` in JSON Lines, as text blocks."""
    blocks, state = scan_parallel_text(path, Joined("jsonl"), hcpcs, jobs, diagnostics,
                                       min_piece)
    return (block.decode("utf-8") for block in blocks), state


def _start(path, hcpcs, jobs, diagnostics, min_piece, joined: Joined | None):
    path = str(path)
    codes = normalize_codes(tuple(hcpcs))
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    state = ParallelScan(path)
    plan = plan_pieces(path, max(jobs, 1) * PIECES_PER_JOB, min_piece) if jobs > 1 else []
    state.pieces = max(len(plan), 1)
    if len(plan) < 2:
        return _serial(path, codes, diagnostics, state, 0, 0, joined), state
    return _parallel(path, codes, jobs, plan, diagnostics, state, joined), state


def _serial(path: str, codes: tuple[str, ...], diagnostics: Diagnostics, state: ParallelScan,
            skip_records: int, skip_diagnostics: int, joined: Joined | None) -> Iterator:
    """The single-process reader, passing over what the pieces already gave."""
    records = _serial_records(path, codes, diagnostics, state, skip_records, skip_diagnostics)
    return records if joined is None else joined.encoded(records)


def _serial_records(path: str, codes: tuple[str, ...], diagnostics: Diagnostics,
                    state: ParallelScan, skip_records: int, skip_diagnostics: int
                    ) -> Iterator[dict]:
    seen = 0

    def forward(d: Diagnostic) -> None:
        nonlocal seen
        seen += 1
        if seen > skip_diagnostics:
            diagnostics.add(d.code, d.severity, d.message, d.file, d.segment, d.line)

    reader = ClaimReader(path, diagnostics=Diagnostics(keep_per_code=0, sink=forward),
                         hcpcs=codes)
    count = 0
    for claim in reader.claims():
        claim_codes = [d.dotted for d in claim.diagnoses]
        for line in claim.lines:
            if line.procedure_code in reader.codes:
                count += 1
                if count > skip_records:
                    state.records += 1
                    yield line_record(claim, line, claim_codes)
    state.stats = reader.stats


def _parallel(path: str, codes: tuple[str, ...], jobs: int, plan: list[Piece],
              diagnostics: Diagnostics, state: ParallelScan, joined: Joined | None
              ) -> Iterator:
    emitted = replayed = 0
    stats = ReadStats(files=1)
    fmt = joined.fmt if joined is not None else None
    with (tempfile.TemporaryDirectory(prefix="edi-j0256-parallel-") as spool_dir,
          ProcessPoolExecutor(max_workers=jobs) as pool):
        futures: list[Future] = [
            pool.submit(scan_piece, path, piece, index, codes,
                        os.path.join(spool_dir, f"{index}.spool"), fmt)
            for index, piece in enumerate(plan)]
        try:
            for future in futures:
                try:
                    result: PieceResult = future.result()
                except Exception:  # a worker died (memory, a signal): read the file whole
                    result = PieceResult("", exact=False)
                if not result.exact:
                    for later in futures:
                        later.cancel()
                    state.fell_back = True
                    yield from _serial(path, codes, diagnostics, state, emitted, replayed,
                                       joined)
                    return
                for code, severity, message, file, segment, line in result.diagnostics:
                    diagnostics.add(code, severity, message, file, segment, line)
                    replayed += 1
                if joined is None:
                    for batch in _spooled(result.spool):
                        yield from batch
                else:
                    yield from joined.spool(result.spool)
                emitted += result.records
                state.records += result.records
                _add(stats, result.stats)
        finally:
            for later in futures:
                later.cancel()
    state.stats = stats


def _add(total: ReadStats, piece: ReadStats) -> None:
    files = total.files
    total.add(piece)
    total.files = files


# -- check ------------------------------------------------------------------------------------
# ``check`` on pieces: the workers do the claim rules, the parent the run rules, at once.
#
# - Each piece (:func:`check_piece`, in a worker): the claim rules look at one claim only, so
#   the worker runs them on its claims (positions shifted first) and spools, in reading order,
#   the reader diagnostics and the claims that have claim findings (or diagnostics to drain
#   after them). The run rules (frequency, caps, MUE, duplicates) check a line against the
#   same patient's recent doses, so the worker also spools what they take of each claim they
#   must see (``RuleContext.doses``: the patient digest and the J0256 doses, as plain values).
# - The parent (:func:`check_file_parallel`) takes the pieces in file order as they are done,
#   while the workers read the later ones: each piece's doses go through the run's own run
#   rules (``Checker.run_findings``, the run's history), and the findings come out in the
#   order ``check_file`` yields them (per claim: claim findings, run findings, then the reader
#   diagnostics read before it). The run rules are a small share of the work (a dict look-up
#   and a few sums per line), so the parent keeps up with the workers and none waits for
#   another.
#
# A piece that cannot be read exactly (or a dead worker) hands the file to ``check_file``:
# the checker's state is put back as it was before the file, and the findings already given
# are passed over (``check_file`` gives them again first: the pieces' findings are its own).

_DIAGNOSTICS_KEPT = 1000  # per code and file: what Checker.check_file's Diagnostics keeps
# Bytes per check piece at most (when the file has more than PIECES_PER_JOB per job): the
# last pieces to finish keep one core idle, so smaller pieces shorten that tail.
CHECK_PIECE = 12 << 20
_START_METHODS = multiprocessing.get_all_start_methods()
_MEMO = 4096  # dates and units unpack_doses keeps (a file holds a few hundred of each)


class _Spool:
    """Items written to a file in batches (memory holds one batch): pickled, or with
    ``plain`` (tuples of numbers, strings, booleans and None only) by :mod:`marshal`, which
    is about twice as fast both ways. The file's first byte says which."""

    def __init__(self, path: str, plain: bool = False):
        self.path = path
        self._stream = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._stream.write(b"M" if plain else b"P")
        self._plain = plain
        self._batch: list = []

    def add(self, item) -> None:
        self._batch.append(item)
        if len(self._batch) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._plain:  # length first: marshal.load would read a file a few bytes a time
            data = marshal.dumps(self._batch)
            self._stream.write(len(data).to_bytes(8, "little") + data)
        else:
            pickle.dump(self._batch, self._stream, 5)
        self._batch = []

    def close(self) -> None:
        if self._batch:
            self._flush()
        self._stream.close()


def spool_items(path: str) -> Iterator:
    """The items of a :class:`_Spool` file, in order; the file is deleted once read."""
    try:
        with open(path, "rb") as stream:
            plain = stream.read(1) == b"M"
            while True:
                if plain:
                    size = stream.read(8)
                    if not size:
                        return
                    batch = marshal.loads(stream.read(int.from_bytes(size, "little")))
                else:
                    try:
                        batch = pickle.load(stream)
                    except EOFError:
                        return
                yield from batch
    finally:
        os.unlink(path)


@dataclass(slots=True)
class CheckedPiece:
    """What a worker read of one piece: ``events`` spools ``("claim", n, position,
    findings)`` and ``("diag", diagnostic)`` in reading order (``n``: the claim's number in
    the piece); ``doses[b]`` spools ``(n, CLM segment, packed ClaimDoses)`` of bucket
    ``b``'s patients (:func:`pack_doses`)."""

    events: str = ""
    doses: list[str] = field(default_factory=list)
    claims: int = 0  # claims read (every one is checked)
    lines: int = 0  # their J0256 lines
    last: tuple | None = None  # the position of the piece's last claim
    exact: bool = True


def _shift_claim(claim, segments: int, lines: int) -> None:
    if claim.segment:
        claim.segment += segments
    if claim.line:
        claim.line += lines
    for service_line in claim.lines:
        if service_line.segment:
            service_line.segment += segments
        if service_line.line:
            service_line.line += lines
        if service_line.lx_segment:
            service_line.lx_segment += segments


def pack_doses(doses, policies: dict[int, int]) -> tuple:
    """A claim's :class:`~edi_j0256.rules.context.ClaimDoses` as plain values (``policies``:
    the policy's index in the worker's profiles, by identity): pickling dataclasses and
    Decimals one by one costs more than checking them."""
    policy = -1 if doses.policy is None else policies[id(doses.policy)]
    return (doses.key, doses.frequency, doses.claim_id, doses.file, policy,
            doses.transaction_type,
            tuple((day.toordinal(), str(units), waste, signature, number, place)
                  for day, units, waste, signature, number, place in doses.lines))


def unpack_doses(packed: tuple, policies: list):
    """The :class:`~edi_j0256.rules.context.ClaimDoses` of :func:`pack_doses`."""
    return doses_unpacker(policies)(packed)


def doses_unpacker(policies: list) -> Callable[[tuple], object]:
    """:func:`unpack_doses` for many claims: the dates and units made are kept (by ordinal
    and by text: a file repeats a few hundred of each)."""
    from edi_j0256.rules.context import ClaimDoses

    memo: dict = {}

    def unpack(packed: tuple):
        key, frequency, claim_id, file, policy, transaction_type, lines = packed
        try:
            made = tuple([(memo[day], memo[units], waste, signature, number, place)
                          for day, units, waste, signature, number, place in lines])
        except KeyError:
            if len(memo) > _MEMO:
                memo.clear()
            for day, units, *_ in lines:
                memo[day], memo[units] = date.fromordinal(day), Decimal(units)
            return unpack(packed)
        return ClaimDoses(key, frequency, claim_id, file,
                          None if policy < 0 else policies[policy], transaction_type, made)

    return unpack


def policy_profiles(context) -> list:
    """The run's payer policies in the order the workers and the parent share."""
    return list(context.policies.profiles.values())


def check_piece(path: str, piece: Piece, index: int, context_parts: tuple,
                select: tuple[str, ...], ignore: tuple[str, ...], spool_dir: str,
                buckets: int = 1) -> CheckedPiece:
    """In a worker: the claim rules and reader diagnostics of one piece, and the claims the
    run rules must see (see the comment above), in ``buckets`` spools by patient digest."""
    from edi_j0256.rules import Checker, RuleContext
    from edi_j0256.rules.context import VOIDING_FREQUENCIES, drug_lines

    checker = Checker(RuleContext(*context_parts), select=select, ignore=ignore)
    context = checker.context
    policies = {id(policy): n for n, policy in enumerate(policy_profiles(context))}
    result = CheckedPiece(os.path.join(spool_dir, f"{index}.events"),
                          [os.path.join(spool_dir, f"{index}.{b}.doses") for b in range(buckets)])
    events = _Spool(result.events)
    doses = [_Spool(name, plain=True) for name in result.doses]
    seg_shift, line_shift = piece.segment_shift, piece.line_shift
    codes: set[str] = set()
    read = [0]  # reader diagnostics so far

    def keep(d: Diagnostic) -> None:
        codes.add(d.code)
        read[0] += 1
        events.add(("diag", Diagnostic(
            d.code, d.severity, d.message, d.file,
            None if d.segment is None else d.segment + seg_shift,
            None if d.line is None else d.line + line_shift)))

    with open(path, "rb") as stream:
        terminator = stream.read(106)[105:106]
    source = _RangeReader(path, piece, terminator)
    reader = ClaimReader(source, name=path, diagnostics=Diagnostics(keep_per_code=0, sink=keep),
                         hcpcs=DEFAULT_HCPCS)
    _seed(reader, piece)
    try:
        drained = 0  # diagnostics read before the last claim event (drained after it)
        for claim in reader.claims():
            _shift_claim(claim, seg_shift, line_shift)
            result.claims += 1
            lines = drug_lines(claim)
            result.lines += len(lines)
            found = list(checker.claim_findings(claim))
            result.last = (claim.envelope.file if claim.envelope else None, claim.segment)
            # The first claim too: the diagnostics after the last claim of the piece before
            # are drained after it.
            if found or read[0] > drained or result.claims == 1:
                events.add(("claim", result.claims, result.last, found))
                drained = read[0]
            if claim.member_id and (lines or claim.frequency_code in VOIDING_FREQUENCIES):
                claim_doses = context.doses(claim)
                if claim_doses.key is not None:
                    doses[claim_doses.key % buckets].add(
                        (result.claims, claim.segment, pack_doses(claim_doses, policies)))
    except X12ReadError:
        result.exact = False
    finally:
        source.close()
        events.close()
        for spool in doses:
            spool.close()
    if any(c.startswith("X1") or (index and c in _POSITION_IN_MESSAGE) for c in codes):
        result.exact = False
    return result


@dataclass(slots=True)
class _Before:
    """What a file's check changes in the checker, as it was before the file."""

    counts: tuple
    position: tuple | None
    claims_seen: int
    remembered: int
    history: tuple

    @classmethod
    def of(cls, checker) -> _Before:
        counts, context = checker.counts, checker.context
        history = context.history
        history._pack_live()  # every patient packed: the dict's bytes are the whole state
        return cls((counts.files, counts.claims, counts.lines, counts.by_severity.copy(),
                    counts.by_code.copy()), checker.position, context.claims_seen,
                   context.remembered, (dict(history.packed), list(history.names),
                                        dict(history.files)))

    def put_back(self, checker) -> None:
        counts, context = checker.counts, checker.context
        (counts.files, counts.claims, counts.lines, counts.by_severity,
         counts.by_code) = self.counts
        checker.position = self.position
        context.claims_seen, context.remembered = self.claims_seen, self.remembered
        context.arrivals = []
        history = context.history
        history.live_key, history.live = None, {}
        history.packed, history.names, history.files = self.history


def check_file_parallel(checker, path: str | Path, jobs: int = 2,
                        min_piece: int = MIN_PIECE, serial=None) -> Iterator:
    """``checker.check_file(path)`` with the file read by ``jobs`` processes.

    Yields the same findings in the same order, with ``checker.position`` as ``check_file``
    sets it, and leaves ``checker`` (counts, the run rules' history) as ``check_file``
    would; falls back to ``serial`` (default ``checker.check_file``) for small files,
    ``--ig`` runs, and files the pieces cannot read exactly.
    """
    path = str(path)
    serial = serial or checker.check_file
    pieces = max(jobs * PIECES_PER_JOB, os.path.getsize(path) // CHECK_PIECE)
    pieces += -pieces % max(jobs, 1)  # a multiple of the workers: none waits out the last
    context = multiprocessing.get_context("fork") if "fork" in _START_METHODS else None
    planned = (iter_pieces(path, pieces, min_piece) if jobs > 1 and context and not checker.ig
               else None)
    first = None if planned is None else next(planned, None)
    if first is None:
        yield from serial(path)
        return
    before = _Before.of(checker)
    given = 0  # findings yielded
    with tempfile.TemporaryDirectory(prefix="edi-j0256-check-") as spool_dir:
        # fork: the workers hash the lines' signatures (str hashes) as this process does
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            parts = (checker.context.policies, checker.context.crosswalk, checker.context.mue)
            futures: list[Future] = []
            try:
                # The workers start on the first pieces while the others are planned.
                for piece in itertools.chain([first], planned):
                    if piece is None:  # the file cannot be cut after all
                        break
                    futures.append(pool.submit(check_piece, path, piece, len(futures), parts,
                                               checker.select, checker.ignore, spool_dir))
                else:
                    merge = _Merge(checker)
                    for future in futures:
                        try:
                            piece = future.result()
                        except Exception:  # a worker died (memory, a signal): read it whole
                            break
                        if not piece.exact:
                            break
                        for found in merge.piece(piece):
                            given += 1
                            yield found
                    else:
                        yield from merge.end()
                        return
            finally:
                planned.close()
                for later in futures:
                    later.cancel()
    before.put_back(checker)
    for n, found in enumerate(serial(path)):
        if n >= given:
            yield found


class _Merge:
    """The findings of the pieces in ``check_file``'s order, the run rules worked out here
    against the run's history as each piece's doses come (see the comment above)."""

    def __init__(self, checker):
        from edi_j0256.rules.engine import from_diagnostic

        self.checker = checker
        self.counts = checker.counts
        self.unpack = doses_unpacker(policy_profiles(checker.context))
        self.kept: dict[str, int] = {}  # reader diagnostics per code
        self.past_kept: dict[tuple, tuple[int, Diagnostic]] = {}  # count, the last one
        self.pending: list[Diagnostic] = []  # read since the last claim
        self.end_position = checker.position
        self.from_diagnostic = from_diagnostic
        checker.counts.files += 1

    def piece(self, piece: CheckedPiece) -> Iterator:
        """One piece's findings; its claims are counted and remembered."""
        checker, counts, context = self.checker, self.counts, self.checker.context
        base = context.claims_seen
        doses = spool_items(piece.doses[0])
        upcoming = next(doses, None)
        for event in spool_items(piece.events):
            if event[0] == "diag":
                diagnostic = event[1]
                code = diagnostic.code
                self.kept[code] = self.kept.get(code, 0) + 1
                if self.kept[code] <= _DIAGNOSTICS_KEPT:
                    self.pending.append(diagnostic)
                else:
                    key = (code, diagnostic.severity)
                    self.past_kept[key] = (self.past_kept.get(key, (0, None))[0] + 1, diagnostic)
                continue
            _, number, position, found = event
            while upcoming is not None and upcoming[0] < number:
                yield from self._run(base, upcoming)
                upcoming = next(doses, None)
            checker.position = position
            for f in found:
                yield counts.add(f)
            if upcoming is not None and upcoming[0] == number:
                yield from self._run(base, upcoming)
                upcoming = next(doses, None)
            yield from self._drained()
        while upcoming is not None:
            yield from self._run(base, upcoming)
            upcoming = next(doses, None)
        context.claims_seen = base + piece.claims
        context.arrivals = []
        counts.claims += piece.claims
        counts.lines += piece.lines
        self.end_position = piece.last or self.end_position

    def _run(self, base: int, item: tuple) -> Iterator:
        """The run findings of one spooled claim, at its position."""
        number, segment, packed = item
        context = self.checker.context
        context.claims_seen = base + number - 1  # run_findings counts this one
        doses = self.unpack(packed)
        first = True
        for f in self.checker.run_findings(doses):
            if first:
                self.checker.position, first = (doses.file, segment), False
            yield self.counts.add(f)

    def end(self) -> Iterator:
        """The reader diagnostics after the file's last claim."""
        checker = self.checker
        checker.position = self.end_position
        yield from self._drained()
        yield from checker.unlisted_findings(unlisted(last, n, _DIAGNOSTICS_KEPT)
                                     for n, last in self.past_kept.values())
        checker.position = self.end_position

    def _drained(self) -> Iterator:
        """The reader diagnostics read since the last claim, as ``Checker._drain`` gives
        them."""
        checker, pending = self.checker, self.pending
        for d in pending:
            if d.severity != "info" and checker.wanted(d.code):
                yield self.counts.add(self.from_diagnostic(d))
        pending.clear()
