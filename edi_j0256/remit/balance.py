"""835 balancing rules (005010X221A1 section 1.10.2), reported as warnings, never fatal.

- ``X360`` service line: SVC02 - sum of the line's CAS amounts = SVC03.
- ``X361`` claim: CLP03 - sum of claim and line CAS amounts = CLP04.
- ``X362`` transaction: BPR02 = sum of CLP04 - sum of PLB amounts (BPR03 = D: a debit).

Amounts that are absent are not guessed: a check that lacks one of its amounts is skipped.
Messages name amounts and positions only, never claim or patient identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.remit.model import RemitAdjustment, RemitPayment


def adjustment_total(adjustments: Iterable[RemitAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments if a.amount is not None), Decimal(0))


def _off(expected: Decimal, actual: Decimal) -> str:
    return f"{expected:.2f} expected, {actual:.2f} found (off by {actual - expected:.2f})"


def check_balance(payment: RemitPayment, diagnostics: Diagnostics) -> int:
    """Add a diagnostic for every line, claim and payment that does not balance.

    Returns how many were added.
    """
    file = payment.envelope.file
    before = len(diagnostics)
    for claim in payment.claims:
        for service in claim.lines:
            if service.charge is None or service.paid is None:
                continue
            expected = service.charge - adjustment_total(service.adjustments)
            if expected != service.paid:
                diagnostics.add("X360", Severity.WARNING,
                                f"service line out of balance: SVC02 - CAS = SVC03: "
                                f"{_off(expected, service.paid)}",
                                file, service.segment, service.line)
        if claim.charge is None or claim.paid is None:
            continue
        adjusted = adjustment_total(claim.adjustments) + sum(
            (adjustment_total(s.adjustments) for s in claim.lines), Decimal(0))
        expected = claim.charge - adjusted
        if expected != claim.paid:
            diagnostics.add("X361", Severity.WARNING,
                            f"claim out of balance: CLP03 - claim and line CAS = CLP04: "
                            f"{_off(expected, claim.paid)}", file, claim.segment, claim.line)
    if payment.payment_amount is not None:
        paid = sum((c.paid for c in payment.claims if c.paid is not None), Decimal(0))
        expected = paid - sum((p.amount for p in payment.provider_adjustments
                               if p.amount is not None), Decimal(0))
        actual = -payment.payment_amount if payment.credit_debit == "D" else payment.payment_amount
        if expected != actual:
            diagnostics.add("X362", Severity.WARNING,
                            f"payment out of balance: BPR02 = CLP04 total - PLB total: "
                            f"{_off(expected, actual)}", file, payment.segment, payment.line)
    return len(diagnostics) - before
