"""From linked lines to reconciled records, orphans and dollar totals.

Amounts that fall to one 837 line from one 835 adjudication:

- an SVC: SVC03 paid and the SVC's CAS, plus the line's part of the claim-level CAS (split by
  charge, SVC02 / CLP03);
- a claim-level record: CLP04 and the claim CAS, split by charge (SV102 / CLP03; evenly when
  CLP03 is missing or zero).

``denied`` is the sum of adjustments whose root causes are not only contractual or patient
responsibility; ``recoverable`` the part of it whose root cause ``data/root_causes.csv`` marks
``recoverable`` ``yes`` or ``partly`` (duplicate, timely filing and the non-denials are ``no``).

History is ordered by payment date (BPR16), then file order, then position in the file; the
latest adjudication wins. When it is a reversal (CLP02 = 22) with nothing after it, the line is
``reversed`` and its paid amount is the net of its history (normally 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from edi_j0256.reconcile.link import CLAIM_LEVEL, link
from edi_j0256.reconcile.model import (
    ORPHAN,
    Adjudication,
    Adjustment,
    ClaimLine,
    RemitLine,
    carcs,
    cents,
)
from edi_j0256.remit.rootcause import root_cause_advice

ZERO = Decimal(0)
RECOVERABLE = frozenset({"yes", "partly"})  # values of root_causes.csv's ``recoverable``
MONEY = ("billed", "paid", "denied", "recoverable")


def _recoverable(adjustment: Adjustment) -> bool:
    advice = root_cause_advice()
    return adjustment.is_denial and any(advice[c].recoverable in RECOVERABLE
                                        for c in adjustment.root_causes if c in advice)


def _share(claim_line: ClaimLine, remit: RemitLine, siblings: int) -> Decimal:
    base = remit.claim_charge if remit.level == "line" else remit.charge
    part = remit.charge if remit.level == "line" else claim_line.billed_amount
    if base and part is not None:
        return part / base
    return Decimal(1) / max(siblings, 1) if remit.level == "claim" else ZERO


def adjudicate(claim_line: ClaimLine, remit: RemitLine, how: str,
               siblings: int = 1) -> Adjudication:
    """The amounts and root causes one 835 record gives one 837 line."""
    share = _share(claim_line, remit, siblings)
    if remit.level == "claim":
        adjustments = tuple(a.scaled(share) for a in remit.adjustments)
        paid = cents((remit.paid or ZERO) * share)
    else:
        adjustments = remit.adjustments + tuple(a.scaled(share) for a in remit.claim_adjustments)
        paid = remit.paid or ZERO
    denials = [a for a in adjustments if a.is_denial and a.amount is not None]
    denied = sum((a.amount for a in denials), ZERO)
    recoverable = sum((a.amount for a in denials if _recoverable(a)), ZERO)
    causes = tuple(dict.fromkeys(c for a in adjustments if a.is_denial for c in a.root_causes))
    return Adjudication(remit, how, paid, denied, recoverable, adjustments, causes)


def _status(latest: Adjudication | None) -> str:
    if latest is None:
        return "unmatched"
    if latest.remit.is_reversal:
        return "reversed"
    if latest.denied > 0 and (latest.paid <= 0 or latest.remit.claim_status == "4"):
        return "denied"
    return "partial" if latest.denied > 0 else "paid"


def _advice(causes: Sequence[str]) -> tuple[str | None, str | None]:
    if not causes:
        return None, None
    advice = root_cause_advice()
    many = len(causes) > 1
    explanation = " ".join(f"{c}: {advice[c].explanation}" if many else advice[c].explanation
                           for c in causes)
    action = " ".join(f"{c}: {advice[c].action}" if many else advice[c].action for c in causes)
    return explanation, action


def reconciled_record(claim_line: ClaimLine, history: list[Adjudication]) -> dict:
    """The reconciled record of one 837 J0256 line (fields: ``schemas/reconcile.schema.json``)."""
    history = sorted(history, key=lambda a: a.remit.order_key())
    latest = history[-1] if history else None
    status = _status(latest)
    remit = latest.remit if latest else None
    reversed_ = status == "reversed"
    causes = () if latest is None or reversed_ else latest.root_causes
    adjustments = () if latest is None else latest.adjustments
    explanation, action = _advice(causes)
    finding_codes = list(dict.fromkeys(f.code for f in claim_line.findings))
    explained = list(dict.fromkeys(f.code for f in claim_line.findings if f.root_cause in causes))
    return {
        "claim_id": claim_line.claim_id, "line_number": claim_line.line_number,
        "line_control": claim_line.line_control, "member_id": claim_line.member_id,
        "payer_id": claim_line.payer_id, "payer_name": claim_line.payer_name,
        "service_date": claim_line.service_date, "procedure_code": claim_line.procedure_code,
        "modifiers": list(claim_line.modifiers), "billed_units": claim_line.billed_units,
        "billed_amount": claim_line.billed_amount,
        "paid_units": remit.units_paid if remit and remit.level == "line" else None,
        "paid_amount": (sum((a.paid for a in history), ZERO) if reversed_
                        else latest.paid if latest else ZERO),
        "denied_amount": ZERO if reversed_ or latest is None else latest.denied,
        "recoverable_amount": ZERO if reversed_ or latest is None else latest.recoverable,
        "status": status, "root_causes": list(causes), "findings": finding_codes,
        "explained_by": explained, "explanation": explanation, "action": action,
        "link": latest.link if latest else None,
        "payer_claim_control": remit.payer_claim_control if remit else None,
        "trace_number": remit.trace_number if remit else None,
        "payment_date": remit.payment_date if remit else None,
        "claim_status": remit.claim_status if remit else None,
        "carcs": carcs(adjustments),
        "rarcs": list(dict.fromkeys(remit.rarcs + remit.claim_rarcs)) if remit else [],
        "adjustments": [{"group": a.group, "carc": a.carc, "amount": a.amount,
                         "quantity": a.quantity, "level": a.level,
                         "root_causes": list(a.root_causes)} for a in adjustments],
        "history": [a.entry() for a in history],
        "file": claim_line.file, "segment": claim_line.segment, "line": claim_line.line,
        "remit_file": remit.file if remit else None,
    }


def orphan_record(remit: RemitLine) -> dict:
    """An 835 line that matched no 837 line (its claim-level CAS counted in full)."""
    adjustments = remit.adjustments + remit.claim_adjustments
    denials = [a for a in adjustments if a.is_denial and a.amount is not None]
    return {
        "status": ORPHAN, "level": remit.level, "claim_id": remit.claim_id,
        "claim_status": remit.claim_status, "payer_claim_control": remit.payer_claim_control,
        "payer_id": remit.payer_id, "payer_name": remit.payer_name,
        "trace_number": remit.trace_number, "payment_date": remit.payment_date,
        "line_control": remit.line_control, "procedure_code": remit.procedure_code,
        "modifiers": list(remit.modifiers), "service_date": remit.service_date,
        "charge": remit.charge, "paid_amount": remit.paid or ZERO,
        "units_paid": remit.units_paid,
        "denied_amount": sum((a.amount for a in denials), ZERO),
        "root_causes": list(dict.fromkeys(c for a in denials for c in a.root_causes)),
        "carcs": carcs(adjustments),
        "rarcs": list(dict.fromkeys(remit.rarcs + remit.claim_rarcs)),
        "file": remit.file, "segment": remit.segment, "line": remit.line,
    }


def reconcile_lines(claim_lines: Sequence[ClaimLine], remit_lines: Iterable[RemitLine]
                    ) -> tuple[list[dict], list[dict]]:
    """Reconciled records (837 line order) and orphan records (835 order)."""
    links = link(claim_lines, remit_lines)
    siblings: dict[tuple, int] = defaultdict(int)
    for claim_line in claim_lines:
        siblings[claim_line.claim_key] += 1
    records = []
    for index, claim_line in enumerate(claim_lines):
        history = [adjudicate(claim_line, remit, how,
                              siblings[claim_line.claim_key] if how == CLAIM_LEVEL else 1)
                   for remit, how in links.adjudications.get(index, ())]
        records.append(reconciled_record(claim_line, history))
    orphans = [orphan_record(r) for r in links.orphans]
    return records, orphans


def _bucket() -> dict:
    return {"lines": 0, **{m: ZERO for m in MONEY}}


def totals(records: Iterable[dict]) -> dict:
    """Billed, paid, denied and recoverable dollars overall, by root cause and by payer.

    By root cause: a line's billed and paid dollars go to its first root cause (``none`` when
    it was not denied, ``unmatched`` when no 835 answered it); denied and recoverable dollars go
    to the first denial root cause of each adjustment, so every column adds up to the total.
    """
    overall = _bucket()
    by_cause: dict[str, dict] = defaultdict(_bucket)
    by_payer: dict[str, dict] = defaultdict(_bucket)
    for record in records:
        billed, paid = record["billed_amount"] or ZERO, record["paid_amount"] or ZERO
        first = (record["root_causes"][0] if record["root_causes"]
                 else "unmatched" if record["status"] == "unmatched" else "none")
        payer = by_payer[record["payer_id"] or "(unknown)"]
        for bucket in (overall, by_cause[first], payer):
            bucket["lines"] += 1
            bucket["billed"] += billed
            bucket["paid"] += paid
        for bucket in (overall, payer):
            bucket["denied"] += record["denied_amount"]
            bucket["recoverable"] += record["recoverable_amount"]
        if record["status"] in ("reversed", "unmatched"):
            continue
        advice = root_cause_advice()
        for a in record["adjustments"]:
            causes = [c for c in a["root_causes"] if c in advice]
            adjustment = Adjustment(a["group"], a["carc"], a["amount"], a["quantity"],
                                    tuple(causes))
            if not adjustment.is_denial or a["amount"] is None:
                continue
            cause = next(c for c in causes if c not in ("contractual", "patient_responsibility"))
            by_cause[cause]["denied"] += a["amount"]
            if _recoverable(adjustment):
                by_cause[cause]["recoverable"] += a["amount"]
    return {"total": overall, "by_root_cause": dict(sorted(by_cause.items())),
            "by_payer": dict(sorted(by_payer.items()))}
