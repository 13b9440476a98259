"""DataFrames of scan records, findings and remit lines, read by Spark executors with the
project's own readers (the same code the CLI runs, so the rows are the CLI's records).

Executors hand records to Spark as their JSON Lines text (the CLI's own encoder), which the
JVM parses against the schema: cheaper than building Python rows one field at a time.

Inputs are folders, globs or files (local paths, or any URI Spark's ``binaryFiles`` reads).
Files are read with ``binaryFiles``; a large local 837 or 835 is cut at ISA/ST boundaries by
:func:`edi_j0256.parallel.plan_pieces` so one file keeps many executors busy (executors then
read their byte range from the path: the folder must be visible to them, as on one machine
or a shared file system). An ST piece is read with its interchange's ISA and group's GS in
front; every ST..SE of an 835 carries its own BPR, TRN and N1 loops, so a piece of whole
transactions gives the remit lines a single read gives. A piece that cannot be read exactly
on its own (see :mod:`edi_j0256.parallel`) makes its file be read whole by one executor.

``check`` runs the claim rules per file or piece, then the run rules (7-day frequency, caps per
period, MUE per date, duplicates) per patient after a shuffle by patient, so the findings
equal the CLI's over the same files with the same policies, crosswalk and MUE tables.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Callable, Iterable, Iterator

from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.output import encode_record
from edi_j0256.parallel import pack_doses, policy_profiles, unpack_doses
from edi_j0256.rules.context import VOIDING_FREQUENCIES, RuleContext, drug_lines
from edi_j0256.rules.engine import Checker
from edi_j0256.rules.mue import load_mue
from edi_j0256.rules.policy import load_policies
from edi_j0256.rules.refdata import load_crosswalk
from edi_j0256.spark.schema import spark_schema

MIN_PIECE = 64 << 20  # a local file larger than two of these is cut into pieces
_GLOB = set("*?[")
# Where a remit record (and each of its adjustments) says it was read: shifted in a piece.
_SEGMENT_KEYS, _LINE_KEYS = frozenset({"segment", "claim_segment"}), frozenset({"line",
                                                                                "claim_line"})


def expand(inputs: Iterable[str]) -> list[str]:
    """Folders and globs as the files they name (sorted); URIs (``hdfs://...``) as given."""
    return gather(inputs).files


def gather(inputs: Iterable[str]):
    """:func:`expand`'s files and the inputs that give none, as
    :class:`~edi_j0256.cli.common.Inputs` (``PATH: reason`` problems: a missing path, an
    unreadable file, a glob that matches nothing)."""
    from edi_j0256.cli.common import InputProblem, Inputs, gather_inputs

    found = Inputs()
    for given in inputs:
        if "://" in given:
            found.files.append(given)
            continue
        matches = sorted(glob.glob(given, recursive=True)) if _GLOB & set(given) else [given]
        if not matches:
            found.problems.append(InputProblem(given, "no file matches"))
        part = gather_inputs(matches)
        found.files.extend(part.files)
        found.problems.extend(part.problems)
    return found


def _local(uri: str) -> str:
    return uri[5:] if uri.startswith("file:") else uri


def _names(files: list[str]) -> dict[str, str]:
    """``binaryFiles`` names files by absolute URI: map them back to the paths as given."""
    return {os.path.abspath(f): f for f in files if "://" not in f}


def _frame(spark, lines, kind: str):
    """A DataFrame of ``kind`` from an RDD of JSON Lines text."""
    return spark.read.schema(spark_schema(kind)).json(lines)


def _binary(spark, files: list[str]):
    sc = spark.sparkContext
    return sc.union([sc.binaryFiles(f) for f in files]) if files else sc.emptyRDD()


# -- large files in pieces ----------------------------------------------------------------

def _plan(files: list[str], min_piece: int) -> tuple[list[str], list[tuple]]:
    """The files read whole, and ``(path, index, piece)`` of the local files cut into
    pieces (:func:`edi_j0256.parallel.plan_pieces`)."""
    from edi_j0256.parallel import plan_pieces

    whole, tasks = [], []
    for f in files:
        plan = plan_pieces(f, max(os.path.getsize(f) // min_piece, 1), min_piece) \
            if "://" not in f else []
        if len(plan) > 1:
            tasks.extend((f, i, piece) for i, piece in enumerate(plan))
        else:
            whole.append(f)
    return whole, tasks


def _rows(spark, files: list[str], min_piece: int,
          read_whole: Callable[[str, bytes], Iterator],
          read_piece: Callable[[str, int, object], Iterator], problems=None):
    """An RDD of the rows of ``files``: ``read_whole(name, content)`` for a file read whole,
    ``read_piece(path, index, piece)`` for each piece of a large local file: its rows, then
    maybe a note, ``None`` when the piece could not be read exactly, or a dict of how many
    reader diagnostics of each code it read. A file with an inexact piece, or more
    diagnostics of one code than a single read keeps (``check``'s cap per file), is read
    whole instead, so every file gives the rows a single read gives.

    A file read whole that is not X12 gives the rows read before the error (as the CLI
    writes them), and its one-line message goes to ``problems`` (see :func:`unusable`).
    """
    names = _names(files)
    whole, tasks = _plan(files, min_piece)

    def whole_rows(item: tuple) -> Iterator:
        from edi_j0256.diagnostics import X12ReadError

        try:
            yield from read_whole(names.get(_local(item[0]), item[0]), item[1])
        except X12ReadError as exc:
            if problems is not None:
                problems.add([str(exc)])

    rows = _binary(spark, whole).flatMap(whole_rows)
    if not tasks:
        return rows
    pieces = _kept(spark.sparkContext.parallelize(tasks, len(tasks)).flatMap(
        lambda t: ((t[0], row) for row in read_piece(*t))))
    again = _read_again(pieces.filter(lambda pair: _is_note(pair[1])).collect())
    rows = rows.union(pieces.filter(lambda pair: not _is_note(pair[1]) and pair[0] not in again)
                      .values())
    if again:
        rows = rows.union(_binary(spark, sorted(again)).flatMap(whole_rows))
    return rows


def unusable(spark):
    """An accumulator for the frames' ``problems``: after an action, ``.value`` lists one
    line per input that could not be read (``PATH: reason``, the CLI's words; a line may
    repeat when Spark ran a task again)."""
    return spark.sparkContext.accumulator([], _Lines())


class _Lines:
    """Spark's ``AccumulatorParam`` for a list of lines (pyspark is imported only when a
    session exists, so the interface is met by its two methods)."""

    def zero(self, value: list) -> list:
        return []

    def addInPlace(self, value1: list, value2: list) -> list:  # Spark's name
        return value1 + value2


def _kept(rdd):
    """``rdd`` kept once computed (spilled to disk when memory is short, not read again:
    its rows are used twice, for the notes and for the frame)."""
    from pyspark import StorageLevel

    return rdd.persist(StorageLevel.MEMORY_AND_DISK)


def _is_note(row) -> bool:
    return row is None or isinstance(row, dict)


def _read_again(notes: list[tuple]) -> frozenset[str]:
    """The files whose pieces cannot stand for them (see :func:`_rows`)."""
    from edi_j0256.diagnostics import Diagnostics

    kept = Diagnostics().keep_per_code
    again, counts = set(), {}
    for path, note in notes:
        if note is None:
            again.add(path)
            continue
        for code, n in note.items():
            counts[path, code] = counts.get((path, code), 0) + n
            if kept is not None and counts[path, code] > kept:
                again.add(path)
    return frozenset(again)


def _piece_bytes(path: str, piece) -> bytes:
    """A piece as its reader sees it: the envelope copy in front, then its byte range."""
    with open(path, "rb") as stream:
        stream.seek(piece.start)
        return piece.prefix + stream.read(piece.end - piece.start)


# -- scan -------------------------------------------------------------------------------------

def _scan_bytes(name: str, content: bytes, codes: tuple[str, ...]) -> Iterator[str]:
    from edi_j0256.scan import iter_scan

    records, _ = iter_scan(io.BytesIO(content), name=name, hcpcs=codes)
    for record in records:
        yield encode_record(record)


def _scan_piece(path: str, index: int, piece, codes: tuple[str, ...]) -> Iterator[str | None]:
    from edi_j0256.parallel import PieceResult, piece_records

    result = PieceResult("")
    for record in piece_records(path, piece, index, codes, result):
        yield encode_record(record)
    if not result.exact:
        yield None


def scan_frame(spark, inputs: Iterable[str], hcpcs: Iterable[str] = DEFAULT_HCPCS,
               min_piece: int = MIN_PIECE, problems=None):
    """A DataFrame of scan records (``schemas/scan-record.schema.json``) of the inputs;
    ``problems``: an :func:`unusable` accumulator for the inputs that are not X12."""
    codes = normalize_codes(tuple(hcpcs))
    rows = _rows(spark, expand(inputs), min_piece,
                 lambda name, content: _scan_bytes(name, content, codes),
                 lambda path, index, piece: _scan_piece(path, index, piece, codes), problems)
    return _frame(spark, rows, "scan")


# -- remit ------------------------------------------------------------------------------------

def _remit_records(source, name: str, codes: tuple[str, ...], diagnostics) -> Iterator[dict]:
    """What ``edi-j0256 remit`` writes for one 835: its reader, then its records."""
    from edi_j0256.remit import remit_reader, remit_records

    reader = remit_reader(source, name=name, diagnostics=diagnostics, hcpcs=codes)
    return remit_records(reader.items(), hcpcs=codes)


def _remit_bytes(name: str, content: bytes, codes: tuple[str, ...]) -> Iterator[str]:
    from edi_j0256.diagnostics import Diagnostics, X12ReadError

    diagnostics = Diagnostics()
    for record in _remit_records(io.BytesIO(content), name, codes, diagnostics):
        yield encode_record(record)
    if any(d.code == "X350" for d in diagnostics):  # what remit calls unusable too
        raise X12ReadError(name, "no 835 transaction (ST*835) in the file")


def _remit_piece(path: str, index: int, piece, codes: tuple[str, ...]
                 ) -> Iterator[str | None]:
    """The remit lines of one piece (whole ST..SE transactions), positions shifted to the
    file's; ``None`` last when a tolerance warning (X1xx: after one, terminators no longer
    count segments) or a read error says the piece cannot stand for the file."""
    from edi_j0256.diagnostics import Diagnostics, X12ReadError

    tolerated: list[str] = []

    def keep(diagnostic) -> None:
        if diagnostic.code.startswith("X1"):
            tolerated.append(diagnostic.code)

    segments, lines = piece.segment_shift, piece.line_shift
    source = io.BytesIO(_piece_bytes(path, piece))
    try:
        for record in _remit_records(source, path, codes, Diagnostics(keep_per_code=0,
                                                                      sink=keep)):
            if tolerated:
                break
            _shift(record, segments, lines)
            yield encode_record(record)
    except X12ReadError:
        tolerated.append("read")
    if tolerated:
        yield None


def _shift(record: dict, segments: int, lines: int) -> None:
    """Add the segments and lines before a piece to a remit record's positions, the
    adjustments' included."""
    for key, value in record.items():
        if value is None:
            continue
        if key in _SEGMENT_KEYS:
            record[key] = value + segments
        elif key in _LINE_KEYS:
            record[key] = value + lines
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                _shift(item, segments, lines)


def remit_frame(spark, inputs: Iterable[str], hcpcs: Iterable[str] = DEFAULT_HCPCS,
                min_piece: int = MIN_PIECE, problems=None):
    """A DataFrame of remit lines (``schemas/remit.schema.json``) of the 835 inputs;
    ``problems``: an :func:`unusable` accumulator for the inputs that are not X12 or hold
    no 835."""
    codes = normalize_codes(tuple(hcpcs))
    rows = _rows(spark, expand(inputs), min_piece,
                 lambda name, content: _remit_bytes(name, content, codes),
                 lambda path, index, piece: _remit_piece(path, index, piece, codes), problems)
    return _frame(spark, rows, "remit")


# -- check ------------------------------------------------------------------------------------

class _ClaimPass(Checker):
    """``check_file`` with the claim rules and reader diagnostics only: after its findings,
    each claim the run rules must see (J0256 lines, or a replacement or void) comes out of
    :meth:`check_claim` too, as ``(patient digest, claim number in the file, packed
    ClaimDoses)`` (what ``check --jobs`` spools: :func:`edi_j0256.parallel.pack_doses`),
    instead of meeting the patient's doses (so a file without findings does not hold its
    claims)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._policies = {id(policy): n
                          for n, policy in enumerate(policy_profiles(self.context))}

    def check_claim(self, claim) -> Iterator:
        yield from super().check_claim(claim)  # counts it: its number is counts.claims
        if drug_lines(claim) or claim.frequency_code in VOIDING_FREQUENCIES:
            doses = self.context.doses(claim)
            if doses.key is not None:
                yield (doses.key, self.counts.claims, pack_doses(doses, self._policies))

    def run_findings(self, claim) -> Iterator:
        return iter(())  # after the shuffle, per patient


def _checker(cls, parts: tuple, wanted: tuple) -> Checker:
    return cls(RuleContext(*parts), select=wanted[0], ignore=wanted[1])


def _check_bytes(index: int, name: str, content: bytes, parts: tuple, wanted: tuple
                 ) -> Iterator[tuple]:
    """``("finding", row)`` of the claim rules and reader diagnostics of one file, and
    ``("claim", (patient, (file index, 0, claim number, packed claim)))`` for the run
    rules."""
    for item in _checker(_ClaimPass, parts, wanted).check_file(io.BytesIO(content), name=name):
        if isinstance(item, tuple):
            key, number, packed = item
            yield ("claim", (key, (index, 0, number, packed)))
        else:
            yield ("finding", encode_record(item.record()))


def _check_piece(path: str, index: int, piece_index: int, piece, parts: tuple,
                 wanted: tuple) -> Iterator:
    """What :func:`_check_bytes` gives for one piece of a large file, read by
    :func:`edi_j0256.parallel.check_piece` (the claim rules on claims whose positions are
    already the file's) into a spool on the executor's disk; then the note
    :func:`_rows` wants: ``None`` when the piece is not exact, else its diagnostics by code
    (``check`` keeps a number of each per file)."""
    import tempfile

    from edi_j0256.parallel import check_piece, spool_items
    from edi_j0256.rules.engine import from_diagnostic

    checker = _checker(Checker, parts, wanted)
    with tempfile.TemporaryDirectory(prefix="edi-j0256-spark-") as spool_dir:
        read = check_piece(path, piece, piece_index, parts, *wanted, spool_dir, 1)
        if not read.exact:
            yield None
            return
        diagnostics: dict[str, int] = {}
        for event in spool_items(read.events):
            if event[0] == "claim":
                for found in event[3]:
                    yield ("finding", encode_record(found.record()))
                continue
            diagnostic = event[1]
            diagnostics[diagnostic.code] = diagnostics.get(diagnostic.code, 0) + 1
            if diagnostic.severity != "info" and checker.wanted(diagnostic.code):
                yield ("finding", encode_record(from_diagnostic(diagnostic).record()))
        for number, _segment, packed in spool_items(read.doses[0]):
            yield ("claim", (packed[0], (index, piece_index, number, packed)))  # [0]: key
    yield diagnostics


def _patient_findings(claims: Iterable[tuple], parts: tuple, wanted: tuple) -> Iterator[str]:
    """The run rules over one patient's claims, in the run's reading order (file, claim)."""
    checker = _checker(Checker, parts, wanted)
    policies = policy_profiles(checker.context)
    for *_, packed in sorted(claims, key=lambda item: item[:3]):
        for found in checker.run_findings(unpack_doses(packed, policies)):
            yield encode_record(found.record())


def findings_frame(spark, inputs: Iterable[str], *, policies=None, crosswalk=None, mue=None,
                   select: Iterable[str] = (), ignore: Iterable[str] = (),
                   min_piece: int = MIN_PIECE, problems=None):
    """A DataFrame of ``check`` findings (``schemas/finding.schema.json``), the run rules
    shuffled by patient (payer, member ID, name, birth date).

    ``policies`` (:func:`~edi_j0256.rules.policy.load_policies`), ``crosswalk`` and ``mue``
    are what ``check --policy / --ndc-crosswalk / --mue`` load (the bundled ones when None);
    they go to the executors as one broadcast. ``select`` / ``ignore``: rule codes or
    prefixes, as ``check --select / --ignore``. ``problems``: an :func:`unusable`
    accumulator for the inputs that are not X12.
    """
    parts = (load_policies() if policies is None else policies,
             load_crosswalk() if crosswalk is None else crosswalk,
             load_mue() if mue is None else mue)
    wanted = (tuple(select), tuple(ignore))
    shared = spark.sparkContext.broadcast(parts)
    files = expand(inputs)
    order = {f: i for i, f in enumerate(files)}
    read = _rows(spark, files, min_piece,
                 lambda name, content: _check_bytes(order.get(name, len(order)), name,
                                                    content, shared.value, wanted),
                 lambda path, index, piece: _check_piece(path, order[path], index, piece,
                                                         shared.value, wanted), problems)
    read = _kept(read)
    claim_findings = read.filter(lambda t: t[0] == "finding").map(lambda t: t[1])
    run_findings = (read.filter(lambda t: t[0] == "claim").map(lambda t: t[1]).groupByKey()
                    .flatMap(lambda pair: _patient_findings(pair[1], shared.value, wanted)))
    return _frame(spark, claim_findings.union(run_findings), "finding")
