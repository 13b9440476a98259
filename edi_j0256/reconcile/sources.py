"""Read the inputs of a reconciliation: 837 files -> ClaimLine, 835 files -> RemitLine.

The 837 side goes through the claim reader and the validator (findings are attached to the
lines they were reported on); the 835 side goes through the remit reader and its flat records
(:func:`edi_j0256.remit.remit_records`), so root causes are classified exactly as ``remit``
classifies them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from edi_j0256.claims import Claim, ClaimReader
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.reconcile.findings import FindingIndex
from edi_j0256.reconcile.model import Adjustment, ClaimLine, RemitLine
from edi_j0256.remit import read_remits, remit_records
from edi_j0256.scan import line_record

DEFAULT_HCPCS = ("J0256",)
CLAIM_DENIED = "4"
NO_REMIT = "X350"  # remit parser: no 835 transaction in the file


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_claim_file(path: str | Path, *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
                    diagnostics: Diagnostics | None = None) -> list[Claim]:
    """The claims of one 837 file that hold a line with one of ``hcpcs``.

    Raises X12ReadError when the file is not X12 at all, or holds no claim but 835s.
    """
    reader = ClaimReader(path, name=str(path), diagnostics=diagnostics, hcpcs=hcpcs)
    claims = list(reader.claims())
    if not reader.stats.claims and next(read_remits(path, name=str(path)), None) is not None:
        raise X12ReadError(str(path), "is an 835 remittance, not an 837 claim file "
                                      "(give it with --remits)")
    return claims


def claim_lines(claims: Iterable[Claim], file_order: int, findings: FindingIndex,
                hcpcs: Sequence[str] = DEFAULT_HCPCS) -> Iterator[ClaimLine]:
    """One :class:`ClaimLine` per service line with one of ``hcpcs``."""
    codes = frozenset(hcpcs)
    for claim in claims:
        for service_line in claim.lines:
            if service_line.procedure_code not in codes:
                continue
            record = line_record(claim, service_line)
            yield ClaimLine(
                file=claim.envelope.file, file_order=file_order, claim_segment=claim.segment,
                claim_id=claim.claim_id, claim_charge=claim.claim_charge,
                frequency_code=claim.frequency_code,
                transaction_type=claim.envelope.transaction_type, payer_id=claim.payer_id,
                payer_name=claim.payer_name, member_id=claim.member_id,
                line_number=service_line.line_number, line_control=service_line.line_control,
                procedure_code=service_line.procedure_code,
                modifiers=tuple(service_line.modifiers), service_date=record["service_date"],
                billed_units=service_line.units, billed_amount=service_line.charge,
                segment=service_line.segment, line=service_line.line,
                findings=findings.for_line(claim, service_line))


def _adjustments(items: Iterable[dict], level: str) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a["group"], a["carc"], a["amount"], a["quantity"],
                            tuple(a["root_causes"]), level) for a in items)


def _remit_line(record: dict, file_order: int) -> RemitLine:
    claim_level = record["record_type"] == "claim"
    return RemitLine(
        file=record["file"], file_order=file_order, claim_segment=record["claim_segment"],
        level=record["record_type"], payer_id=record["payer_id"],
        payer_name=record["payer_name"], trace_number=record["trace_number"],
        payment_date=record["payment_date"], claim_id=record["claim_id"],
        claim_status=record["claim_status"], payer_claim_control=record["payer_claim_control"],
        claim_charge=record["claim_charge"], claim_paid=record["claim_paid"],
        line_control=record["line_control"], procedure_code=record["procedure_code"],
        modifiers=tuple(record["modifiers"]),
        original_procedure_code=record["original_procedure_code"],
        original_modifiers=tuple(record["original_modifiers"]), charge=record["charge"],
        paid=record["paid"], units_paid=record["units_paid"],
        original_units=record["original_units"], service_date=record["service_date"],
        adjustments=_adjustments(record["adjustments"], record["record_type"]),
        claim_adjustments=() if claim_level else _adjustments(record["claim_adjustments"],
                                                              "claim"),
        rarcs=tuple(record["rarcs"]), claim_rarcs=tuple(record["claim_rarcs"]),
        segment=record["segment"], line=record["line"])


def _denied_claim(services: list[dict], file_order: int) -> RemitLine:
    """The claim-level part of a denied CLP with SVC lines: the charge no SVC answers."""
    first = services[0]
    covered = sum((s["charge"] or 0 for s in services), Decimal(0))
    paid = sum((s["paid"] or 0 for s in services), Decimal(0))
    charge = (first["claim_charge"] or Decimal(0)) - covered
    return replace(
        _remit_line({**first, "record_type": "claim"}, file_order),
        line_control=None, procedure_code=None, modifiers=(), original_procedure_code=None,
        original_modifiers=(), charge=charge if charge > 0 else first["claim_charge"],
        paid=(first["claim_paid"] or Decimal(0)) - paid, units_paid=None, original_units=None,
        service_date=None, adjustments=_adjustments(first["claim_adjustments"], "claim"),
        rarcs=tuple(first["claim_rarcs"]), segment=first["claim_segment"],
        line=first["claim_line"])


def read_remit_file(path: str | Path, file_order: int, *, hcpcs: Sequence[str] = DEFAULT_HCPCS,
                    diagnostics: Diagnostics | None = None) -> list[RemitLine]:
    """The J0256 lines and claim-level adjudications of one 835 file.

    Kept: every SVC billed (SVC01-2, or SVC06-2 when the payer changed it) with one of
    ``hcpcs``; every CLP without SVC lines; and for a denied CLP (CLP02 = 4) with claim-level
    CAS and SVC lines, one claim-level record for the charge no SVC answers (CLP03 - SVC02s),
    which carries the claim CAS (its SVC lines then carry none of it).
    """
    codes = frozenset(c.upper() for c in hcpcs)
    found = Diagnostics()
    by_claim: dict[int, list[dict]] = {}
    for record in remit_records(read_remits(path, name=str(path), diagnostics=found),
                                hcpcs=("ALL",)):
        by_claim.setdefault(record["claim_segment"], []).append(record)
    if diagnostics is not None:
        diagnostics.extend(found)
    if any(d.code == NO_REMIT for d in found):
        raise X12ReadError(str(path), "holds no 835 transaction (an 837? give it with --claims)")
    lines: list[RemitLine] = []
    for records in by_claim.values():
        if records[0]["record_type"] == "claim":
            lines.append(_remit_line(records[0], file_order))
            continue
        denied = records[0]["claim_status"] == CLAIM_DENIED and records[0]["claim_adjustments"]
        for record in records:
            submitted = {(record["procedure_code"] or "").upper(),
                         (record["original_procedure_code"] or "").upper()}
            if submitted & codes:
                line = _remit_line(record, file_order)
                lines.append(replace(line, claim_adjustments=()) if denied else line)
        if denied:
            lines.append(_denied_claim(records, file_order))
    return lines
