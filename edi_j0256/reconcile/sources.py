"""Read the inputs of a reconciliation: 837 claims -> ClaimLine, 835 payments -> RemitLine.

Both sides stay typed: the claim reader's :class:`~edi_j0256.claims.Claim` and the remit
reader's :class:`~edi_j0256.remit.model.ClaimPayment` become the frozen records of
:mod:`.model` one claim at a time. Every call into the remit reader is in
:func:`remit_claims` (the one adapter); the denial map classifies each CAS once, here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from edi_j0256.claims import Claim
from edi_j0256.codes import ALL_CODES
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.reconcile.model import CLAIM, LINE, Adjustment, ClaimLine, RemitLine
from edi_j0256.remit.model import (
    DENIED,
    ClaimPayment,
    ProviderAdjustment,
    RemitAdjustment,
    RemitPayment,
)
from edi_j0256.remit.rootcause import DenialMap, bundled_denial_map

NO_REMIT = "X350"  # remit parser: no 835 transaction in the file


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- 837 ---------------------------------------------------------------------------------------

def claim_lines(claim: Claim, file_order: int, codes: Sequence[str]) -> Iterator[ClaimLine]:
    """One :class:`ClaimLine` per service line of ``claim`` with one of ``codes``."""
    wanted = frozenset(codes)
    institutional = claim.envelope.transaction_type == "837I"
    for service_line in claim.lines:
        code = (service_line.procedure_code or "").upper()
        if ALL_CODES not in wanted and code not in wanted:
            continue
        yield ClaimLine(
            file=claim.envelope.file or "", file_order=file_order, claim_segment=claim.segment,
            claim_id=claim.claim_id, claim_charge=claim.claim_charge,
            frequency_code=claim.frequency_code, original_reference=claim.original_reference,
            transaction_type=claim.envelope.transaction_type, payer_id=claim.payer_id,
            payer_name=claim.payer_name, payer_responsibility=claim.payer_responsibility,
            filing_indicator=claim.claim_filing_indicator, billing_npi=claim.billing_npi,
            member_id=claim.member_id, patient_last_name=claim.patient_last_name,
            patient_first_name=claim.patient_first_name,
            subscriber_last_name=claim.subscriber_last_name,
            subscriber_first_name=claim.subscriber_first_name,
            line_number=service_line.line_number, line_control=service_line.line_control,
            procedure_code=service_line.procedure_code, modifiers=tuple(service_line.modifiers),
            service_date=service_line.service_date or (claim.statement_from if institutional
                                                       else None),
            billed_units=service_line.units, billed_amount=service_line.charge,
            segment=service_line.segment, line=service_line.line)


# -- 835 ---------------------------------------------------------------------------------------

def remit_claims(path: str | Path, diagnostics: Diagnostics,
                 codes: Sequence[str] = (ALL_CODES,), *,
                 on_plb: Callable[[ProviderAdjustment], None] | None = None
                 ) -> Iterator[tuple[RemitPayment, ClaimPayment]]:
    """Every claim payment of one 835 file with its payment header: the one adapter over the
    remit reader. Claims that cannot concern ``codes`` may be skipped by the reader.

    With the streaming reader (``iter_remit``: a header, then its claim payments) memory is
    one claim; with ``read_remits`` one transaction. ``on_plb`` is given each provider-level
    adjustment (PLB pair) as it is read. Raises X12ReadError when the file holds no 835
    transaction.
    """
    from edi_j0256 import remit

    before = _no_remit(diagnostics)
    if hasattr(remit, "iter_remit"):
        items = remit.iter_remit(path, name=str(path), diagnostics=diagnostics, hcpcs=codes)
        for item in items:
            if isinstance(item, ClaimPayment):
                yield item.payment, item
            elif on_plb is not None and isinstance(item, ProviderAdjustment):
                on_plb(item)
    else:
        for payment in remit.read_remits(path, name=str(path), diagnostics=diagnostics):
            yield from ((payment, claim) for claim in payment.claims)
            for plb in payment.provider_adjustments if on_plb is not None else ():
                on_plb(plb)
    if _no_remit(diagnostics) > before:
        raise X12ReadError(str(path), "holds no 835 transaction (an 837? give it with --claims)")


def _no_remit(diagnostics: Diagnostics) -> int:
    """How many X350 (no 835 transaction) diagnostics were added, kept or suppressed."""
    return diagnostics.kept[NO_REMIT] + sum(n for (code, _), n in diagnostics.suppressed.items()
                                            if code == NO_REMIT)


def _adjustments(items: Iterable[RemitAdjustment], remarks: Sequence[str], level: str,
                 denial_map: DenialMap) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a.group, a.carc, a.amount, a.quantity,
                            denial_map.classify(a.group, a.carc, remarks), level) for a in items)


def remit_lines(payment: RemitPayment, claim: ClaimPayment, file_order: int,
                codes: Sequence[str], denial_map: DenialMap | None = None
                ) -> list[RemitLine]:
    """The lines of one claim payment that reconciliation keeps.

    Kept: every SVC billed (SVC01-2, or SVC06-2 when the payer changed it) with one of
    ``codes``; a CLP without SVC lines (level claim); and for a denied CLP (CLP02 = 4) with
    claim-level CAS and SVC lines, one claim-level record for the charge no SVC answers
    (CLP03 - SVC02s), which carries the claim CAS (its SVC lines then carry none of it).
    """
    denial_map = denial_map or bundled_denial_map()
    wanted = frozenset(codes)
    remarks = tuple(claim.remarks)
    claim_cas = _adjustments(claim.adjustments, remarks, CLAIM, denial_map)
    common = dict(
        file=payment.envelope.file or "", file_order=file_order, claim_segment=claim.segment,
        payer_id=payment.payer_id, payer_name=payment.payer_name, payee_npi=payment.payee_npi,
        trace_number=payment.trace_number, payment_date=payment.payment_date,
        claim_id=claim.claim_id, claim_status=claim.status,
        payer_claim_control=claim.payer_claim_control, claim_frequency=claim.frequency_code,
        claim_charge=claim.charge, claim_paid=claim.paid, claim_date=claim.dates.get("232"),
        patient_id=claim.patient_id, patient_last_name=claim.patient_last_name,
        patient_first_name=claim.patient_first_name, insured_id=claim.insured_id,
        claim_rarcs=remarks)
    denied = claim.status == DENIED and bool(claim.adjustments)

    def claim_level(charge: Decimal | None, paid: Decimal | None) -> RemitLine:
        return RemitLine(**common, level=CLAIM, line_control=None, procedure_code=None,
                         modifiers=(), original_procedure_code=None, original_modifiers=(),
                         charge=charge, paid=paid, units_paid=None, original_units=None,
                         service_date=None, rarcs=remarks, segment=claim.segment,
                         line=claim.line, adjustments=claim_cas)

    if not claim.lines:
        return [claim_level(claim.charge, claim.paid)]
    lines = []
    for service in claim.lines:
        submitted = {(service.procedure_code or "").upper(),
                     (service.original_procedure_code or "").upper()}
        if ALL_CODES not in wanted and not submitted & wanted:
            continue
        lines.append(RemitLine(
            **common, level=LINE, line_control=service.line_control,
            procedure_code=service.procedure_code, modifiers=tuple(service.modifiers),
            original_procedure_code=service.original_procedure_code,
            original_modifiers=tuple(service.original_modifiers), charge=service.charge,
            paid=service.paid, units_paid=service.units_paid,
            original_units=service.original_units, service_date=service.service_date,
            rarcs=tuple(service.rarcs), segment=service.segment, line=service.line,
            adjustments=_adjustments(service.adjustments, tuple(service.rarcs) + remarks, LINE,
                                     denial_map),
            claim_adjustments=() if denied else claim_cas))
    if denied:
        covered = sum((s.charge or 0 for s in claim.lines), Decimal(0))
        paid = sum((s.paid or 0 for s in claim.lines), Decimal(0))
        charge = (claim.charge or Decimal(0)) - covered
        lines.append(claim_level(charge if charge > 0 else claim.charge,
                                 (claim.paid or Decimal(0)) - paid))
    return lines
