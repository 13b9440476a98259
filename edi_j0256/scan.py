"""``scan``: one flat record per service line with a chosen procedure code (default J0256),
revenue code, or every line (``ALL``).

:class:`ScanRun` is the scan loop every caller uses (the command is a thin shell around it):
inputs checked one by one (an unreadable input or one of another kind is reported in one line
and the others go on), records streamed in input order, totals kept, every diagnostic handed
to a callback.

The record's field names are a contract (scripts and the JSON Schema in
``schemas/scan-record.schema.json`` depend on them).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edi_j0256.claims.model import Claim, ServiceLine, dotted_code
from edi_j0256.claims.parser import ClaimReader, ReadStats, normalize_revenue
from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.diagnostics import Diagnostic, Diagnostics, Severity, X12ReadError
from edi_j0256.output import write_jsonl
from edi_j0256.x12.kind import PROBE_BYTES, detect_kind, unwrapped
from edi_j0256.x12.sources import expand_sources, read_head

__all__ = ["DEFAULT_HCPCS", "TABLE_FIELDS", "FileScan", "ScanRun", "ScanTotals", "check_input",
           "claim_record", "iter_scan", "line_record", "scan_file", "scan_files"]

TABLE_FIELDS = ("file", "line", "claim_id", "line_number", "payer_id", "procedure_code",
                "modifiers", "units", "charge", "service_date", "ndc", "ndc_quantity",
                "ndc_unit", "diagnosis_codes", "prior_auth")


def claim_record(claim: Claim, claim_codes: list[str] | None = None) -> dict:
    """The part of a scan record that is the same for every line of one claim, with the
    line's fields empty, in the record's field order: :func:`line_record` copies it and
    fills the line in (a dict copy is cheaper than a dict built field by field).

    ``claim_codes`` (the claim's dotted diagnosis codes) may be passed in if known.
    """
    envelope = claim.envelope
    if claim_codes is None:
        claim_codes = [dotted_code(d.code) for d in claim.diagnoses]
    return {
        "file": envelope.file,
        "interchange_control": envelope.interchange_control,
        "group_control": envelope.group_control,
        "transaction_control": envelope.transaction_control,
        "transaction_type": envelope.transaction_type,
        "implementation": envelope.implementation,
        "claim_id": claim.claim_id,
        "claim_charge": claim.claim_charge,
        "frequency_code": claim.frequency_code,
        "place_of_service": None,  # line
        "facility_type": claim.facility_type,
        "claim_filing_indicator": claim.claim_filing_indicator,
        "payer_id": claim.payer_id,
        "payer_name": claim.payer_name,
        "member_id": claim.member_id,
        "billing_npi": claim.billing_npi,
        "rendering_npi": None,  # line
        "line_number": None,  # line, and every field down to diagnosis_codes
        "line_control": None,
        "procedure_qualifier": None,
        "procedure_code": None,
        "modifiers": None,
        "charge": None,
        "unit_basis": None,
        "units": None,
        "revenue_code": None,
        "service_date": None,
        "service_date_end": None,
        "diagnosis_pointers": None,
        "diagnosis_codes": None,
        "claim_diagnosis_codes": claim_codes,
        "prior_auth": None,  # line
        "ndc": None,  # line, down to ndc_unit
        "ndc_raw": None,
        "ndc_quantity": None,
        "ndc_unit": None,
        "patient_weight_lb": claim.patient_weight_lb,
        "segment": None,  # line
        "line": None,  # line
    }


def line_record(claim: Claim, line: ServiceLine, claim_codes: list[str] | None = None,
                base: dict | None = None) -> dict:
    """The flat scan record of one service line with its claim context.

    ``claim_codes`` (the claim's dotted diagnosis codes) may be passed in when several lines
    of one claim are recorded, to compute them once; or ``base``, the claim's
    :func:`claim_record`, to build that part once too.
    """
    if base is None:
        base = claim_record(claim, claim_codes)
    record = base.copy()
    institutional = record["transaction_type"] == "837I"
    record["place_of_service"] = None if institutional else (line.place_of_service
                                                             or claim.place_of_service)
    record["rendering_npi"] = line.rendering_npi or claim.rendering_npi
    record["line_number"] = line.line_number
    record["line_control"] = line.line_control
    record["procedure_qualifier"] = line.procedure_qualifier
    record["procedure_code"] = line.procedure_code
    record["modifiers"] = list(line.modifiers)
    record["charge"] = line.charge
    record["unit_basis"] = line.unit_basis
    record["units"] = line.units
    record["revenue_code"] = line.revenue_code
    record["service_date"] = line.service_date or (claim.statement_from if institutional
                                                   else None)
    record["service_date_end"] = line.service_date_end
    record["diagnosis_pointers"] = list(line.diagnosis_pointers)
    record["diagnosis_codes"] = claim.pointed_diagnoses(line, record["claim_diagnosis_codes"])
    record["prior_auth"] = line.prior_auth or claim.prior_auth
    record["ndc"] = line.ndc
    record["ndc_raw"] = line.ndc_raw
    record["ndc_quantity"] = line.ndc_quantity
    record["ndc_unit"] = line.ndc_unit
    record["segment"] = line.segment
    record["line"] = line.line
    return record


@dataclass(slots=True)
class FileScan:
    """What scanning one file produced: records, counts and diagnostics."""

    file: str
    records: Iterable[dict] = ()  # a list, or a stream read back from ``spool``
    stats: ReadStats = field(default_factory=ReadStats)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    error: str | None = None  # set when the file could not be read at all
    spool: str | None = None  # JSON Lines file holding the records (parallel scans)
    diagnostics_spool: str | None = None  # JSON Lines file holding every diagnostic


def iter_scan(source, *, name: str | None = None, hcpcs: Iterable[str] | None = DEFAULT_HCPCS,
              diagnostics: Diagnostics | None = None,
              revenue: Iterable[str] | None = None) -> tuple[Iterator[dict], ClaimReader]:
    """Stream the records of one file. Read ``reader.stats`` once the iterator is exhausted.

    ``hcpcs`` may be ``("ALL",)`` (every line); with ``revenue`` codes, lines with one of
    those SV201 revenue codes are listed too (``hcpcs=()`` lists by revenue code only).
    """
    reader = ClaimReader(source, name=name, diagnostics=diagnostics,
                         hcpcs=tuple(hcpcs) if hcpcs is not None else None, revenue=revenue)

    def records() -> Iterator[dict]:
        for claim, lines in reader.matched_claims():
            if lines:
                base = claim_record(claim)
                for line in lines:
                    yield line_record(claim, line, base=base)

    return records(), reader


def check_input(path: str) -> str | None:
    """Why ``path`` cannot be scanned at all (one line naming it), or None.

    Missing, unreadable, a folder, a FIFO or device (refused without opening it), or an X12
    file of another kind (an 835, an 834, an 837D ...).
    """
    try:
        head = read_head(path, PROBE_BYTES)
    except X12ReadError as exc:
        return str(exc)
    kind = detect_kind(unwrapped(head))
    if kind is not None and not kind.is_claims:
        hint = " (read it with `remit`)" if kind.is_remits else ""
        return (f"{path}: is {_article(kind.describe())} {kind.describe()}, not an 837P / 837I "
                f"claim file{hint}")
    return None


def _article(words: str) -> str:
    return "an" if words[:1] in "8AEIOU" else "a"


def scan_file(path: str | Path, hcpcs: Iterable[str] | None = DEFAULT_HCPCS,
              spool: str | None = None, revenue: Iterable[str] | None = None,
              diagnostics_spool: str | None = None) -> FileScan:
    """Scan one file completely; never raises for bad input (see ``FileScan.error``).

    With ``spool``, the records go to that JSON Lines file instead of memory, so a worker
    process hands back a file name, not a gigabyte of records; with ``diagnostics_spool``,
    every diagnostic goes to that file too (memory keeps the first of each code).
    """
    sink_stream = open(diagnostics_spool, "w", encoding="utf-8") if diagnostics_spool else None  # noqa: SIM115
    diagnostics = Diagnostics(sink=(lambda d: sink_stream.write(diagnostic_row(d)))
                              if sink_stream else None)
    result = FileScan(str(path), diagnostics=diagnostics, spool=spool,
                      diagnostics_spool=diagnostics_spool)
    try:
        result.error = check_input(str(path))
        if result.error is not None:
            return result
        records, reader = iter_scan(path, hcpcs=hcpcs, diagnostics=diagnostics, revenue=revenue)
        result.stats = reader.stats
        kept: list[dict] = []
        try:
            if spool is None:
                kept.extend(records)
            else:
                with open(spool, "w", encoding="utf-8") as stream:
                    write_jsonl(records, stream)
        except X12ReadError as exc:
            result.error = str(exc)
        result.records = kept
    finally:
        diagnostics.sink = None  # a worker's result is pickled: no function in it
        if sink_stream is not None:
            sink_stream.close()
    return result


def diagnostic_row(diagnostic: Diagnostic) -> str:
    """One diagnostic as a JSON Lines row (the ``--diagnostics FILE`` format)."""
    d = diagnostic
    return json.dumps({"file": d.file, "line": d.line, "segment": d.segment, "code": d.code,
                       "severity": str(d.severity), "message": d.message}) + "\n"


def _read_diagnostics(path: str) -> Iterator[Diagnostic]:
    try:
        with open(path, encoding="utf-8") as stream:
            for text in stream:
                row = json.loads(text)
                yield Diagnostic(row["code"], Severity(row["severity"]), row["message"],
                                 row["file"], row["segment"], row["line"])
    finally:
        os.unlink(path)


def _read_spool(path: str) -> Iterator[dict]:
    try:
        with open(path, encoding="utf-8") as stream:
            for text in stream:
                yield json.loads(text)
    finally:
        os.unlink(path)


def scan_files(paths: Iterable[str | Path], hcpcs: Iterable[str] | None = DEFAULT_HCPCS,
               jobs: int = 1, revenue: Iterable[str] | None = None,
               on_diagnostic: Callable[[Diagnostic], None] | None = None,
               keep_spools: bool = False) -> Iterator[FileScan]:
    """Scan several files, in parallel processes when ``jobs`` > 1, in the order given.

    In parallel, each worker spools its records (and, with ``on_diagnostic``, every
    diagnostic) to temporary JSON Lines files that are read back (and deleted) as the caller
    consumes them: memory stays bounded and no diagnostic is lost. With ``keep_spools`` the
    records are not read back: ``result.spool`` names the JSON Lines file (exactly what
    :func:`~edi_j0256.output.write_jsonl` writes for them), for the caller to copy and
    delete before it asks for the next file.
    """
    paths = [str(p) for p in paths]
    codes = tuple(hcpcs) if hcpcs is not None else None
    revenues = tuple(revenue or ())
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield scan_file(path, codes, revenue=revenues)
        return
    from concurrent.futures import ProcessPoolExecutor  # only here: 16% of scan's start-up

    with (tempfile.TemporaryDirectory(prefix="edi-j0256-") as spool_dir,
          ProcessPoolExecutor(max_workers=jobs) as pool):
        spools = [os.path.join(spool_dir, f"{n}.jsonl") for n in range(len(paths))]
        sinks = [os.path.join(spool_dir, f"{n}.diagnostics.jsonl") if on_diagnostic else None
                 for n in range(len(paths))]
        for result in pool.map(scan_file, paths, [codes] * len(paths), spools,
                               [revenues] * len(paths), sinks):
            if result.diagnostics_spool and os.path.exists(result.diagnostics_spool):
                for diagnostic in _read_diagnostics(result.diagnostics_spool):
                    on_diagnostic(diagnostic)  # type: ignore[misc]
            if not (result.spool and os.path.exists(result.spool)):
                result.spool = None
            elif not keep_spools:
                result.records = _read_spool(result.spool)
            yield result


@dataclass(slots=True)
class ScanTotals:
    """What a whole scan read: counts, diagnostics by severity, inputs not read."""

    stats: ReadStats = field(default_factory=ReadStats)
    warnings: int = 0
    errors: int = 0
    unreadable: list[str] = field(default_factory=list)  # one line per input not read


class ScanRun:
    """A scan of several inputs: :meth:`records` streams the records in input order, and
    :attr:`totals` holds the counts once it is exhausted.

    Callbacks: ``on_diagnostic(d)`` sees every diagnostic as it happens (in parallel runs,
    when the file's results come back); ``on_file(result, n, total)`` runs after each input
    (an unreadable one has ``result.error``); ``on_progress(file, stats)`` every
    ``progress_every`` seconds within a file (sequential runs).

    >>> run = ScanRun(["fixtures/837p-medicare.x12"])
    >>> len(list(run.records())), run.totals.stats.claims, run.totals.unreadable
    (5, 5, [])
    """

    def __init__(self, inputs: Iterable[str | Path], *,
                 hcpcs: Iterable[str] | None = DEFAULT_HCPCS,
                 revenue: Iterable[str] | None = None, jobs: int = 1,
                 on_diagnostic: Callable[[Diagnostic], None] | None = None,
                 on_file: Callable[[FileScan, int, int], None] | None = None,
                 on_progress: Callable[[str, ReadStats], None] | None = None,
                 progress_every: float = 2.0):
        self.inputs = expand_sources(inputs)
        self.hcpcs = normalize_codes(tuple(hcpcs), default=()) if hcpcs is not None else ()
        self.revenue = normalize_revenue(revenue) if revenue else ()
        self.jobs = jobs
        self.on_diagnostic, self.on_file, self.on_progress = on_diagnostic, on_file, on_progress
        self.progress_every = progress_every
        self.totals = ScanTotals()

    def records(self) -> Iterator[dict]:
        total = len(self.inputs)
        if self.jobs > 1 and total > 1:
            results = scan_files(self.inputs, self.hcpcs, self.jobs, self.revenue,
                                 self.on_diagnostic)
            for index, result in enumerate(results, 1):
                self._finish(result, index, total)
                yield from result.records
            return
        for index, path in enumerate(self.inputs, 1):
            yield from self._file(path, index, total, None)

    def text(self, fmt: str) -> Iterator[bytes]:
        """What :func:`~edi_j0256.output.write_records` writes for :meth:`records` in ``fmt``
        (``jsonl`` or ``csv``), as bytes. With ``jobs`` > 1 the worker processes format the
        records (of their files, or of their pieces of one file) and this process only copies
        bytes: no work per record here."""
        from edi_j0256.parallel import Joined

        joined = Joined(fmt)
        total = len(self.inputs)
        if self.jobs > 1 and total > 1:
            results = scan_files(self.inputs, self.hcpcs, self.jobs, self.revenue,
                                 self.on_diagnostic, keep_spools=fmt == "jsonl")
            for index, result in enumerate(results, 1):
                self._finish(result, index, total)
                if fmt == "jsonl" and result.spool:
                    yield from joined.spool(result.spool)
                else:
                    yield from joined.encoded(result.records)
            return
        for index, path in enumerate(self.inputs, 1):
            yield from self._file(path, index, total, joined)

    def _file(self, path: str, index: int, total: int, joined) -> Iterator:
        """One input read in this process (in pieces on ``jobs`` cores when it is one large
        file): records, or with ``joined`` their output bytes."""
        result = FileScan(path, diagnostics=Diagnostics(sink=self.on_diagnostic))
        try:
            result.error = check_input(path)
            if result.error is None:
                yield from self._stream(path, result, joined)
        finally:
            self._finish(result, index, total)

    def _stream(self, path: str, result: FileScan, joined=None) -> Iterator:
        if self.jobs > 1 and not self.revenue and os.path.isfile(path):
            # One file and several jobs: both cores on the one file, cut at ISA/ST boundaries
            # (the same records and diagnostics, in the same order, as one process gives).
            from edi_j0256 import parallel

            if joined is None:
                stream, state = parallel.scan_parallel(path, self.hcpcs, self.jobs,
                                                       diagnostics=result.diagnostics,
                                                       min_piece=parallel.MIN_PIECE)
            else:
                stream, state = parallel.scan_parallel_text(path, joined, self.hcpcs,
                                                            self.jobs, result.diagnostics,
                                                            parallel.MIN_PIECE)
            try:
                yield from stream
            except X12ReadError as exc:
                result.error = str(exc)
            result.stats = state.stats
            return
        records = self._read(path, result)
        try:
            yield from (records if joined is None else joined.encoded(records))
        except X12ReadError as exc:
            result.error = str(exc)

    def _read(self, path: str, result: FileScan) -> Iterator[dict]:
        """The records of one file read by this process, with progress reports."""
        stream, reader = iter_scan(path, hcpcs=self.hcpcs, diagnostics=result.diagnostics,
                                   revenue=self.revenue)
        result.stats = reader.stats
        last = time.monotonic()
        for record in stream:
            yield record
            if self.on_progress and time.monotonic() - last > self.progress_every:
                last = time.monotonic()
                self.on_progress(path, reader.snapshot())

    def _finish(self, result: FileScan, index: int, total: int) -> None:
        totals = self.totals
        totals.stats.add(result.stats)
        totals.warnings += result.diagnostics.count(Severity.WARNING)
        totals.errors += result.diagnostics.count(Severity.ERROR)
        if result.error:
            totals.unreadable.append(result.error)
        if self.on_file:
            self.on_file(result, index, total)
