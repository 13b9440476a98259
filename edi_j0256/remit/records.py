"""Remittance payments -> flat records, one per drug service line, with root causes and advice.

One record per SVC line whose procedure (SVC01-2, or the submitted SVC06-2) is one of the
requested HCPCS codes, plus one record per claim that has no SVC lines at all (a claim-level
denial cannot tell which procedure it was, so it is always reported). Provider-level
adjustments (PLB) are records of their own (:func:`plb_records`, ``remit --plb``). The
records' fields are described by ``schemas/remit.schema.json``.

Both take the reader's stream (:func:`edi_j0256.remit.iter_remit`) or whole transactions
(:func:`edi_j0256.remit.read_remits`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from edi_j0256.codes import ALL_CODES, DEFAULT_HCPCS, normalize_codes
from edi_j0256.remit.codes import CodeTable, bundled_tables
from edi_j0256.remit.model import (
    ClaimPayment,
    ProviderAdjustment,
    RemitAdjustment,
    RemitPayment,
    ServiceLinePayment,
)
from edi_j0256.remit.rootcause import DenialMap, bundled_denial_map, root_cause_advice
from edi_j0256.root_causes import NOT_DENIALS

REVERSAL_NOTE = "Reversal of an earlier payment (CLP02 = 22); a corrected adjudication follows."
NO_ADJUSTMENT = "No adjustment reported: paid as billed."

CACHE_LIMIT = 10_000  # lookups remembered per run, so memory stays bounded on any input
PLB_TABLE_FIELDS = ("trace_number", "payment_date", "payer_name", "provider_id", "reason",
                    "reference", "amount")
TABLE_FIELDS = ("claim_id", "claim_status", "procedure_code", "modifiers", "service_date",
                "charge", "paid", "units_paid", "denied_amount", "root_causes", "action")


class _Context:
    def __init__(self, denial_map: DenialMap | None, carcs: CodeTable | None,
                 rarcs: CodeTable | None):
        bundled_carcs, bundled_rarcs = bundled_tables()
        self.denial_map = denial_map or bundled_denial_map()
        self.carcs = carcs if carcs is not None else bundled_carcs
        self.rarcs = rarcs if rarcs is not None else bundled_rarcs
        # An 835 repeats a few (group, CARC, remarks) combinations thousands of times: the
        # description and root causes of each are looked up once per run.
        self._known: dict[tuple, tuple[str | None, tuple[str, ...]]] = {}
        self._advice: dict[tuple, dict] = {}

    def adjustments(self, adjustments: Sequence[RemitAdjustment],
                    remarks: Sequence[str]) -> list[dict]:
        known = self._known
        out = []
        for a in adjustments:
            key = (a.group, a.carc, *remarks)
            found = known.get(key)
            if found is None:
                if len(known) >= CACHE_LIMIT:  # hostile input: many distinct codes
                    known.clear()
                found = known[key] = (self.carcs.describe(a.carc),
                                      self.denial_map.classify(a.group, a.carc, remarks))
            out.append({"group": a.group, "carc": a.carc, "amount": a.amount,
                        "quantity": a.quantity, "description": found[0],
                        "root_causes": list(found[1]), "segment": a.segment, "line": a.line})
        return out

    def advice(self, causes: list[str], reversal: bool) -> dict:
        key = (reversal, *causes)
        found = self._advice.get(key)
        if found is None:
            if len(self._advice) >= CACHE_LIMIT:
                self._advice.clear()
            found = self._advice[key] = _advice(causes, reversal)
        return found


def _causes(adjustments: list[dict], denials: bool) -> list[str]:
    if not adjustments:
        return []
    found = (c for a in adjustments for c in a["root_causes"])
    return list(dict.fromkeys(c for c in found if (c not in NOT_DENIALS) == denials))


def _denied(adjustments: list[dict]) -> Decimal:
    return sum((a["amount"] for a in adjustments if a["amount"] is not None
                and not set(a["root_causes"]) <= NOT_DENIALS), Decimal(0))


def _advice(causes: list[str], reversal: bool) -> dict:
    advice = root_cause_advice()
    if not causes:
        explanation, action, recoverable = NO_ADJUSTMENT, "none", "no"
    else:
        many = len(causes) > 1
        explanation = " ".join(f"{c}: {advice[c].explanation}" if many else
                               advice[c].explanation for c in causes)
        action = " ".join(f"{c}: {advice[c].action}" if many else advice[c].action
                          for c in causes)
        values = {advice[c].recoverable for c in causes}
        recoverable = values.pop() if len(values) == 1 else "partly"
    if reversal:
        explanation = f"{REVERSAL_NOTE} {explanation}".strip()
        action = "None on the reversal itself; act on the adjudication that replaces it."
    return {"explanation": explanation, "action": action, "recoverable": recoverable}


def _record(claim: ClaimPayment, service: ServiceLinePayment | None, context: _Context) -> dict:
    payment = claim.payment
    envelope = payment.envelope
    claim_adjustments = context.adjustments(claim.adjustments, claim.remarks)
    if service is not None:
        adjustments = context.adjustments(service.adjustments, service.rarcs + claim.remarks)
        line = service
    else:
        adjustments, claim_adjustments = claim_adjustments, []
        line = _NO_LINE
    causes = _causes(adjustments, denials=True)
    shown = causes or _causes(adjustments, denials=False)
    # One dict, its keys in the schema's order; a claim-level record (no SVC) takes the
    # claim's charge, payment, dates and remarks where a line record has its line's.
    on_line = service is not None
    return {
        "record_type": "line" if on_line else "claim",
        "file": envelope.file,
        "interchange_control": envelope.interchange_control,
        "transaction_control": envelope.transaction_control,
        "version": payment.version,
        "payer_name": payment.payer_name, "payer_id": payment.payer_id,
        "payee_id": payment.payee_id, "payee_name": payment.payee_name,
        "payee_npi": payment.payee_npi,
        "trace_number": payment.trace_number, "payment_date": payment.payment_date,
        "payment_amount": payment.payment_amount, "payment_method": payment.payment_method,
        "production_date": payment.production_date,
        "claim_id": claim.claim_id, "claim_status": claim.status,
        "claim_status_name": claim.status_name,
        "payer_claim_control": claim.payer_claim_control,
        "claim_frequency": claim.frequency_code, "facility_type": claim.facility_type,
        "claim_charge": claim.charge, "claim_paid": claim.paid,
        "claim_patient_responsibility": claim.patient_responsibility,
        "line_control": line.line_control, "procedure_code": line.procedure_code,
        "modifiers": list(line.modifiers),
        "original_procedure_code": line.original_procedure_code,
        "original_modifiers": list(line.original_modifiers),
        "revenue_code": line.revenue_code,
        "charge": service.charge if on_line else claim.charge,
        "paid": service.paid if on_line else claim.paid,
        "allowed_amount": line.allowed_amount,
        "units_paid": line.units_paid, "original_units": line.original_units,
        "service_date": service.service_date if on_line else claim.dates.get("232"),
        "service_date_end": service.service_date_end if on_line else claim.dates.get("233"),
        "adjustments": adjustments,
        "rarcs": list(service.rarcs) if on_line else list(claim.remarks),
        "claim_adjustments": claim_adjustments, "claim_rarcs": list(claim.remarks),
        "moa_remarks": list(claim.outpatient_remarks),
        "mia_remarks": list(claim.inpatient_remarks),
        "denied_amount": _denied(adjustments), "root_causes": causes,
        "claim_root_causes": _causes(claim_adjustments, denials=True),
        **context.advice(shown, claim.is_reversal),
        "segment": service.segment if on_line else claim.segment,
        "line": service.line if on_line else claim.line,
        "claim_segment": claim.segment, "claim_line": claim.line,
    }


_NO_LINE = ServiceLinePayment(None, None)  # the line fields of a claim-level record: empty


def _wanted(service: ServiceLinePayment, codes: frozenset[str]) -> bool:
    """The adjudicated (SVC01-2) or the submitted (SVC06-2) procedure is one of ``codes``."""
    if ALL_CODES in codes:
        return True
    code, original = service.procedure_code, service.original_procedure_code
    return bool((code and code.upper() in codes) or (original and original.upper() in codes))


def _claims(items: Iterable) -> Iterator[ClaimPayment]:
    for item in items:
        if isinstance(item, ClaimPayment):
            yield item
        elif isinstance(item, RemitPayment):
            yield from item.claims


def remit_records(items: Iterable, *, hcpcs: Sequence[str] | str = DEFAULT_HCPCS,
                  denial_map: DenialMap | None = None, carcs: CodeTable | None = None,
                  rarcs: CodeTable | None = None) -> Iterator[dict]:
    """Flat records for the lines billed with ``hcpcs`` (``"ALL"`` for every line).

    ``items``: the reader's stream (headers and PLB pairs are passed over) or whole
    :class:`RemitPayment` transactions.

    >>> from edi_j0256.remit.model import ClaimPayment, PaymentHeader
    >>> from edi_j0256.x12.envelope import Envelope
    >>> header = PaymentHeader(Envelope("x.835"))
    >>> [r["record_type"] for r in remit_records([ClaimPayment("C1", "4", payment=header)])]
    ['claim']
    """
    context = _Context(denial_map, carcs, rarcs)
    codes = frozenset(normalize_codes(hcpcs))
    for claim in _claims(items):
        if not claim.lines:
            yield _record(claim, None, context)
        for service in claim.lines:
            if _wanted(service, codes):
                yield _record(claim, service, context)


def plb_records(items: Iterable) -> Iterator[dict]:
    """One record per provider-level adjustment (PLB reason/amount pair), with the payment
    it was made in (trace number, check date, payer, payee)."""
    for item in items:
        found = item.provider_adjustments if isinstance(item, RemitPayment) else (
            (item,) if isinstance(item, ProviderAdjustment) else ())
        for plb in found:
            payment = plb.payment
            yield {
                "record_type": "plb", "file": payment.envelope.file,
                "interchange_control": payment.envelope.interchange_control,
                "transaction_control": payment.envelope.transaction_control,
                "payer_name": payment.payer_name, "payer_id": payment.payer_id,
                "payee_id": payment.payee_id, "payee_npi": payment.payee_npi,
                "trace_number": payment.trace_number, "payment_date": payment.payment_date,
                "payment_amount": payment.payment_amount,
                "payment_method": payment.payment_method,
                "provider_id": plb.provider_id, "fiscal_period_date": plb.fiscal_period_date,
                "reason": plb.reason, "reference": plb.reference, "amount": plb.amount,
                "segment": plb.segment, "line": plb.line,
            }
