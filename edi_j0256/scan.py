"""``scan``: one flat record per service line with a chosen procedure code (default J0256).

The record's field names are a contract (scripts and the JSON Schema in
``schemas/scan-record.schema.json`` depend on them).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.claims.parser import ClaimReader, ReadStats
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.output import write_jsonl

DEFAULT_HCPCS = ("J0256",)

TABLE_FIELDS = ("file", "line", "claim_id", "line_number", "payer_id", "procedure_code",
                "modifiers", "units", "charge", "service_date", "ndc", "ndc_quantity",
                "ndc_unit", "diagnosis_codes", "prior_auth")


def line_record(claim: Claim, line: ServiceLine,
                claim_codes: list[str] | None = None) -> dict:
    """The flat scan record of one service line with its claim context.

    ``claim_codes`` (the claim's dotted diagnosis codes) may be passed in when several lines
    of one claim are recorded, to compute them once.
    """
    envelope = claim.envelope
    if claim_codes is None:
        claim_codes = [d.dotted for d in claim.diagnoses]
    institutional = envelope.transaction_type == "837I"
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
        "place_of_service": None if institutional else (line.place_of_service
                                                        or claim.place_of_service),
        "facility_type": claim.facility_type,
        "claim_filing_indicator": claim.claim_filing_indicator,
        "payer_id": claim.payer_id,
        "payer_name": claim.payer_name,
        "member_id": claim.member_id,
        "billing_npi": claim.billing_npi,
        "rendering_npi": line.rendering_npi or claim.rendering_npi,
        "line_number": line.line_number,
        "line_control": line.line_control,
        "procedure_qualifier": line.procedure_qualifier,
        "procedure_code": line.procedure_code,
        "modifiers": list(line.modifiers),
        "charge": line.charge,
        "unit_basis": line.unit_basis,
        "units": line.units,
        "revenue_code": line.revenue_code,
        "service_date": line.service_date or (claim.statement_from if institutional else None),
        "service_date_end": line.service_date_end,
        "diagnosis_pointers": list(line.diagnosis_pointers),
        "diagnosis_codes": claim.pointed_diagnoses(line, claim_codes),
        "claim_diagnosis_codes": claim_codes,
        "prior_auth": line.prior_auth or claim.prior_auth,
        "ndc": line.ndc,
        "ndc_raw": line.ndc_raw,
        "ndc_quantity": line.ndc_quantity,
        "ndc_unit": line.ndc_unit,
        "patient_weight_lb": claim.patient_weight_lb,
        "segment": line.segment,
        "line": line.line,
    }


@dataclass(slots=True)
class FileScan:
    """What scanning one file produced: records, counts and diagnostics."""

    file: str
    records: Iterable[dict] = ()  # a list, or a stream read back from ``spool``
    stats: ReadStats = field(default_factory=ReadStats)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    error: str | None = None  # set when the file could not be read at all
    spool: str | None = None  # JSON Lines file holding the records (parallel scans)


def iter_scan(source, *, name: str | None = None, hcpcs: Iterable[str] = DEFAULT_HCPCS,
              diagnostics: Diagnostics | None = None) -> tuple[Iterator[dict], ClaimReader]:
    """Stream the records of one file. Read ``reader.stats`` once the iterator is exhausted."""
    reader = ClaimReader(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs)
    codes = reader.codes

    def records() -> Iterator[dict]:
        for claim in reader.claims():
            claim_codes = [d.dotted for d in claim.diagnoses]
            for line in claim.lines:
                if line.procedure_code in codes:
                    yield line_record(claim, line, claim_codes)

    return records(), reader


def scan_file(path: str | Path, hcpcs: Iterable[str] = DEFAULT_HCPCS,
              spool: str | None = None) -> FileScan:
    """Scan one file completely; never raises for bad input (see ``FileScan.error``).

    With ``spool``, the records go to that JSON Lines file instead of memory, so a worker
    process hands back a file name, not a gigabyte of records.
    """
    diagnostics = Diagnostics()
    result = FileScan(str(path), diagnostics=diagnostics, spool=spool)
    records, reader = iter_scan(path, hcpcs=hcpcs, diagnostics=diagnostics)
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
    result.stats = reader.stats
    return result


def _read_spool(path: str) -> Iterator[dict]:
    try:
        with open(path, encoding="utf-8") as stream:
            for text in stream:
                yield json.loads(text)
    finally:
        os.unlink(path)


def scan_files(paths: Iterable[str | Path], hcpcs: Iterable[str] = DEFAULT_HCPCS,
               jobs: int = 1) -> Iterator[FileScan]:
    """Scan several files, in parallel processes when ``jobs`` > 1, in the order given.

    In parallel, each worker spools its records to a temporary JSON Lines file that is read
    back (and deleted) as the caller consumes ``FileScan.records``: memory stays bounded.
    """
    paths = [str(p) for p in paths]
    codes = tuple(hcpcs)
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield scan_file(path, codes)
        return
    with (tempfile.TemporaryDirectory(prefix="edi-j0256-") as spool_dir,
          ProcessPoolExecutor(max_workers=jobs) as pool):
        spools = [os.path.join(spool_dir, f"{n}.jsonl") for n in range(len(paths))]
        for result in pool.map(scan_file, paths, [codes] * len(paths), spools):
            if result.spool and os.path.exists(result.spool):
                result.records = _read_spool(result.spool)
            yield result
